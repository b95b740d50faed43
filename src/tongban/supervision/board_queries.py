"""Read models of the supervisor's board (监察看板): open alerts counted and listed, a case's full timeline, the
督办 list and one 督办. Department heads get the same views restricted to their department.

An unanswered 督办 past its deadline is overdue by a comparison of its deadline with today, computed here on
every read rather than flagged by the sweep: it is exact at any hour (a job's flag is stale until its next
run), costs one indexed range (state, due_on), and needs no write that could disagree with the deadline.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from tongban.audit.models import AuditEntry
from tongban.authz import Actor, Permission
from tongban.cases.models import STATUS_LABELS as CASE_STATUS_LABELS
from tongban.cases.models import Case, CaseEvent
from tongban.clock import today
from tongban.errors import NotFound
from tongban.org.models import Department, User
from tongban.schema_types import UtcDateTime
from tongban.supervision.models import (
    ALERT_STATE_LABELS,
    ANSWERED,
    AWAITING_ANSWER,
    LEVEL_LABELS,
    LEVELS,
    OPEN,
    ORDER_STATE_LABELS,
    OUTCOME_LABELS,
    RECIPIENT_LABELS,
    RED,
    YELLOW,
    SupervisionAlert,
    SupervisionOrder,
    SupervisionRule,
)
from tongban.supervision.permissions import board_scope, can_answer, can_see_department, require_order_visible

MAX_SIZE = 200


class DepartmentCount(BaseModel):
    department_id: int
    department: str
    red: int
    yellow: int
    remind: int
    total: int


class ItemCount(BaseModel):
    item_code: str
    item_name: str
    level: str
    level_label: str
    count: int


class AlertRow(BaseModel):
    id: int
    case_number: str
    item_code: str
    item_name: str
    department_id: int
    department: str
    level: str
    level_label: str
    rule: str
    raised_on: dt.date
    due_on: dt.date | None
    step: int
    step_label: str  # 尚未通知 / 已通知至 部门负责人（第 2 步）


class AlertPage(BaseModel):
    items: list[AlertRow]
    total: int
    page: int
    size: int


class OrderRow(BaseModel):
    number: str
    case_number: str
    item_name: str
    department: str
    state: str
    state_label: str
    requirement: str
    issued_on: dt.date
    due_on: dt.date
    overdue: bool  # unanswered past its deadline
    late: bool  # answered after its deadline (逾期答复)
    answered_on: dt.date | None


class OrderPage(BaseModel):
    items: list[OrderRow]
    total: int
    overdue: int
    page: int
    size: int


class CallbackGap(BaseModel):
    """A department whose named bad ratings were not all called back (好差评回访率 below 100 %)."""

    department: str
    named_bad: int
    called_back: int
    rate: str


class Board(BaseModel):
    scope: str  # 全市 or the department's name
    department_id: int | None
    item_code: str | None
    level: str | None
    departments: list[DepartmentCount]
    items: list[ItemCount]
    alerts: AlertPage
    orders: OrderPage
    callback_gaps: list[CallbackGap] | None  # None: the ratings domain offers no figures yet
    can_oversee: bool
    level_labels: dict[str, str]


def _department_names(session: Session) -> dict[int, str]:
    return {i: n for i, n in session.execute(select(Department.id, Department.name))}


def _step_label(rule: SupervisionRule, step: int) -> str:
    if step <= 0 or not rule.recipients:
        return "尚未通知" if rule.action == "notify" else "仅记录"
    kind = rule.recipients[min(step, len(rule.recipients)) - 1]
    return f"已通知至{RECIPIENT_LABELS.get(kind, kind)}（第 {step} 步）"


_SEVERITY = case((SupervisionAlert.level == RED, 0), (SupervisionAlert.level == YELLOW, 1), else_=2)


def alert_page(session: Session, actor: Actor, *, department_id: int | None = None, item_code: str | None = None,
               level: str | None = None, page: int = 1, size: int = 50) -> AlertPage:
    """Open alerts, red first, then the oldest; filtered by department, item and level."""
    department_id = board_scope(actor, department_id)
    size = max(1, min(size, MAX_SIZE))
    conditions: list[ColumnElement[bool]] = [SupervisionAlert.state == OPEN]
    if department_id is not None:
        conditions.append(SupervisionAlert.department_id == department_id)
    if item_code:
        conditions.append(Case.item_code == item_code)
    if level:
        conditions.append(SupervisionAlert.level == level)
    base = (select(SupervisionAlert, SupervisionRule, Case)
            .join(SupervisionRule, SupervisionRule.id == SupervisionAlert.rule_id)
            .join(Case, Case.id == SupervisionAlert.case_id).where(*conditions))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    names = _department_names(session)
    rows = session.execute(base.order_by(_SEVERITY, SupervisionAlert.raised_on, SupervisionAlert.id)
                           .offset((page - 1) * size).limit(size)).all()
    items = [AlertRow(id=a.id, case_number=c.number or "", item_code=c.item_code, item_name=c.item_name,
                      department_id=a.department_id, department=names.get(a.department_id, ""), level=a.level,
                      level_label=LEVEL_LABELS.get(a.level, a.level), rule=r.name, raised_on=a.raised_on,
                      due_on=a.due_on, step=a.step, step_label=_step_label(r, a.step)) for a, r, c in rows]
    return AlertPage(items=items, total=total, page=page, size=size)


def _order_row(order: SupervisionOrder, case_: Case, department: str, day: dt.date) -> OrderRow:
    return OrderRow(number=order.number, case_number=case_.number or "", item_name=case_.item_name,
                    department=department, state=order.state, state_label=ORDER_STATE_LABELS[order.state],
                    requirement=order.requirement, issued_on=order.issued_on, due_on=order.due_on,
                    overdue=order.state in AWAITING_ANSWER and day > order.due_on, late=order.late,
                    answered_on=order.answered_on)


def order_page(session: Session, actor: Actor, *, department_id: int | None = None, state: str | None = None,
               overdue_only: bool = False, page: int = 1, size: int = 50) -> OrderPage:
    """督办 list: the supervisor's all (or one department's), a department's own; overdue first, then by
    deadline. Handlers who answer 督办 see their department's too."""
    scope = actor.department_scope(Permission.SUPERVISION_READ)
    answer_scope = actor.department_scope(Permission.SUPERVISION_ANSWER)
    if scope is None:
        departments = None if department_id is None else {department_id}
    else:
        departments = set(scope) | set(answer_scope or ())
        if department_id is not None:
            if not can_see_department(actor, department_id):
                actor.require_in_department(Permission.SUPERVISION_READ, department_id)
            departments = {department_id}
        if not departments:
            actor.require(Permission.SUPERVISION_READ)
    size = max(1, min(size, MAX_SIZE))
    day = today()
    conditions: list[ColumnElement[bool]] = []
    if departments is not None:
        conditions.append(SupervisionOrder.department_id.in_(sorted(departments)))
    if state:
        conditions.append(SupervisionOrder.state == state)
    overdue_expr = and_(SupervisionOrder.state.in_(AWAITING_ANSWER), SupervisionOrder.due_on < day)
    counted = select(func.count()).select_from(SupervisionOrder).where(*conditions)
    overdue = session.scalar(counted.where(overdue_expr)) or 0
    if overdue_only:
        conditions.append(overdue_expr)
    total = session.scalar(select(func.count()).select_from(SupervisionOrder).where(*conditions)) or 0
    rank = case((overdue_expr, 0), (SupervisionOrder.state.in_((*AWAITING_ANSWER, ANSWERED)), 1), else_=2)
    rows = session.execute(select(SupervisionOrder, Case).join(Case, Case.id == SupervisionOrder.case_id)
                           .where(*conditions).order_by(rank, SupervisionOrder.due_on, SupervisionOrder.id)
                           .offset((page - 1) * size).limit(size)).all()
    names = _department_names(session)
    return OrderPage(items=[_order_row(o, c, names.get(o.department_id, ""), day) for o, c in rows], total=total,
                     overdue=overdue, page=page, size=size)


