"""Tables of the catalog domain (《政务信息资源目录编制指南(试行)》 elements)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tongban.db import Base, utcnow
from tongban.org.models import Department


class Classification(Base):
    """信息资源分类: 类 (1 基础 / 2 主题 / 3 部门), 项, 目, 细目; the code is the path of segment codes."""

    __tablename__ = "catalog_classifications"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)  # 1 类, 2 项, 3 目, 4 细目
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("catalog_classifications.code"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)  # 部门类的项


class InformationResource(Base):
    """信息资源: one catalog entry. The row is the current state; published states are in versions."""

    __tablename__ = "catalog_resources"
    __table_args__ = (
        UniqueConstraint("classification_code", "seq", name="uq_catalog_resources_classification_seq"),
        Index("ix_catalog_resources_provider_status", "provider_id", "status"),
        Index("ix_catalog_resources_status_share", "status", "share_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # 信息资源代码: 前段码/后段码
    classification_code: Mapped[str] = mapped_column(ForeignKey("catalog_classifications.code"))
    seq: Mapped[int] = mapped_column(Integer)  # 后段码: sequence within the classification
    name: Mapped[str] = mapped_column(String(128))
    abstract: Mapped[str] = mapped_column(Text)
    provider_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    provider_code: Mapped[str] = mapped_column(String(18))  # 提供方代码: the provider's USCC
    format_type: Mapped[str] = mapped_column(String(16))  # 信息资源格式
    share_type: Mapped[str] = mapped_column(String(16))  # unconditional / conditional / none
    share_condition: Mapped[str] = mapped_column(Text, default="")
    no_share_reason: Mapped[str] = mapped_column(Text, default="")
    share_methods: Mapped[list[str]] = mapped_column(JSON, default=list)  # interface / table / file
    open_to_public: Mapped[bool] = mapped_column(Boolean, default=False)
    open_condition: Mapped[str] = mapped_column(Text, default="")
    update_cycle: Mapped[str] = mapped_column(String(16))
    published_on: Mapped[dt.date | None] = mapped_column(Date)  # 发布日期
    related_codes: Mapped[list[str]] = mapped_column(JSON, default=list)  # 关联资源代码
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)  # further 主题 classification codes
    data_on_platform: Mapped[bool] = mapped_column(Boolean, default=False)  # data already in the hub
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft / published / retired
    version: Mapped[int] = mapped_column(Integer, default=0)  # last published version, 0 = never
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    provider: Mapped[Department] = relationship(lazy="joined")
    classification: Mapped[Classification] = relationship(lazy="joined")
    items: Mapped[list[InformationItem]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="InformationItem.position",
        back_populates="resource",
    )


class InformationItem(Base):
    """信息项: a field of a resource."""

    __tablename__ = "catalog_items"
    __table_args__ = (UniqueConstraint("resource_id", "key", name="uq_catalog_items_resource_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))
    data_type: Mapped[str] = mapped_column(String(16))
    length: Mapped[int | None] = mapped_column(Integer)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    sensitivity: Mapped[str] = mapped_column(String(24), default="internal")
    description: Mapped[str] = mapped_column(Text, default="")

    resource: Mapped[InformationResource] = relationship(back_populates="items")


class ResourceVersion(Base):
    """A published state of a resource, kept whole so that every earlier version can be shown."""

    __tablename__ = "catalog_resource_versions"
    __table_args__ = (UniqueConstraint("resource_id", "version", name="uq_catalog_resource_versions_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    change_note: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
