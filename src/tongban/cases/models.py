"""Tables of the cases domain (办件): applications, their materials and their timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base, utcnow

_BIG = BigInteger().with_variant(Integer, "sqlite")

# Case statuses (办件状态) and their Chinese names.
DRAFT, SUBMITTED, SUPPLEMENT, ACCEPTED, REVIEWED = "draft", "submitted", "supplement", "accepted", "reviewed"
REJECTED, DECIDED, CLOSED, DELIVERED, WITHDRAWN = "rejected", "decided", "closed", "delivered", "withdrawn"
STATUS_LABELS = {
    DRAFT: "草稿", SUBMITTED: "已提交待受理", SUPPLEMENT: "待补正", ACCEPTED: "已受理", REVIEWED: "已审查待决定",
    REJECTED: "不予受理", DECIDED: "已决定", CLOSED: "已办结", DELIVERED: "已送达", WITHDRAWN: "已撤回",
}
#: Statuses in which the case is still being handled (a decision may come).
OPEN = (SUBMITTED, SUPPLEMENT, ACCEPTED, REVIEWED)
#: Statuses the applicant may still withdraw from (before the decision).
WITHDRAWABLE = (DRAFT, SUBMITTED, SUPPLEMENT, ACCEPTED, REVIEWED)


class Case(Base):
    """One application (办件): for an item implementation, or a bundle (一件事) whose sub-cases link to it."""

    __tablename__ = "cases"
    __table_args__ = (
        # The window clerk's queue: a department's cases in a status, oldest submission first.
        Index("ix_cases_department_status_submitted", "department_id", "status", "submitted_at"),
        # My cases (applicant), newest first.
        Index("ix_cases_applicant_created", "applicant_user_id", "created_at"),
        # The deemed-acceptance sweep: submitted cases whose five working days have passed.
        Index("ix_cases_status_accept_due", "status", "accept_due_on"),
        # The reviewer's task list: from a ready task (workflow_tasks) to its case (migration 0024).
        Index("ix_cases_workflow_instance_id", "workflow_instance_id"),
        # 电子监察's 流程 checks: the recently decided cases, the recently deemed acceptances (migration 0028).
        Index("ix_cases_decided_at", "decided_at"),
        Index("ix_cases_deemed_accepted_at", "deemed_accepted", "accepted_at"),
    )

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)  # 办件编号 (at submission)
    check_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the 查询码 (anonymous lookup)
    applicant_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    applicant_kind: Mapped[str] = mapped_column(String(12))  # person / entity
    applicant_name: Mapped[str] = mapped_column(String(128))
    applicant_code: Mapped[str] = mapped_column(String(32))  # resident ID or USCC
    applicant_code_type: Mapped[str] = mapped_column(String(16))  # resident_id / uscc
    implementation_id: Mapped[int | None] = mapped_column(ForeignKey("item_implementations.id"), index=True)
    implementation_version: Mapped[int] = mapped_column(Integer, default=0)
    item_code: Mapped[str] = mapped_column(String(32))  # 事项编码 or the bundle's code
    item_name: Mapped[str] = mapped_column(String(128))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the guide as published, at submission
    bundle_code: Mapped[str | None] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    lane: Mapped[str | None] = mapped_column(String(16))  # a joint sub-case's lane in its parent's process
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    channel: Mapped[str] = mapped_column(String(8), default="网上")  # 网上 / 窗口
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the clerk of a 窗口收件
    form_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    process_key: Mapped[str | None] = mapped_column(String(16))  # immediate / promised / joint
    workflow_instance_id: Mapped[int | None] = mapped_column(_BIG)
    accept_due_on: Mapped[dt.date | None] = mapped_column(Date)  # mirrors of the clocks (lists sort on them)
    legal_due_on: Mapped[dt.date | None] = mapped_column(Date)
    promised_due_on: Mapped[dt.date | None] = mapped_column(Date)
    suspended_reason: Mapped[str | None] = mapped_column(String(16))  # 听证, 检测检验, 专家评审, 公示
    supplement_notice: Mapped[list[Any] | None] = mapped_column(JSON)  # the one 补正 notice: what is missing
    supplement_notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    deemed_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    decision: Mapped[str | None] = mapped_column(String(8))  # approve / refuse (reject: 不予受理)
    reason: Mapped[str] = mapped_column(Text, default="")
    remedies: Mapped[str] = mapped_column(Text, default="")
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CaseMaterial(Base):
    """A material of a case (申请材料): what the item asks, and how the applicant provided it."""

    __tablename__ = "case_materials"

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(_BIG, ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))  # the item's: upload / licence / shared / bundle / waived
    ref: Mapped[str] = mapped_column(String(512), default="")
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    provided: Mapped[str] = mapped_column(String(12), default="none")  # none / upload / licence / shared / waived
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_kind: Mapped[str | None] = mapped_column(String(8))
    licence_identifier: Mapped[str | None] = mapped_column(String(128))
    shared_ref: Mapped[str | None] = mapped_column(String(128))  # the exchange log entry of fetched data
    confirmed_by_applicant: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CaseEvent(Base):
    """A line of the case's timeline (办理过程): who did what, when."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(_BIG, ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(64))  # Chinese: 提交申请, 受理, 补正告知 …
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


#: Fee records (收费登记): a charge, or a refund that corrects one (stored negative).
CHARGE, REFUND = "charge", "refund"
FEE_KIND_LABELS = {CHARGE: "收费", REFUND: "退费"}


class CaseFee(Base):
    """A fee taken or refunded on a case (收费登记), in fen, with its receipt (票据号) and who recorded it.
    Rows are never changed: a wrong charge is corrected by a refund, so the record of what happened stays."""

    __tablename__ = "case_fees"
    __table_args__ = (
        Index("ix_case_fees_case_id", "case_id", "id"),
        # 电子监察's 收费 check starts from the recent records, not from the cases.
        Index("ix_case_fees_recorded_at", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(_BIG, ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # charge / refund
    amount_fen: Mapped[int] = mapped_column(_BIG)  # signed: a refund is negative
    receipt_number: Mapped[str] = mapped_column(String(64), default="")  # 票据号
    note: Mapped[str] = mapped_column(Text, default="")
    department_id: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