def _callback_gaps(session: Session, department_id: int | None) -> list[CallbackGap] | None:
    """The ratings domain's 好差评回访率 below 100 % (tongban.ratings.queries.callback_gaps), when it offers it."""
    from tongban.ratings import queries as rating_queries

    gaps = getattr(rating_queries, "callback_gaps", None)
    if gaps is None:
        return None
    return [CallbackGap(department=str(getattr(g, "department_name", "")), named_bad=int(getattr(g, "bad", 0)),
                        called_back=int(getattr(g, "called_back", 0)), rate=str(getattr(g, "rate_label", "")))
            for g in gaps(session, department_id)]


def board(session: Session, actor: Actor, *, department_id: int | None = None, item_code: str | None = None,
          level: str | None = None, page: int = 1, size: int = 50) -> Board:
    """The board: open alerts by department and by item and level, the filtered list, the 督办 list (overdue
    first) and the departments whose bad ratings were not all called back."""
    scoped = board_scope(actor, department_id)
    level = level if level in LEVELS else None
    names = _department_names(session)
    open_ = [SupervisionAlert.state == OPEN]
    if scoped is not None:
        open_.append(SupervisionAlert.department_id == scoped)
    by_department: dict[int, dict[str, int]] = {}
    for dept, lvl, n in session.execute(select(SupervisionAlert.department_id, SupervisionAlert.level, func.count())
                                        .where(*open_).group_by(SupervisionAlert.department_id,
                                                                SupervisionAlert.level)):
        by_department.setdefault(dept, {})[lvl] = n
    departments = sorted((DepartmentCount(department_id=d, department=names.get(d, ""), red=c.get(RED, 0),
                                          yellow=c.get(YELLOW, 0), remind=c.get("remind", 0), total=sum(c.values()))
                          for d, c in by_department.items()), key=lambda x: (-x.red, -x.total, x.department))
    items = [ItemCount(item_code=code, item_name=name, level=lvl, level_label=LEVEL_LABELS.get(lvl, lvl), count=n)
             for code, name, lvl, n in session.execute(
                 select(Case.item_code, func.min(Case.item_name), SupervisionAlert.level, func.count())
                 .join(Case, Case.id == SupervisionAlert.case_id).where(*open_)
                 .group_by(Case.item_code, SupervisionAlert.level)
                 .order_by(_SEVERITY, func.count().desc(), Case.item_code))]
    return Board(scope=names.get(scoped, "") if scoped is not None else "全市", department_id=scoped,
                 item_code=item_code or None, level=level, departments=departments, items=items,
                 alerts=alert_page(session, actor, department_id=scoped, item_code=item_code, level=level, page=page,
                                   size=size),
                 orders=order_page(session, actor, department_id=scoped, page=1, size=20),
                 callback_gaps=_callback_gaps(session, scoped),
                 can_oversee=actor.has(Permission.SUPERVISION_OVERSEE), level_labels=dict(LEVEL_LABELS))


