"""Numbers people read (编号): sharing requests GX…, disputes JC…, licence serials, case numbers next.

One counter row per (series, period). A number is taken with a single upsert that increments the row
and returns the new value, inside the caller's transaction: the row stays locked until that
transaction ends (PostgreSQL row lock; SQLite's one write lock), so two use-cases never get the same
number, and a use-case that rolls back gives its number back — the committed numbers of a period are
1, 2, 3 … with no gaps. The price is that use-cases of one series and period take their numbers one
after the other: take the number late in the use-case, after the checks that may refuse it.

Counting `max(number) + 1` over the issued rows, as the domains did before, hands two concurrent
use-cases the same number (one of them then fails on the unique index).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Integer, String
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from tongban.db import Base


class NumberCounter(Base):
    """The last number taken in one series and period (a day, a year, or '' for a series that never restarts)."""

    __tablename__ = "number_counters"

    series: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


def allocate(session: Session, series: str, period: str = "") -> int:
    """The next number of (series, period), 1 for the first, held by the caller's transaction.

    One statement that creates or increments the row, so there is no window between reading and
    writing, and no savepoint to create the first row of a period.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(NumberCounter).values(series=series, period=period, last=1)
            .on_conflict_do_update(index_elements=[NumberCounter.series, NumberCounter.period],
                                   set_={"last": NumberCounter.last + 1})
            .returning(NumberCounter.last))
    return int(session.execute(stmt).scalar_one())


@dataclass(frozen=True)
class DailySeries:
    """A number that restarts every day: prefix, the day as YYYYMMDD, a zero-padded sequence."""

    name: str  # the counter's series key
    prefix: str  # printed before the date
    width: int = 4  # digits of the sequence (more digits are printed if a day ever needs them)

    def format(self, day: dt.date, n: int) -> str:
        """The number as people read it, e.g. GX202612030001."""
        return f"{self.prefix}{day:%Y%m%d}{n:0{self.width}d}"


SHARING_REQUEST = DailySeries("sharing_request", "GX")  # 共享申请编号
DATA_DISPUTE = DailySeries("data_dispute", "JC")  # 数据疑义编号
# 证照序列号: per issuing department and licence type (GB/T 36904 puts it after the issuer's code).
LICENCE_SERIAL = DailySeries("licence", "")
# 印章编码: one platform-wide sequence that never restarts (the counter `seal`, period '').
SEAL = "seal"


def next_number(session: Session, series: DailySeries, day: dt.date, *, scope: str = "") -> str:
    """Take the next number of `series` on `day` (of one `scope`, e.g. an issuer and type) and format it."""
    key = f"{series.name}:{scope}" if scope else series.name
    return series.format(day, allocate(session, key, f"{day:%Y%m%d}"))


def licence_scope(department_id: int, type_id: int) -> str:
    """The counter scope of an issuer's licences of one type."""
    return f"{department_id}:{type_id}"
