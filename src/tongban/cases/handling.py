"""Use-cases of the handling departments (行政许可法 Art. 32, 42, 44, 45): 受理, 不予受理, 补正告知, 审查,
决定, 办结, 送达, and the special procedures that suspend the clock; deemed acceptance by the sweep.

Each transition checks the actor's department and role, then the process (409 in Chinese when the BPMN does
not allow it now), moves the clocks, writes the timeline and the audit in the one transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tongban.authz import Actor, Role
from tongban.cases import common, outcome
from tongban.cases.common import ACCEPT, DELIVERY, LEGAL, PROMISED, REMEDIES
from tongban.cases.models import (
    ACCEPTED,
    CLOSED,
    DECIDED,
    DELIVERED,
    OPEN,
    REJECTED,
    REVIEWED,
    STATUS_LABELS,
    SUBMITTED,
    SUPPLEMENT,
    Case,
)
from tongban.cases.schemas import Decision, Delivery, Refusal, Resumption, Review, SupplementRequest, Suspension
from tongban.cases.service import FETCHABLE, SOURCE_LABELS
from tongban.db import utcnow
from tongban.errors import Conflict, DomainError, InvalidTransition, ValidationFailed
from tongban.transactions import use_case
from tongban.workflow import service as wf

CLERK, REVIEWER = str(Role.WINDOW_CLERK), str(Role.REVIEWER)


def _not_sub_case(case: Case, what: str) -> None:
    if case.lane is not None:
        raise InvalidTransition(f"联合审批的子办件由牵头部门统一{what}，请在主办件上办理。", code="case_joint_sub_case")


def _followed_parent(case: Case, what: str) -> None:
    """A bundle whose sub-cases go their own ways (no joint process): its parent follows them (sync_parent)."""
    if case.bundle_code and case.parent_id is None and case.workflow_instance_id is None:
        raise InvalidTransition(f"该一件事的各事项由各部门分别{what}，主办件随子办件自动{what}，请在子办件上办理。",
                                code="case_bundle_parent")


def _legal_days(case: Case, session: Session) -> tuple[int, int]:
    """The legal and promised time limits of the case (a joint case: the longest of its members')."""
    if case.bundle_code and case.parent_id is None:
        subs = common.children(session, case)
        return (max((int(s.snapshot.get("legal_days") or 0) for s in subs), default=0),
                max((int(s.snapshot.get("promised_days") or 0) for s in subs), default=0))
    return int(case.snapshot.get("legal_days") or 0), int(case.snapshot.get("promised_days") or 0)


def _on_accepted(session: Session, case: Case, actor: Actor, *, deemed: bool = False) -> None:
    case.status, case.accepted_at, case.deemed_accepted = ACCEPTED, utcnow(), deemed
    common.stop_clocks(session, case, ACCEPT, note="已受理")
    legal, promised = _legal_days(case, session)
    common.start_clock(session, case, LEGAL, legal, actor)
    common.start_clock(session, case, PROMISED, promised, actor)
    if case.workflow_instance_id is not None:
        for name, due in common.due_dates(case).items():
            if name in common.ready_names(session, case):
                wf.set_due_date(session=session, instance_id=case.workflow_instance_id, task=name, due=due)
    for sub in common.children(session, case):
        if sub.lane is not None:
            sub.status, sub.accepted_at, sub.deemed_accepted = ACCEPTED, case.accepted_at, deemed
            common.event(session, sub, actor, "accept", "已受理（联合审批）", parent=case.number)


@use_case
def accept(*, session: Session, actor: Actor, case_id: int) -> Case:
    """受理."""
    case = common.handled_case(session, actor, case_id, CLERK)
    _not_sub_case(case, "受理")
    if case.process_key == "immediate":
        raise InvalidTransition("即办件在受理时即作出决定，请直接作出准予或不予许可的决定。", code="case_immediate")
    common.complete(session, case, "accept", common.participant(actor, case), {"acceptance": "accept"},
                    action_title="受理")
    _on_accepted(session, case, actor)
    common.event(session, case, actor, "accept", "受理")
    outcome.notice(session, case, "acceptance", actor)
    outcome.sync_parent(session, case, actor)
    return case


@use_case
def reject(*, session: Session, actor: Actor, case_id: int, refusal: Refusal) -> Case:
    """不予受理: with the reason and the applicant's remedies."""
    case = common.handled_case(session, actor, case_id, CLERK)
    _not_sub_case(case, "受理")
    if case.process_key == "immediate":
        common.complete(session, case, "accept_decide", common.participant(actor, case), {"decision": "reject"},
                        action_title="不予受理")
    else:
        common.complete(session, case, "accept", common.participant(actor, case), {"acceptance": "reject"},
                        action_title="不予受理")
    remedies = refusal.remedies or REMEDIES
    for c in [case, *[s for s in common.children(session, case) if s.lane is not None]]:
        c.status, c.decision, c.reason, c.remedies = REJECTED, "reject", refusal.reason, remedies
        c.decided_at = utcnow()
        common.stop_clocks(session, c, ACCEPT, LEGAL, PROMISED, note="不予受理")
        common.event(session, c, actor, "reject", "不予受理", reason=refusal.reason)
    outcome.notice(session, case, "rejection", actor)
    outcome.tell_applicant(session, case, "不予受理", refusal.reason)
    outcome.sync_parent(session, case, actor)
    return case


@use_case
def request_supplement(*, session: Session, actor: Actor, case_id: int, request: SupplementRequest) -> Case:
    """补正告知: one notice listing everything missing; the acceptance clock stops until the supplement."""
    case = common.handled_case(session, actor, case_id, CLERK)
    _not_sub_case(case, "受理")
    if case.supplement_notice is not None:
        raise Conflict("补正材料应一次性告知：该办件已发出过补正通知，不能再次要求补正。", code="supplement_once")
    by_id = {m.id: m for m in common.materials(session, case)}
    lines: list[dict[str, Any]] = []
    problems: list[str] = []
    for item in request.items:
        m = by_id.get(item.material_id)
        if m is None:
            problems.append(f"材料编号 {item.material_id} 不是本办件的材料")
            continue
        if item.how == "upload" and m.source in FETCHABLE:
            problems.append(f"“{m.name}”可通过{SOURCE_LABELS[m.source]}获取，不得要求申请人上传"
                            "（可选择“授权平台调取”）")
            continue
        lines.append({"material_id": m.id, "name": m.name, "how": item.how, "note": item.note})
    if problems:
        raise ValidationFailed("补正通知有误：" + "；".join(problems) + "。", code="supplement_fetchable",
                               detail={"field": "items", "problems": problems})
    if len({line["material_id"] for line in lines}) != len(lines):
        raise ValidationFailed("同一材料在补正通知中只能列一次。", code="supplement_duplicate",
                               detail={"field": "items"})
    common.complete(session, case, "accept", common.participant(actor, case), {"acceptance": "supplement"},
                    action_title="补正告知")
    case.status, case.supplement_notice, case.supplement_notified_at = SUPPLEMENT, lines, utcnow()
    common.suspend_clocks(session, case, (ACCEPT,), "补正", actor, note=request.note)
    common.event(session, case, actor, "request_supplement", "一次性告知补正", items=lines, note=request.note)
    outcome.notice(session, case, "supplement", actor)
    outcome.tell_applicant(session, case, "需要补正材料", "；".join(f"{x['name']}：{x['note'] or '请补正'}"
                                                                  for x in lines))
    return case


@use_case
def review(*, session: Session, actor: Actor, case_id: int, review_in: Review) -> Case:
    """审查: the reviewer's opinion (承诺件)."""
    case = common.handled_case(session, actor, case_id, REVIEWER)
    common.complete(session, case, "review", common.participant(actor, case), {"review_opinion": review_in.opinion},
                    action_title="审查")
    case.status = REVIEWED
    common.event(session, case, actor, "review", "审查", opinion=review_in.opinion)
    return case


@use_case
def decide(*, session: Session, actor: Actor, case_id: int, decision: Decision) -> Case:
    """决定 准予 / 不予 (with reason and remedies); 即办件 are accepted and decided in one step; the
    departments of a joint case each decide their sub-case in parallel, and the joint decision follows the
    process (one refusal decides the whole case)."""
    case = common.get_case(session, case_id)
    if case.process_key == "immediate":
        case = common.handled_case(session, actor, case_id, CLERK)
        if case.status != SUBMITTED:
            raise InvalidTransition(f"办件{STATUS_LABELS[case.status]}，不能作出决定。", code="case_not_open")
        common.complete(session, case, "accept_decide", common.participant(actor, case),
                        {"decision": decision.decision}, action_title="作出决定")
        _on_accepted(session, case, actor)
        common.event(session, case, actor, "accept", "受理")
        outcome.finish(session, case, actor, decision)
    elif case.lane is not None:
        case = common.handled_case(session, actor, case_id, REVIEWER)
        parent = common.get_case(session, case.parent_id or 0)
        common.complete(session, parent, _lane_task(session, parent, case), common.participant(actor, case),
                        action_title="作出审批意见", lane=common.process_lane(case), outcome=decision.decision)
        common.event(session, case, actor, "opinion", "准予" if decision.decision == "approve" else "不予许可",
                     reason=decision.reason)
        case.decision, case.reason = decision.decision, decision.reason
        end = common.end_event(session, parent)
        if end is not None:
            outcome.finish_joint(session, parent, actor, end, decision)
    else:
        case = common.handled_case(session, actor, case_id, REVIEWER)
        common.complete(session, case, "decide", common.participant(actor, case), {"decision": decision.decision},
                        action_title="作出决定")
        outcome.finish(session, case, actor, decision)
    return case


def _lane_task(session: Session, parent: Case, sub: Case) -> str:
    """The task of a joint sub-case's department in its parent's process: "approve" (one instance per
    department, version 2) or "approve_a" / "approve_b" (version 1); 409 when the department has none now."""
    if sub.status not in OPEN:
        raise InvalidTransition(f"办件{STATUS_LABELS[sub.status]}，不能再作出审批意见。", code="case_not_open")
    lane = common.process_lane(sub)
    ready = wf.ready_tasks(session, parent.workflow_instance_id) if parent.workflow_instance_id else []
    mine = [t.name for t in ready if t.lane == lane]
    if mine:
        return mine[0]
    if sub.decision is not None:
        raise InvalidTransition("本部门已对该子办件作出审批意见，正在等待其他部门。", code="workflow_not_now")
    now = "、".join(dict.fromkeys(t.title for t in ready)) or "无"
    raise InvalidTransition(f"当前不能作出审批意见：联合审批正在「{now}」这一步。", code="workflow_not_now")


@use_case
def suspend(*, session: Session, actor: Actor, case_id: int, suspension: Suspension) -> Case:
    """特别程序 (听证, 检测检验, 专家评审, 公示): the decision clocks stop with the reason."""
    case = common.handled_case(session, actor, case_id)
    if case.status not in (ACCEPTED, REVIEWED) or case.lane is not None:
        raise InvalidTransition("只有已受理、尚未决定的办件可以进入特别程序。", code="case_not_reviewing")
    if case.suspended_reason:
        raise InvalidTransition(f"办件已在{case.suspended_reason}中，请先恢复计时。", code="case_suspended")
    common.suspend_clocks(session, case, (LEGAL, PROMISED), suspension.reason, actor, note=suspension.note)
    case.suspended_reason = suspension.reason
    common.event(session, case, actor, "suspend", f"{suspension.reason}（暂停计时）", note=suspension.note)
    return case


@use_case
def resume(*, session: Session, actor: Actor, case_id: int, resumption: Resumption) -> Case:
    """特别程序结束: the decision clocks run again; their due days move by the suspended working days."""
    case = common.handled_case(session, actor, case_id)
    if not case.suspended_reason:
        raise InvalidTransition("办件未处于特别程序中。", code="case_not_suspended")
    common.resume_clocks(session, case, (LEGAL, PROMISED), actor, note=resumption.note)
    common.event(session, case, actor, "resume", f"{case.suspended_reason}结束（恢复计时）", note=resumption.note)
    case.suspended_reason = None
    return case


@use_case
def close(*, session: Session, actor: Actor, case_id: int) -> Case:
    """办结; a joint case's 办结 closes its sub-cases with it (the lead department closes the whole case)."""
    case = common.handled_case(session, actor, case_id)
    _not_sub_case(case, "办结")
    _followed_parent(case, "办结")
    if case.status != DECIDED:
        raise InvalidTransition(f"办件{STATUS_LABELS[case.status]}，只有已决定的办件可以办结。",
                                code="case_not_decided")
    case.status, case.closed_at = CLOSED, utcnow()
    common.event(session, case, actor, "close", "办结")
    outcome.carry_over(session, case, actor, "close", "办结")
    outcome.sync_parent(session, case, actor)
    return case


@use_case
def deliver(*, session: Session, actor: Actor, case_id: int, delivery: Delivery) -> Case:
    """送达: the result reached the applicant (e-delivery of the e-licence and the decision); a joint case's
    送达 delivers its sub-cases' results with it."""
    case = common.handled_case(session, actor, case_id)
    _not_sub_case(case, "送达")
    _followed_parent(case, "送达")
    if case.status not in (DECIDED, CLOSED):
        raise InvalidTransition(f"办件{STATUS_LABELS[case.status]}，尚无可送达的决定。", code="case_not_decided")
    if case.status == DECIDED:
        case.closed_at = utcnow()
    case.status, case.delivered_at = DELIVERED, utcnow()
    common.stop_clocks(session, case, DELIVERY, note=delivery.method)
    common.event(session, case, actor, "deliver", f"送达（{delivery.method}）")
    outcome.carry_over(session, case, actor, "deliver", f"送达（{delivery.method}）", method=delivery.method)
    outcome.sync_parent(session, case, actor)
    return case


def deem_accepted(session: Session, actor: Actor, case: Case) -> bool:
    """逾期未告知补正: a case not told of 补正 within five working days counts as accepted on receipt
    (行政许可法 Art. 32). Called by the sweep; True when the case was accepted."""
    if case.status != SUBMITTED or case.supplement_notice is not None or case.lane is not None:
        return False
    if "accept" not in common.ready_names(session, case):
        return False  # 即办件 are decided at the window; a case without the step is left to its handler
    common.complete(session, case, "accept", wf.Participant(role=CLERK, department_id=case.department_id),
                    {"acceptance": "accept"}, action_title="受理")
    _on_accepted(session, case, actor, deemed=True)
    common.event(session, case, actor, "deemed_accept", "逾期未告知补正，视为受理",
                 rule="行政许可法第三十二条：逾期不告知的，自收到申请材料之日起即为受理")
    try:
        # Nested use-case: a department without a usable seal undoes only the notice; the acceptance the law
        # deems made stands, and the timeline tells the department to issue the notice.
        outcome.notice(session, case, "acceptance", actor)
    except DomainError as exc:
        common.event(session, case, actor, "notice_failed", "受理通知书未能签发", reason=exc.message)
    outcome.sync_parent(session, case, actor)
    return True


__all__ = ["OPEN", "accept", "close", "decide", "deem_accepted", "deliver", "reject", "request_supplement", "resume",
           "review", "suspend"]
