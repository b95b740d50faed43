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
        Index("ix_exchange_log_row_mac", "row_mac", unique=True),
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
    # Written with the call: a random nonce and an HMAC (key not in the database) over the row and
    # its subjects, "nonce.mac". The sealer refuses rows without a valid one; unique, so a copied
    # row cannot be slipped in again. NULL only for rows written before migration 0012.
    row_mac: Mapped[str | None] = mapped_column(String(96))


class ExchangeLogSubject(Base):
    """Whose data a call touched (resident ID or credit code): answers “who used my data” by index."""

    __tablename__ = "exchange_log_subjects"
    __table_args__ = (
        Index("ix_exchange_log_subjects_subject", "subject", "seq"),
        Index("ix_exchange_log_subjects_chain_no", "chain_no"),
    )

    seq: Mapped[int] = mapped_column(_BIG, primary_key=True)
    subject: Mapped[str] = mapped_column(String(32), primary_key=True)
    # HMAC of (seq, subject) for rows added after their call's entry (a bulk export's stream);
    # NULL for subjects written with the entry, which its row MAC covers.
    mac: Mapped[str | None] = mapped_column(String(64))
    # The chain entry whose hash covers this row (set by the sealer); 0 for rows older than 0012.
    chain_no: Mapped[int | None] = mapped_column(_BIG)


class ExchangeLogHead(Base):
    """The last sealed entry of the chain."""

    __tablename__ = "exchange_log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(_BIG)
    last_hash: Mapped[str] = mapped_column(String(64))
    # The last call written before row MACs existed (migration 0012): older rows without one are
    # still sealed, with the old digest; the value is part of every checkpoint.
    legacy_seq: Mapped[int] = mapped_column(_BIG, server_default="0")
