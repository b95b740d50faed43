"""Tables of the service-items domain (政务服务事项): the basic catalog, implementation lists, their published
versions and materials, bundles (一件事) and the life and business events that group items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tongban.db import Base, utcnow
from tongban.org.models import Department


class BasicItem(Base):
    """基本目录: the four elements shared by province, city and county (三级四同) and the levels exercising it."""

    __tablename__ = "item_basic"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # 事项编码
    name: Mapped[str] = mapped_column(String(128))  # 事项名称
    item_type: Mapped[str] = mapped_column(String(16))  # 事项类型
    legal_basis: Mapped[str] = mapped_column(Text)  # 设定依据
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)  # 行使层级: 省级 / 市级 / 县级
    high_frequency: Mapped[bool] = mapped_column(Boolean, default=False)  # 高频事项
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Implementation(Base):
    """实施清单: one department's implementation of a basic item in its region.

    The row is the working copy (status draft / review / published / retired); what the public sees is the
    snapshot of `published_version` in `item_implementation_versions`, kept while a revision is in draft or
    review (`published_version` 0: never published)."""

    __tablename__ = "item_implementations"
    __table_args__ = (
        UniqueConstraint("basic_item_id", "department_id", name="uq_item_implementations_basic_department"),
        Index("ix_item_implementations_department_status", "department_id", "status"),
        Index("ix_item_implementations_region", "region_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    basic_item_id: Mapped[int] = mapped_column(ForeignKey("item_basic.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))  # 实施主体
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    level: Mapped[str] = mapped_column(String(8))  # 行使层级 of this implementation: 省级 / 市级 / 县级
    legal_days: Mapped[int] = mapped_column(Integer)  # 法定办结时限 (working days)
    promised_days: Mapped[int] = mapped_column(Integer)  # 承诺办结时限 (0: 即办)
    fee: Mapped[str] = mapped_column(Text, default="不收费")  # 收费
    # 收费标准 in fen: 0 不收费, N a fixed amount, NULL as the text says (not one fixed amount); 电子监察 checks it
    fee_amount_fen: Mapped[int | None] = mapped_column(Integer)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)  # 申请条件
    steps: Mapped[list[str]] = mapped_column(JSON, default=list)  # 办理流程
    visits: Mapped[int] = mapped_column(Integer, default=0)  # 到办事现场次数
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)  # 办理渠道
    service_objects: Mapped[list[str]] = mapped_column(JSON, default=list)  # 服务对象
    consult_phone: Mapped[str] = mapped_column(String(64), default="")  # 咨询电话
    complaint_phone: Mapped[str] = mapped_column(String(64), default="")  # 投诉电话
    place: Mapped[str] = mapped_column(Text, default="")  # 办理地点
    hours: Mapped[str] = mapped_column(Text, default="")  # 办理时间
    online: Mapped[bool] = mapped_column(Boolean, default=True)  # 是否网上可办
    instant: Mapped[bool] = mapped_column(Boolean, default=False)  # 是否即办件
    result_name: Mapped[str] = mapped_column(String(128), default="")  # 结果名称
    licence_type: Mapped[str | None] = mapped_column(String(64))  # the licence type (name) the result is
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft / review / published / retired
    published_version: Mapped[int] = mapped_column(Integer, default=0)
    change_note: Mapped[str] = mapped_column(Text, default="")  # what the pending revision changes
    return_reason: Mapped[str] = mapped_column(Text, default="")  # the reviewer's reason of the last return
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    basic: Mapped[BasicItem] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")
    materials: Mapped[list[Material]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="Material.position")


class Material(Base):
    """申请材料 of the working copy: its name, where it comes from (source + ref), whether it is required."""

    __tablename__ = "item_materials"
    __table_args__ = (UniqueConstraint("implementation_id", "position", name="uq_item_materials_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    implementation_id: Mapped[int] = mapped_column(ForeignKey("item_implementations.id", ondelete="CASCADE"),
                                                   index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))  # upload / licence / shared / bundle / waived
    ref: Mapped[str] = mapped_column(String(512), default="")  # licence type, resource:items, item code
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")  # for waived: the rule that waived it


class ImplementationVersion(Base):
    """A published state of an implementation, kept whole when the next version is published."""

    __tablename__ = "item_implementation_versions"
    __table_args__ = (UniqueConstraint("implementation_id", "version", name="uq_item_implementation_versions"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    implementation_id: Mapped[int] = mapped_column(ForeignKey("item_implementations.id", ondelete="CASCADE"),
                                                   index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    change_note: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the approving reviewer


class Bundle(Base):
    """一件事: items of several departments around one life or business event, with one lead department."""

    __tablename__ = "item_bundles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    event: Mapped[str] = mapped_column(String(64))  # the life or business event
    audience: Mapped[str] = mapped_column(String(16))  # person / enterprise
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))  # 牵头部门
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    guide: Mapped[str] = mapped_column(Text, default="")  # 办事指南 of the bundle
    status: Mapped[str] = mapped_column(String(16), default="published")  # draft / published / retired
    # 联合审批: what one department's refusal does to the joint case — any_refusal (the whole case is refused)
    # or all_must_decide (every department decides; 准予 for the approved members, 不予 for the refused ones).
    joint_policy: Mapped[str] = mapped_column(String(16), default="any_refusal", server_default="any_refusal")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    lead_department: Mapped[Department] = relationship(lazy="joined")
    members: Mapped[list[BundleMember]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="BundleMember.position")


class BundleMember(Base):
    """A member item of a bundle and the condition on the applicant's answers under which it applies."""

    __tablename__ = "item_bundle_members"
    __table_args__ = (UniqueConstraint("bundle_id", "basic_item_id", name="uq_item_bundle_members_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("item_bundles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    basic_item_id: Mapped[int] = mapped_column(ForeignKey("item_basic.id"))
    condition_field: Mapped[str | None] = mapped_column(String(64))  # None: the member always applies
    condition_op: Mapped[str | None] = mapped_column(String(4))
    condition_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    condition_label: Mapped[str] = mapped_column(String(255), default="")

    basic: Mapped[BasicItem] = relationship(lazy="joined")


class ItemEvent(Base):
    """A life event (人生事) or business event (企业事) that groups items on the portal."""

    __tablename__ = "item_events"
    __table_args__ = (UniqueConstraint("kind", "name", name="uq_item_events_kind_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # life / business
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)


class ItemEventItem(Base):
    """An item of an event, in order."""

    __tablename__ = "item_event_items"

    event_id: Mapped[int] = mapped_column(ForeignKey("item_events.id", ondelete="CASCADE"), primary_key=True)
    basic_item_id: Mapped[int] = mapped_column(ForeignKey("item_basic.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
