"""Table of official documents (文书): the sealed notices and decisions a department issues."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tongban.db import Base, utcnow
from tongban.org.models import Department
from tongban.seals.models import Seal

#: A document's states as people read them.
STATUS_LABELS = {"issued": "有效", "revoked": "已撤销"}


class Document(Base):
    """文书: one numbered, sealed PDF (受理通知书, 不予受理决定书 …) about an object of another domain."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_owner", "owner_type", "owner_id"),
        Index("ix_documents_department_kind_year", "department_id", "kind", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)  # 文号: 安市监受字〔2026〕第00012号
    kind: Mapped[str] = mapped_column(String(16))  # acceptance / rejection / supplement / approval / refusal
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)  # the n of 第n号 within department, kind and year
    # What the document is about, named by its domain; no foreign key into that domain (e.g. "case", "17").
    owner_type: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    recipient_name: Mapped[str] = mapped_column(String(128))
    recipient_code: Mapped[str] = mapped_column(String(32))  # masked resident ID, or the public credit code
    recipient_code_type: Mapped[str] = mapped_column(String(16))  # resident_id / uscc
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)  # what the PDF shows, besides the header
    canonical: Mapped[bytes] = mapped_column(LargeBinary)  # document.json, signed by the seal
    data_hash: Mapped[str] = mapped_column(String(64))  # SM3 of document.json, hex
    pdf_sha256: Mapped[str] = mapped_column(String(64))  # the signed PDF in the file store
    seal_id: Mapped[int] = mapped_column(ForeignKey("seals.id"))
    issued_on: Mapped[dt.date] = mapped_column(Date)  # 成文日期 (China)
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="issued")  # issued / revoked
    status_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")
    seal: Mapped[Seal] = relationship(lazy="joined")
