"""Tables of the licences domain: licence types, issuers, licences, versions, events, libraries.

Keys and CAs are in crypto/models.py, seals in seals/models.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tongban.db import Base, utcnow
from tongban.seals.models import Seal

#: A licence's states as people read them (issuing checks transitions, pages and filters show them).
STATUS_LABELS = {"valid": "有效", "suspended": "已暂停", "revoked": "已注销", "expired": "已过期"}


class LicenceType(Base):
    """证照类型: what a kind of licence carries and who defines and issues it."""

    __tablename__ = "licence_types"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(21), unique=True)  # 证照类型代码
    name: Mapped[str] = mapped_column(String(64), unique=True)
    defining_org_name: Mapped[str] = mapped_column(String(128))  # 证照定义机构
    defining_org_code: Mapped[str] = mapped_column(String(18))
    holder_kind: Mapped[str] = mapped_column(String(16))  # person / entity / any
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{key, name, type, required}]
    layout: Mapped[dict[str, Any]] = mapped_column(JSON)  # render.LicenceLayout
    validity_years: Mapped[int | None] = mapped_column(Integer)  # None: 长期有效
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active / retired
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    issuers: Mapped[list[LicenceTypeIssuer]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class LicenceTypeIssuer(Base):
    """A department that may issue licences of a type (颁证单位)."""

    __tablename__ = "licence_type_issuers"

    type_id: Mapped[int] = mapped_column(ForeignKey("licence_types.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)


class Licence(Base):
    """电子证照: the current state of one licence; its versions hold the signed documents."""

    __tablename__ = "licences"
    __table_args__ = (
        Index("ix_licences_holder_type", "holder_code", "type_id"),
        Index("ix_licences_issuer_issued", "issuer_department_id", "issued_on"),
        UniqueConstraint("issuer_department_id", "type_id", "serial", name="uq_licences_issuer_type_serial"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identifier: Mapped[str] = mapped_column(String(128), unique=True)  # current version's 证照标识
    type_id: Mapped[int] = mapped_column(ForeignKey("licence_types.id"))
    serial: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(64))  # 证照编号
    issuer_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    issuer_code: Mapped[str] = mapped_column(String(18))
    issuer_name: Mapped[str] = mapped_column(String(128))
    holder_name: Mapped[str] = mapped_column(String(128))
    holder_code: Mapped[str] = mapped_column(String(18))
    holder_code_type: Mapped[str] = mapped_column(String(16))  # resident_id / uscc
    issued_on: Mapped[dt.date] = mapped_column(Date)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)  # None: 长期
    region_code: Mapped[str] = mapped_column(String(12))
    service_item_code: Mapped[str] = mapped_column(String(64), default="")
    service_item_name: Mapped[str] = mapped_column(String(128), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="valid")  # valid / suspended / revoked / expired
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    type: Mapped[LicenceType] = relationship(lazy="joined")
    seal: Mapped[Seal] = relationship(lazy="joined")

    def status_on(self, day: dt.date) -> str:
        """The status a reader sees on `day`: past its end date a licence is expired even before the job ran."""
        if self.status in ("valid", "suspended") and self.valid_to is not None and self.valid_to < day:
            return "expired"
        return self.status


class LicenceVersion(Base):
    """One signed version of a licence (the first issue, then one per annotation 加注)."""

    __tablename__ = "licence_versions"
    __table_args__ = (UniqueConstraint("licence_id", "version", name="uq_licence_versions_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    identifier: Mapped[str] = mapped_column(String(128), unique=True)
    canonical: Mapped[bytes] = mapped_column(LargeBinary)  # licence.json as signed
    data_hash: Mapped[str] = mapped_column(String(64))  # SM3 of `canonical`, hex
    seal_signature: Mapped[bytes] = mapped_column(LargeBinary)  # GB/T 38540 SES_Signature
    pdf_sha256: Mapped[str] = mapped_column(String(64), index=True)  # the signed PDF's key in the file store
    annotation: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class LicenceEvent(Base):
    """Every change of a licence's state, with who did it and why (the audit chain has it too)."""

    __tablename__ = "licence_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # issue / annotate / suspend / resume / revoke / expire
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")


class LicenceLibrary(Base):
    """The catalog resource that shares issued licences through the exchange (电子证照库); one row."""

    __tablename__ = "licence_library"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), unique=True)
