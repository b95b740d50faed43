"""Table of electronic seals (电子印章, GB/T 38540)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tongban.db import Base, utcnow
from tongban.org.models import Department


class Seal(Base):
    """电子印章: a department's seal with an SM2 key (seal signatures) and an ECDSA key (PDF signatures)."""

    __tablename__ = "seals"
    __table_args__ = (Index("ix_seals_department_status", "department_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    es_id: Mapped[str] = mapped_column(String(32), unique=True)  # 印章编码
    name: Mapped[str] = mapped_column(String(64))  # 公章 / 审批专用章 / …
    kind: Mapped[str] = mapped_column(String(16))  # official / approval / licence / contract
    ca_source: Mapped[str] = mapped_column(String(16), default="own")  # own / external
    sm2_key_id: Mapped[int] = mapped_column(ForeignKey("licence_keys.id"))
    pdf_key_id: Mapped[int] = mapped_column(ForeignKey("licence_keys.id"))
    sm2_cert: Mapped[bytes | None] = mapped_column(LargeBinary)  # None while an external CA is asked
    pdf_cert: Mapped[bytes | None] = mapped_column(LargeBinary)
    seal_der: Mapped[bytes | None] = mapped_column(LargeBinary)  # GB/T 38540 SESeal
    picture_svg: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime)
    valid_to: Mapped[dt.datetime] = mapped_column(DateTime)
    # pending (waiting for an external CA's certificates) / active / suspended / revoked
    status: Mapped[str] = mapped_column(String(16), default="active")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")
