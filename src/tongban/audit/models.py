"""Tables of the audit domain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base


class AuditEntry(Base):
    """One audit record. `seq` is assigned by the chain (contiguous), never by the database."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor", "actor_kind", "actor_id", "occurred_at"),
        Index("ix_audit_log_object", "object_type", "object_id", "occurred_at"),
        Index("ix_audit_log_occurred_at", "occurred_at"),
        Index("ix_audit_log_department_id", "department_id", "occurred_at"),
    )

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                      autoincrement=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor_kind: Mapped[str] = mapped_column(String(16))  # staff/citizen/enterprise/client/system/anonymous
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(128))
    department_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(255))
    result: Mapped[str] = mapped_column(String(16))  # success / denied / failed
    client_ip: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The single row that holds the chain's last entry; writers lock it to append in order."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    last_hash: Mapped[str] = mapped_column(String(64))


class LogCheckpoint(Base):
    """A signed checkpoint of both chain heads; the same line is appended to a file outside the database."""

    __tablename__ = "log_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime)
    audit_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    audit_hash: Mapped[str] = mapped_column(String(64))
    exchange_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    exchange_hash: Mapped[str] = mapped_column(String(64))
    exchange_legacy_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