# ---------------------------------------------------------------- a case's timeline


class TimelineEntry(BaseModel):
    at: UtcDateTime
    source: str  # 办件 / 监察 / 督办
    title: str
    actor: str
    note: str = ""


class CaseAlert(BaseModel):
    id: int
    rule: str
    level: str
    level_label: str
    state: str
    state_label: str
    raised_on: dt.date
    step_label: str
    outcome: str  # 已督促办结 … when closed
    outcome_note: str


class CaseTimeline(BaseModel):
    case_number: str
    item_code: str
    item_name: str
    department: str
    status_label: str
    promised_due_on: dt.date | None
    legal_due_on: dt.date | None
    alerts: list[CaseAlert]
    orders: list[OrderRow]
    entries: list[TimelineEntry]
    can_oversee: bool
    outcomes: dict[str, str]


def _audit_title(action: str, d: dict[str, Any]) -> tuple[str, str, str]:
    """(source, title, note) of a supervision audit entry on the timeline."""
    rule, level = d.get("rule_name", ""), LEVEL_LABELS.get(str(d.get("level", "")), "")
    if action == "supervision.alert_raise":
        return "监察", f"触发{level}：{rule}", ""
    if action == "supervision.alert_clear":
        return "监察", f"预警消除：{rule}", str(d.get("reason", ""))
    if action == "supervision.alert_escalate":
        return "监察", f"预警升级：{rule}，通知{d.get('recipient', '')}", "、".join(map(str, d.get("people", [])))
    if action == "supervision.alert_close":
        return "监察", f"关闭预警：{rule}，处理结果：{d.get('outcome_label', '')}", str(d.get("note", ""))
    if action == "supervision.order_issue":
        return "督办", f"发出督办，{d.get('due_on', '')} 前答复", str(d.get("requirement", ""))
    if action == "supervision.order_answer":
        return "督办", "部门答复督办" + ("（逾期答复）" if d.get("late") else ""), str(d.get("explanation", ""))
    if action == "supervision.order_return":
        return "督办", "退回督办答复", str(d.get("note", ""))
    if action == "supervision.order_conclude":
        return "督办", "办结督办", str(d.get("note", ""))
    return "监察", action, ""


