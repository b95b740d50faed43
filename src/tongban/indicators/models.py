"""Tables of the indicators (绩效指标): additive counters per day (and month), department, item and region.

Rows hold numerators and denominators, never ratios, so any grouping sums rows (definitions.py). The rollup
job (rollup.py) rewrites a day's rows whole; the month rows are re-summed from the day rows of that month.
Dashboards read only these tables, never the cases, ratings or alerts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base
from tongban.ratings.models import Rating, RatingFollowUp
from tongban.supervision.models import SupervisionAlert

_BIG = BigInteger().with_variant(Integer, "sqlite")


class _Key:
    """The grouping key: department (实施主体), item (事项编码), region (the implementation's 行政区划)."""

    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)


class _Counters:
    """definitions.COUNTERS, one column each (numerators and denominators)."""

    cases_decided: Mapped[int] = mapped_column(Integer, default=0)
    cases_on_time: Mapped[int] = mapped_column(Integer, default=0)
    cases_timed: Mapped[int] = mapped_column(Integer, default=0)
    handling_days: Mapped[int] = mapped_column(_BIG, default=0)
    promised_days: Mapped[int] = mapped_column(_BIG, default=0)
    visits: Mapped[int] = mapped_column(_BIG, default=0)
    cases_zero_visit: Mapped[int] = mapped_column(Integer, default=0)
    materials_total: Mapped[int] = mapped_column(_BIG, default=0)
    materials_fetched: Mapped[int] = mapped_column(_BIG, default=0)
    ratings: Mapped[int] = mapped_column(Integer, default=0)
    ratings_good: Mapped[int] = mapped_column(Integer, default=0)
    ratings_bad: Mapped[int] = mapped_column(Integer, default=0)
    bad_called_back: Mapped[int] = mapped_column(Integer, default=0)
    bad_rectified: Mapped[int] = mapped_column(Integer, default=0)
    alerts_raised: Mapped[int] = mapped_column(Integer, default=0)
    alerts_yellow: Mapped[int] = mapped_column(Integer, default=0)
    alerts_red: Mapped[int] = mapped_column(Integer, default=0)
    alerts_cleared: Mapped[int] = mapped_column(Integer, default=0)
    alert_closure_seconds: Mapped[int] = mapped_column(_BIG, default=0)


class IndicatorDaily(_Counters, _Key, Base):
    """The counters of one Beijing calendar day."""

    __tablename__ = "indicator_daily"
    __table_args__ = (PrimaryKeyConstraint("day", "department_id", "item_code", "region_code"),)

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)


class IndicatorMonthly(_Counters, _Key, Base):
    """The same summed per calendar month (`month` = its first day): what whole months of a period read."""

    __tablename__ = "indicator_monthly"
    __table_args__ = (PrimaryKeyConstraint("month", "department_id", "item_code", "region_code"),)

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)


class IndicatorCatalogDaily(_Key, Base):
    """The day's snapshot of the published implementation lists (one row per implementation's key)."""

    __tablename__ = "indicator_catalog_daily"
    __table_args__ = (PrimaryKeyConstraint("day", "department_id", "item_code", "region_code"),)

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    items: Mapped[int] = mapped_column(Integer, default=0)
    items_online: Mapped[int] = mapped_column(Integer, default=0)
    items_full_online: Mapped[int] = mapped_column(Integer, default=0)
    items_instant: Mapped[int] = mapped_column(Integer, default=0)
    items_with_limit: Mapped[int] = mapped_column(Integer, default=0)
    legal_days: Mapped[int] = mapped_column(Integer, default=0)
    promised_days: Mapped[int] = mapped_column(Integer, default=0)


class IndicatorMark(Base):
    """How far the incremental pass has looked (naive UTC): facts changed since then mark their days."""

    __tablename__ = "indicator_marks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime)


# Indexes the rollup reads other domains' tables by (the days touched since the last pass, and one day's
# facts). Declared here, with the reader, so the owning domains' models stay as they are; migration 0031.
# (cases.decided_at is indexed by migration 0028 for 电子监察's 流程 checks.)
Index("ix_ratings_created_at", Rating.created_at)
Index("ix_rating_follow_ups_updated_at", RatingFollowUp.updated_at)
Index("ix_supervision_alerts_raised_at", SupervisionAlert.raised_at)
Index("ix_supervision_alerts_cleared_at", SupervisionAlert.cleared_at)
Index("ix_supervision_alerts_closed_at", SupervisionAlert.closed_at)  # migration 0032
