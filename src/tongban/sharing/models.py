"""Tables of sharing (共享申请与授权): sharing requests and the grants they produce."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tongban.catalog.models import InformationResource
from tongban.db import Base, utcnow
from tongban.org.models import AppClient, Department


class SharingRequest(Base):
    """共享申请: a consumer department asks for a resource's items for one of its systems."""

    __tablename__ = "sharing_requests"
    __table_args__ = (
        Index("ix_sharing_requests_status_due", "status", "due_on"),
        Index("ix_sharing_requests_provider_status", "provider_id", "status"),
        Index("ix_sharing_requests_consumer_status", "consumer_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # GX + date + sequence
    consumer_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("app_clients.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    resource_version: Mapped[int] = mapped_column(Integer)
    items: Mapped[list[str]] = mapped_column(JSON)  # item keys asked for
    approved_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text)  # 用途
    legal_basis: Mapped[str] = mapped_column(Text)  # 履职依据
    scenario: Mapped[str] = mapped_column(Text)  # 使用场景
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    # submitted → (compliance) → pending_provider → granted / refused → objected → granted / refused_final;
    # also compliance_rejected, withdrawn.
    status: Mapped[str] = mapped_column(String(24), index=True)
    stage_started_on: Mapped[dt.date] = mapped_column(Date)
    stage_days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date | None] = mapped_column(Date)  # deadline of the current stage
    due_assumed: Mapped[bool] = mapped_column(Boolean, default=False)  # crossed a year with no holiday notice
    overdue_flagged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    compliance_note: Mapped[str] = mapped_column(Text, default="")
    compliance_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    compliance_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")  # provider's reasons (required to refuse)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    objection: Mapped[str] = mapped_column(Text, default="")
    objected_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    coordination_note: Mapped[str] = mapped_column(Text, default="")
    coordinated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    coordinated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    consumer: Mapped[Department] = relationship(foreign_keys=[consumer_id], lazy="joined")
    provider: Mapped[Department] = relationship(foreign_keys=[provider_id], lazy="joined")
    client: Mapped[AppClient] = relationship(lazy="joined")
    resource: Mapped[InformationResource] = relationship(lazy="joined")


class Grant(Base):
    """授权: client × resource × items × purpose × validity; what the exchange will let through."""

    __tablename__ = "sharing_grants"
    __table_args__ = (Index("ix_sharing_grants_client_resource", "client_id", "resource_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("sharing_requests.id"), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("app_clients.id"))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    items: Mapped[list[str]] = mapped_column(JSON)
    plain_items: Mapped[list[str]] = mapped_column(JSON, default=list)  # items served unmasked
    purpose: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active / suspended / revoked
    # 调用限额: None means the platform default (settings); 0 means unlimited.
    calls_per_minute: Mapped[int | None] = mapped_column(Integer)
    calls_per_day: Mapped[int | None] = mapped_column(Integer)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    request: Mapped[SharingRequest] = relationship(lazy="joined")
    client: Mapped[AppClient] = relationship(lazy="joined")
    resource: Mapped[InformationResource] = relationship(lazy="joined")
    consumer: Mapped[Department] = relationship(foreign_keys=[consumer_id], lazy="joined")
    provider: Mapped[Department] = relationship(foreign_keys=[provider_id], lazy="joined")

    def state_on(self, day: dt.date) -> str:
        """active / suspended / revoked / expired / not_yet_valid."""
        if self.status != "active":
            return self.status
        if day > self.valid_until:
            return "expired"
        if day < self.valid_from:
            return "not_yet_valid"
        return "active"
