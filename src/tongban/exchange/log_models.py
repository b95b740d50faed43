"""Tables of the exchange log (交换日志): every call, chained in batches by the sealer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base

_BIG = BigInteger().with_variant(Integer, "sqlite")


class ExchangeLogEntry(Base):
    """One exchange call. Written before the answer leaves; `hash` is filled in later by the sealer."""

    __tablename__ = "exchange_log"
    __table_args__ = (
        Index("ix_exchange_log_client_time", "client_id", "occurred_at"),
        Index("ix_exchange_log_resource_time", "resource_id", "occurred_at"),
        Index("ix_exchange_log_unsealed", "sealed"),
    )

    seq: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    client_id: Mapped[int] = mapped_column(Integer)
    consumer_id: Mapped[int] = mapped_column(Integer)
    provider_id: Mapped[int | None] = mapped_column(Integer)
    resource_id: Mapped[int | None] = mapped_column(Integer)
    resource_code: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(16))  # get / query / changes / export / proxy
    items: Mapped[str] = mapped_column(Text)  # JSON list of item keys returned
    record_keys: Mapped[str] = mapped_column(Text)  # JSON list (first 100) of record keys touched
    record_count: Mapped[int] = mapped_column(Integer)
    end_user: Mapped[str] = mapped_column(String(64))  # X-End-User (person served), may be empty
    purpose: Mapped[str] = mapped_column(String(255))
    case_number: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(16))  # ok / not_found / denied / error
    status_code: Mapped[int] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    sealed: Mapped[bool] = mapped_column(default=False)
    # Position in the hash chain, given by the sealer: entries are chained in the order they are
    # sealed, which can differ from `seq` when concurrent transactions commit out of order.
    chain_no: Mapped[int | None] = mapped_column(_BIG, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class ExchangeLogSubject(Base):
    """Whose data a call touched (resident ID or credit code): answers “who used my data” by index."""

    __tablename__ = "exchange_log_subjects"
    __table_args__ = (Index("ix_exchange_log_subjects_subject", "subject", "seq"),)

    seq: Mapped[int] = mapped_column(_BIG, primary_key=True)
    subject: Mapped[str] = mapped_column(String(32), primary_key=True)


class ExchangeLogHead(Base):
    """The last sealed entry of the chain."""

    __tablename__ = "exchange_log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(_BIG)
    last_hash: Mapped[str] = mapped_column(String(64))