def case_timeline(session: Session, actor: Actor, number: str) -> CaseTimeline:
    """Everything that happened to one case: its events, the alerts raised, escalated, cleared and closed, and
    the 督办 steps, in time order (the audit log holds the supervision steps)."""
    actor.require(Permission.SUPERVISION_READ)
    case_ = session.scalar(select(Case).where(Case.number == number))
    if case_ is None or not actor.can_in_department(Permission.SUPERVISION_READ, case_.department_id):
        raise NotFound(f"未找到办件 {number}。", code="case_not_found")
    names = _department_names(session)
    entries = [TimelineEntry(at=e.at, source="办件", title=e.title, actor=e.actor_name)
               for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_.id))]
    orders = list(session.scalars(select(SupervisionOrder).where(SupervisionOrder.case_id == case_.id)
                                  .order_by(SupervisionOrder.id)))
    who = and_(AuditEntry.object_type == "case", AuditEntry.object_id == number,
               AuditEntry.action.like("supervision.%"))
    if orders:
        who = or_(who, and_(AuditEntry.object_type == "supervision_order",
                            AuditEntry.object_id.in_([o.number for o in orders])))
    for entry in session.scalars(select(AuditEntry).where(who)):
        source, title, note = _audit_title(entry.action, json.loads(entry.detail or "{}"))
        if entry.object_type == "supervision_order":
            title = f"{entry.object_id} {title}"
        entries.append(TimelineEntry(at=entry.occurred_at, source=source, title=title, actor=entry.actor_name,
                                     note=note))
    entries.sort(key=lambda e: e.at)
    alerts = [CaseAlert(id=a.id, rule=r.name, level=a.level, level_label=LEVEL_LABELS.get(a.level, a.level),
                        state=a.state, state_label=ALERT_STATE_LABELS.get(a.state, a.state), raised_on=a.raised_on,
                        step_label=_step_label(r, a.step), outcome=OUTCOME_LABELS.get(a.outcome, ""),
                        outcome_note=a.outcome_note)
              for a, r in session.execute(select(SupervisionAlert, SupervisionRule)
                                          .join(SupervisionRule, SupervisionRule.id == SupervisionAlert.rule_id)
                                          .where(SupervisionAlert.case_id == case_.id)
                                          .order_by(SupervisionAlert.state != OPEN, SupervisionAlert.id))]
    day = today()
    department = names.get(case_.department_id, "")
    return CaseTimeline(case_number=number, item_code=case_.item_code, item_name=case_.item_name,
                        department=department, status_label=CASE_STATUS_LABELS.get(case_.status, case_.status),
                        promised_due_on=case_.promised_due_on, legal_due_on=case_.legal_due_on, alerts=alerts,
                        orders=[_order_row(o, case_, department, day) for o in orders], entries=entries,
                        can_oversee=actor.has(Permission.SUPERVISION_OVERSEE), outcomes=dict(OUTCOME_LABELS))


# ---------------------------------------------------------------- one 督办


class OrderStep(BaseModel):
    at: UtcDateTime
    title: str
    actor: str
    note: str


class OrderDetail(BaseModel):
    order: OrderRow
    department_id: int
    days: int
    answer: str
    answered_by: str
    review_note: str
    returns: int
    issued_by: str
    steps: list[OrderStep]
    can_answer: bool
    can_review: bool


def order_detail(session: Session, actor: Actor, number: str) -> OrderDetail:
    """One 督办 with its steps; the department's people see the answer form, the supervisor the review."""
    order = session.scalar(select(SupervisionOrder).where(SupervisionOrder.number == number))
    if order is None:
        raise NotFound(f"未找到督办 {number}。", code="order_not_found")
    require_order_visible(actor, order.department_id, number)
    case_ = session.get(Case, order.case_id)
    assert case_ is not None
    users = {u.id: u.display_name for u in session.scalars(select(User).where(
        User.id.in_([i for i in (order.issued_by_id, order.answered_by_id) if i is not None])))}
    steps = [OrderStep(at=e.occurred_at, title=_audit_title(e.action, d := json.loads(e.detail or "{}"))[1],
                       actor=e.actor_name, note=_audit_title(e.action, d)[2])
             for e in session.scalars(select(AuditEntry).where(
                 AuditEntry.object_type == "supervision_order", AuditEntry.object_id == number)
                 .order_by(AuditEntry.seq))]
    names = _department_names(session)
    return OrderDetail(order=_order_row(order, case_, names.get(order.department_id, ""), today()),
                       department_id=order.department_id, days=order.days, answer=order.answer,
                       answered_by=users.get(order.answered_by_id or 0, ""), review_note=order.review_note,
                       returns=order.returns, issued_by=users.get(order.issued_by_id or 0, ""), steps=steps,
                       can_answer=order.state in AWAITING_ANSWER and can_answer(actor, order.department_id),
                       can_review=order.state == ANSWERED and actor.has(Permission.SUPERVISION_OVERSEE))

