"""Tables of data-quality disputes (数据疑义/纠错): the dispute and its evidence files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tongban.catalog.models import InformationResource
from tongban.db import Base, utcnow
from tongban.org.models import AppClient, Department, User

_BIG = BigInteger().with_variant(Integer, "sqlite")


class DataDispute(Base):
    """数据疑义: a consumer flags items of one shared record as wrong; the provider answers in working days."""

    __tablename__ = "data_disputes"
    __table_args__ = (
        # open_disputes() runs on every exchange call: resource + keys + unresolved status, index only.
        Index("ix_data_disputes_resource_key_status", "resource_id", "record_key", "status"),
        Index("ix_data_disputes_provider_status", "provider_id", "status"),
        Index("ix_data_disputes_consumer_status", "consumer_id", "status"),
        Index("ix_data_disputes_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # JC + date + sequence
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    raised_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # staff who raised it …
    client_id: Mapped[int | None] = mapped_column(ForeignKey("app_clients.id"))  # … or the system (API key)
    record_key: Mapped[str] = mapped_column(String(255))
    record_seq: Mapped[int] = mapped_column(_BIG)  # the record's change sequence when the dispute was raised
    items: Mapped[list[str]] = mapped_column(JSON)  # disputed item keys
    description: Mapped[str] = mapped_column(Text)  # what is wrong
    proposed: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # item key → proposed correct value
    evidence: Mapped[str] = mapped_column(Text, default="")  # description of the evidence
    # open → corrected / rejected; open / escalated → withdrawn; rejected → escalated → upheld / coordinated_correct
    status: Mapped[str] = mapped_column(String(24))
    stage_started_on: Mapped[dt.date] = mapped_column(Date)
    stage_days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    due_assumed: Mapped[bool] = mapped_column(Boolean, default=False)  # crossed a year with no holiday notice
    overdue_flagged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answer_note: Mapped[str] = mapped_column(Text, default="")  # provider's answer (required to reject)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    escalation_note: Mapped[str] = mapped_column(Text, default="")
    escalated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    coordination_note: Mapped[str] = mapped_column(Text, default="")
    coordinated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    coordinated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None when the raising system withdrew
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    resource: Mapped[InformationResource] = relationship(lazy="joined")
    provider: Mapped[Department] = relationship(foreign_keys=[provider_id], lazy="joined")
    consumer: Mapped[Department] = relationship(foreign_keys=[consumer_id], lazy="joined")
    raiser: Mapped[User | None] = relationship(foreign_keys=[raised_by], lazy="joined")
    client: Mapped[AppClient | None] = relationship(lazy="joined")
    attachments: Mapped[list[DisputeAttachment]] = relationship(
        lazy="select", order_by="DisputeAttachment.id", back_populates="dispute", cascade="all, delete-orphan")


class DisputeAttachment(Base):
    """证明材料: a PDF, JPEG or PNG in the file store under its SHA-256 (files.py), so evidence cannot drift."""

    __tablename__ = "data_dispute_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("data_disputes.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))  # from the magic bytes, never from the client
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # the content's key in the file store
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_client_id: Mapped[int | None] = mapped_column(ForeignKey("app_clients.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    dispute: Mapped[DataDispute] = relationship(back_populates="attachments")
