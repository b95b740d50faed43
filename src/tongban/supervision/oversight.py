"""The supervisor's oversight use-cases: closing an alert with its outcome, and 督办 — an order to the case's
department to explain by a deadline in working days, answered by the department (late answers recorded as
逾期答复), concluded or sent back by the supervisor. Every step is audited and the other side told.

Only the supervisor (监察人员, `supervision.oversee`) closes alerts and issues or concludes 督办; the platform
admin does not act in the supervisor's place. Only the ordered department's head and handlers answer.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.cases.models import Case
from tongban.clock import today
from tongban.db import utcnow
from tongban.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from tongban.notifications import service as notifications
from tongban.numbering import DailySeries, next_number
from tongban.org.models import Department, User
from tongban.supervision import messages
from tongban.supervision.models import (
    ANSWERED,
    AWAITING_ANSWER,
    CLOSED,
    CONCLUDED,
    ISSUED,
    LEVEL_LABELS,
    OPEN,
    ORDER_STATE_LABELS,
    OTHER,
    OUTCOME_LABELS,
    RETURNED,
    SupervisionAlert,
    SupervisionOrder,
    SupervisionRule,
)
from tongban.supervision.permissions import can_answer, require_order_visible
from tongban.supervision.schemas import AlertClose, OrderAnswer, OrderIn, OrderReview
from tongban.transactions import use_case
from tongban.workdays import service as workdays

ORDER_SERIES = DailySeries("supervision_order", "DB")  # 督办编号 DB202612030001
ANSWERING_ROLES = ("dept_admin", "window_clerk", "reviewer")
ORDER_FIELD_LABELS = {"case_number": "办件编号", "alert_id": "预警", "days": "答复期限（工作日）",
                      "requirement": "督办事项", "explanation": "情况说明", "note": "意见", "outcome": "处理结果"}


# ---------------------------------------------------------------- closing an alert


@use_case
def close_alert(*, session: Session, actor: Actor, alert_id: int, close_in: AlertClose) -> SupervisionAlert:
    """Close an open alert with its outcome; the sweep keeps it closed while its condition holds."""
    actor.require(Permission.SUPERVISION_OVERSEE)
    alert = session.get(SupervisionAlert, alert_id)
    case = session.get(Case, alert.case_id) if alert is not None else None
    if alert is None or case is None:
        raise NotFound("未找到该预警。", code="alert_not_found")
    if close_in.outcome not in OUTCOME_LABELS:
        raise ValidationFailed("处理结果应为已督促办结、已说明理由、误报或其他。", code="invalid_outcome",
                               detail={"field": "outcome"})
    if close_in.outcome == OTHER and not close_in.note:
        raise ValidationFailed("处理结果为“其他”时，请填写说明。", code="outcome_note_required",
                               detail={"field": "note"})
    if alert.state != OPEN:
        raise InvalidTransition("该预警已消除或已关闭，无需再关闭。", code="alert_not_open")
    rule = session.get(SupervisionRule, alert.rule_id)
    alert.state, alert.outcome, alert.outcome_note = CLOSED, close_in.outcome, close_in.note
    alert.closed_at, alert.closed_by_id = utcnow(), actor.id
    audit.record(session, actor=actor, action="supervision.alert_close", object_type="case",
                 object_id=case.number or str(case.id),
                 detail={"alert": alert.id, "rule": rule.code if rule else "", "rule_name": rule.name if rule else "",
                         "level": alert.level, "outcome": close_in.outcome,
                         "outcome_label": OUTCOME_LABELS[close_in.outcome], "note": close_in.note})
    return alert


# ---------------------------------------------------------------- 督办


def _order(session: Session, actor: Actor, number: str) -> SupervisionOrder:
    order = session.scalar(select(SupervisionOrder).where(SupervisionOrder.number == number))
    if order is None:
        raise NotFound(f"未找到督办 {number}。", code="order_not_found")
    require_order_visible(actor, order.department_id, number)
    return order


def _facts(session: Session, order: SupervisionOrder) -> tuple[Case, str]:
    case = session.get(Case, order.case_id)
    department = session.get(Department, order.department_id)
    assert case is not None
    return case, department.name if department else ""


def _tell_department(session: Session, order: SupervisionOrder, template: str, **more: object) -> None:
    case, department = _facts(session, order)
    people = notifications.department_staff(session, order.department_id, roles=ANSWERING_ROLES)
    notifications.notify(session, template=template, recipients=people, personalisation={
        "number": order.number, "case_number": case.number or "", "title": case.item_name,
        "department": department, "due_on": order.due_on.isoformat(), "requirement": order.requirement, **more},
        reference=order.number, link=f"/supervision/orders/{order.number}")


def _audit(session: Session, actor: Actor, order: SupervisionOrder, action: str, **detail: object) -> None:
    case = session.get(Case, order.case_id)
    audit.record(session, actor=actor, action=f"supervision.{action}", object_type="supervision_order",
                 object_id=order.number, detail={"case": case.number if case else "", "state": order.state,
                                                 "state_label": ORDER_STATE_LABELS[order.state], **detail})


@use_case
def issue_order(*, session: Session, actor: Actor, order_in: OrderIn) -> SupervisionOrder:
    """督办: order the case's department to explain `requirement` within `days` working days."""
    actor.require(Permission.SUPERVISION_OVERSEE)
    case = session.scalar(select(Case).where(Case.number == order_in.case_number))
    if case is None:
        raise ValidationFailed(f"未找到办件 {order_in.case_number}，请核对办件编号。", code="case_not_found",
                               detail={"field": "case_number"})
    alert = None
    if order_in.alert_id is not None:
        alert = session.get(SupervisionAlert, order_in.alert_id)
        if alert is None or alert.case_id != case.id:
            raise ValidationFailed("所选预警不属于该办件。", code="alert_not_of_case", detail={"field": "alert_id"})
        pending = session.scalar(select(SupervisionOrder.number).where(
            SupervisionOrder.alert_id == alert.id, SupervisionOrder.state != CONCLUDED))
        if pending is not None:
            raise Conflict(f"该预警已有未办结的督办 {pending}，请在该督办中跟进。", code="order_pending")
    day = today()
    calendar = workdays.load(session)
    order = SupervisionOrder(case_id=case.id, alert_id=alert.id if alert else None, department_id=case.department_id,
                             state=ISSUED, requirement=order_in.requirement, days=order_in.days, issued_on=day,
                             due_on=calendar.add_working_days(day, order_in.days).due, issued_at=utcnow(),
                             issued_by_id=actor.id, answer="", late=False, returns=0, review_note="")
    order.number = next_number(session, ORDER_SERIES, day)
    session.add(order)
    session.flush()
    _audit(session, actor, order, "order_issue", due_on=order.due_on.isoformat(), days=order.days,
           requirement=order.requirement, alert=alert.id if alert else None,
           level=LEVEL_LABELS.get(alert.level, "") if alert else "")
    _tell_department(session, order, messages.ORDER_ISSUED.code)
    return order


