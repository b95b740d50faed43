"""电子监察: the rules an administrator edits (scope, type, level, condition, action, recipients) and the alerts
the sweep raises on cases, one per case and rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base, utcnow

_BIG = BigInteger().with_variant(Integer, "sqlite")

# Scope: where a rule applies.
CITY, DEPARTMENT, ITEM = "city", "department", "item"
SCOPE_LABELS = {CITY: "全市", DEPARTMENT: "部门", ITEM: "事项"}
# Types. 时效: near the promised deadline, past the promised deadline, past the legal deadline.
PROMISED_NEAR, PROMISED_OVERDUE, LEGAL_OVERDUE = "promised_near", "promised_overdue", "legal_overdue"
PROCESS, FEE, MATERIAL = "process", "fee", "material"
TIMING_KINDS = (PROMISED_NEAR, PROMISED_OVERDUE, LEGAL_OVERDUE)
# 流程, one check each, or "process" for all of them (supervision/checks.py says which can happen and why).
PROCESS_DEEMED, PROCESS_SEPARATION, PROCESS_DELIVERY = "process_deemed", "process_separation", "process_delivery"
PROCESS_KINDS = (PROCESS, PROCESS_DEEMED, PROCESS_SEPARATION, PROCESS_DELIVERY)
KIND_LABELS = {PROMISED_NEAR: "时效：临近承诺期限", PROMISED_OVERDUE: "时效：超过承诺期限",
               LEGAL_OVERDUE: "时效：超过法定期限", PROCESS: "流程：全部检查",
               PROCESS_DEEMED: "流程：逾期未受理（视为受理）", PROCESS_SEPARATION: "流程：审查与决定未分离",
               PROCESS_DELIVERY: "流程：决定后逾期未送达", FEE: "收费：与收费标准不一致", MATERIAL: "材料"}
# Levels, lowest first.
REMIND, YELLOW, RED = "remind", "yellow", "red"
LEVELS = (REMIND, YELLOW, RED)
LEVEL_LABELS = {REMIND: "提醒", YELLOW: "预警（黄灯）", RED: "报警（红灯）"}
# Actions and recipients (the escalation chain, in order).
NOTIFY, RECORD = "notify", "record"
ACTION_LABELS = {NOTIFY: "记录并通知", RECORD: "仅记录"}
HANDLER, DEPT_ADMIN, SUPERVISOR = "handler", "dept_admin", "supervisor"
RECIPIENT_LABELS = {HANDLER: "承办人员", DEPT_ADMIN: "部门负责人", SUPERVISOR: "监察人员"}
# Alert states. CLOSED: closed by the supervisor with an outcome; the sweep neither reopens nor escalates it
# while its condition keeps holding (the same episode), and clears it when the condition ends.
OPEN, CLEARED, CLOSED = "open", "cleared", "closed"
ALERT_STATE_LABELS = {OPEN: "未处理", CLEARED: "已消除", CLOSED: "已关闭"}
# Outcomes of closing an alert (办结预警).
URGED, EXPLAINED, FALSE_ALARM, OTHER = "urged", "explained", "false_alarm", "other"
OUTCOME_LABELS = {URGED: "已督促办结", EXPLAINED: "已说明理由", FALSE_ALARM: "误报", OTHER: "其他"}
# 督办 (supervision order) states.
ISSUED, ANSWERED, RETURNED, CONCLUDED = "issued", "answered", "returned", "concluded"
ORDER_STATE_LABELS = {ISSUED: "待答复", ANSWERED: "已答复待审核", RETURNED: "已退回待重新答复", CONCLUDED: "已办结"}
AWAITING_ANSWER = (ISSUED, RETURNED)


class SupervisionRule(Base):
    """One rule. The condition is `days` working days (before the deadline for 临近, after it for 超过) or,
    for 临近, `share` percent of the time limit used; `escalate_days` working days after each notice the
    next recipient in `recipients` is told while the alert stays open."""

    __tablename__ = "supervision_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(16), default=CITY)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    item_code: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    level: Mapped[str] = mapped_column(String(8))
    days: Mapped[int | None] = mapped_column(Integer)
    share: Mapped[int | None] = mapped_column(Integer)  # percent of the time limit
    action: Mapped[str] = mapped_column(String(8), default=NOTIFY)
    recipients: Mapped[list[Any]] = mapped_column(JSON, default=list)
    escalate_days: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SupervisionAlert(Base):
    """An alert of one rule on one case: raised once, cleared when the condition no longer holds, raised
    again on the same row if it holds again. `step` counts the recipients told so far; `notified_on` is the
    day of the last notice (escalation counts working days from it)."""

    __tablename__ = "supervision_alerts"
    __table_args__ = (
        UniqueConstraint("case_id", "rule_id", name="uq_supervision_alerts_case_rule"),
        Index("ix_supervision_alerts_state_case", "state", "case_id"),
    )

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("supervision_rules.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(_BIG, ForeignKey("cases.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(8), default=OPEN)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    raised_on: Mapped[dt.date] = mapped_column(Date)
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    step: Mapped[int] = mapped_column(Integer, default=0)
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    clear_reason: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(16), default="")  # when closed: OUTCOME_LABELS
    outcome_note: Mapped[str] = mapped_column(String(500), default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SupervisionOrder(Base):
    """督办: the supervisor orders the case's department to explain (`requirement`) by `due_on` (working days
    from issue); the department answers, the supervisor concludes it or sends it back. `late` records an answer
    given after the deadline (逾期答复); an unanswered order past its deadline is overdue (computed on read)."""

    __tablename__ = "supervision_orders"
    __table_args__ = (Index("ix_supervision_orders_department_state", "department_id", "state", "due_on"),
                      Index("ix_supervision_orders_state_due", "state", "due_on"))

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # 督办编号 DB + YYYYMMDD + sequence
    case_id: Mapped[int] = mapped_column(_BIG, ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    alert_id: Mapped[int | None] = mapped_column(_BIG, ForeignKey("supervision_alerts.id", ondelete="SET NULL"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    state: Mapped[str] = mapped_column(String(12), default=ISSUED)
    requirement: Mapped[str] = mapped_column(String(1000))
    days: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str] = mapped_column(String(2000), default="")
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    returns: Mapped[int] = mapped_column(Integer, default=0)
    review_note: Mapped[str] = mapped_column(String(500), default="")
    concluded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
