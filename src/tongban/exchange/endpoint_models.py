"""Table of provider endpoints (接口登记): the provider system behind a 接口 resource."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tongban.catalog.models import InformationResource
from tongban.db import Base, utcnow

TIMEOUT_MIN_MS = 200
TIMEOUT_MAX_MS = 30000
TIMEOUT_DEFAULT_MS = 3000


class ProviderEndpoint(Base):
    """The HTTP endpoint of the provider department's own system, to which the hub forwards queries."""

    __tablename__ = "exchange_provider_endpoints"
    __table_args__ = (
        CheckConstraint(f"timeout_ms BETWEEN {TIMEOUT_MIN_MS} AND {TIMEOUT_MAX_MS}", name="timeout_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    timeout_ms: Mapped[int] = mapped_column(Integer, default=TIMEOUT_DEFAULT_MS)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Last “test the connection” (连通性测试): None until the first check.
    last_check_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_check_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_check_status: Mapped[int | None] = mapped_column(Integer)  # HTTP status, None if no answer
    last_check_ms: Mapped[int | None] = mapped_column(Integer)
    last_check_message: Mapped[str] = mapped_column(String(255), default="")

    resource: Mapped[InformationResource] = relationship(lazy="joined")