@use_case
def answer_order(*, session: Session, actor: Actor, number: str, answer_in: OrderAnswer) -> SupervisionOrder:
    """The department's explanation, before or after the deadline (after it: recorded as 逾期答复)."""
    order = _order(session, actor, number)
    if not can_answer(actor, order.department_id):
        raise Forbidden("督办由被督办部门的负责人或承办人员答复。",
                        detail={"permission": str(Permission.SUPERVISION_ANSWER)})
    if order.state not in AWAITING_ANSWER:
        raise InvalidTransition(f"督办 {number} {ORDER_STATE_LABELS[order.state]}，现在不能答复。",
                                code="order_not_awaiting_answer")
    day = today()
    late = day > order.due_on
    order.state, order.answer, order.answered_on, order.answered_at = ANSWERED, answer_in.explanation, day, utcnow()
    order.answered_by_id, order.late = actor.id, order.late or late
    _audit(session, actor, order, "order_answer", late=late, due_on=order.due_on.isoformat(),
           explanation=answer_in.explanation)
    issuer = session.get(User, order.issued_by_id) if order.issued_by_id else None
    if issuer is not None:
        case, department = _facts(session, order)
        notifications.notify(session, template=messages.ORDER_ANSWERED.code, recipients=[issuer], personalisation={
            "number": order.number, "case_number": case.number or "", "department": department,
            "late": "（逾期答复）" if late else "", "answer": answer_in.explanation},
            reference=order.number, link=f"/supervision/orders/{order.number}")
    return order


def _reviewable(session: Session, actor: Actor, number: str) -> SupervisionOrder:
    actor.require(Permission.SUPERVISION_OVERSEE)
    order = _order(session, actor, number)
    if order.state != ANSWERED:
        raise InvalidTransition(f"督办 {number} {ORDER_STATE_LABELS[order.state]}，只有已答复的督办才能审核。",
                                code="order_not_answered")
    return order


@use_case
def conclude_order(*, session: Session, actor: Actor, number: str, review_in: OrderReview) -> SupervisionOrder:
    """办结督办: the supervisor accepts the department's answer."""
    order = _reviewable(session, actor, number)
    order.state, order.review_note, order.concluded_at = CONCLUDED, review_in.note, utcnow()
    _audit(session, actor, order, "order_conclude", note=review_in.note, late=order.late)
    _tell_department(session, order, messages.ORDER_CONCLUDED.code, note=review_in.note)
    return order


@use_case
def return_order(*, session: Session, actor: Actor, number: str, review_in: OrderReview) -> SupervisionOrder:
    """Send the answer back: the department answers again (the deadline stays; a later answer is late)."""
    order = _reviewable(session, actor, number)
    if not review_in.note:
        raise ValidationFailed("退回时请写明退回理由。", code="return_note_required", detail={"field": "note"})
    order.state, order.review_note, order.returns = RETURNED, review_in.note, order.returns + 1
    _audit(session, actor, order, "order_return", note=review_in.note)
    _tell_department(session, order, messages.ORDER_RETURNED.code, note=review_in.note)
    return order
