"""What the cases use-cases share: loading with permission checks, the timeline, the clocks, the workflow."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit.service import record
from tongban.authz import Actor, Permission, Role
from tongban.cases.models import Case, CaseEvent, CaseMaterial
from tongban.clock import today
from tongban.db import utcnow
from tongban.errors import Forbidden, InvalidTransition, NotFound
from tongban.workdays import clocks
from tongban.workdays.models import LegalClock
from tongban.workflow import service as wf

OWNER = "case"
#: The clocks of a case: 受理 (Art. 32: 补正 must be told within five working days), the legal and the promised
#: time limit of the decision (Art. 42, from acceptance), 送达 (Art. 44: ten working days after the decision).
ACCEPT, LEGAL, PROMISED, DELIVERY = "accept", "legal", "promised", "delivery"
ACCEPT_DAYS, DELIVERY_DAYS = 5, 10
CLOCK_LABELS = {ACCEPT: "受理期限", LEGAL: "法定办结期限", PROMISED: "承诺办结期限", DELIVERY: "送达期限"}
#: Special procedures (特别程序) that suspend the decision clocks (Art. 45).
SPECIAL_PROCEDURES = ("听证", "检测检验", "专家评审", "公示")
REMEDIES = ("如不服本决定，可以自收到本决定之日起六十日内依法申请行政复议，"
            "或者在六个月内依法向人民法院提起行政诉讼。")


def check_hash(number: str, code: str) -> str:
    """The stored form of a case's 查询码 (salted with the case number)."""
    return hashlib.sha256(f"{number}:{code.strip().upper()}".encode()).hexdigest()


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("未找到该办件。", code="case_not_found")
    return case


def own_case(session: Session, actor: Actor, case_id: int) -> Case:
    """The applicant's own case; another person's case is not found (no hint that it exists)."""
    case = get_case(session, case_id)
    if actor.kind not in ("citizen", "enterprise") or case.applicant_user_id != actor.id:
        raise NotFound("未找到该办件。", code="case_not_found")
    return case


def can_read(actor: Actor, case: Case) -> bool:
    if actor.kind in ("citizen", "enterprise"):
        return case.applicant_user_id == actor.id
    return actor.is_staff and (actor.can_in_department(Permission.CASE_READ, case.department_id)
                               or actor.acts_for(Permission.CASE_HANDLE, case.department_id))


def readable_case(session: Session, actor: Actor, case_id: int) -> Case:
    case = get_case(session, case_id)
    if not can_read(actor, case):
        raise NotFound("未找到该办件。", code="case_not_found")
    return case


def handled_case(session: Session, actor: Actor, case_id: int, role: str | None = None) -> Case:
    """A case of the actor's department that the actor may handle (in `role`, if named)."""
    case = get_case(session, case_id)
    if not actor.acts_for(Permission.CASE_HANDLE, case.department_id):
        if actor.is_staff and actor.can_in_department(Permission.CASE_READ, case.department_id):
            raise Forbidden("该办件由其他部门办理，或您没有办件办理权限。", code="case_other_department")
        raise NotFound("未找到该办件。", code="case_not_found")
    if role is not None and role not in actor.roles:
        raise Forbidden(f"这一步应由{wf.role_label(role)}办理。", code="case_wrong_role")
    return case


def participant(actor: Actor, case: Case) -> wf.Participant:
    """The actor as a workflow participant for this case's department (a clerk or a reviewer)."""
    roles = [str(r) for r in (Role.WINDOW_CLERK, Role.REVIEWER) if r in actor.roles]
    return wf.Participant(role=roles[0] if roles else "", department_id=actor.department_id,
                          other_roles=frozenset(roles[1:]))


def event(session: Session, case: Case, actor: Actor, action: str, title: str, **detail: Any) -> CaseEvent:
    """A line of the timeline and its audit entry, in the use-case's transaction."""
    row = CaseEvent(case_id=case.id, at=utcnow(), action=action, title=title, actor_kind=actor.kind,
                    actor_id=actor.id, actor_name=actor.name[:64], department_id=actor.department_id,
                    detail=dict(detail))
    session.add(row)
    case.updated_at = row.at
    record(session, actor=actor, action=f"case.{action}", object_type="case", object_id=case.number or case.id,
           detail={"status": case.status, **detail})
    return row


def materials(session: Session, case: Case) -> list[CaseMaterial]:
    return list(session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case.id)
                                .order_by(CaseMaterial.position, CaseMaterial.id)))


def children(session: Session, case: Case) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.parent_id == case.id).order_by(Case.id)))


# -- the workflow ---------------------------------------------------------------------------------------------

def ready_names(session: Session, case: Case) -> list[str]:
    if case.workflow_instance_id is None:
        return []
    return [t.name for t in wf.ready_tasks(session, case.workflow_instance_id)]


def complete(session: Session, case: Case, task: str, who: wf.Participant, data: Mapping[str, Any] | None = None,
             *, action_title: str, lane: str | None = None, outcome: str | None = None) -> None:
    """Do a workflow task of the case; 409 in Chinese when the process does not allow it now."""
    if case.workflow_instance_id is None:
        raise InvalidTransition(f"该办件当前不能{action_title}。", code="case_no_process")
    wf.complete(session=session, instance_id=case.workflow_instance_id, task=task, actor=who, data=data,
                due_dates=due_dates(case), lane=lane, outcome=outcome)


def end_event(session: Session, case: Case) -> str | None:
    from tongban.workflow.models import WorkflowInstance

    if case.workflow_instance_id is None:
        return None
    row = session.get(WorkflowInstance, case.workflow_instance_id)
    return row.end_event if row is not None else None


def due_dates(case: Case) -> dict[str, dt.date]:
    """The due day of each user task, from the case's clocks."""
    decision = case.promised_due_on or case.legal_due_on
    out: dict[str, dt.date] = {}
    if case.accept_due_on:
        out.update(accept=case.accept_due_on, accept_decide=case.accept_due_on)
    if decision:
        out.update(review=decision, decide=decision, approve=decision, approve_a=decision, approve_b=decision)
    return out


#: A joint sub-case's lane ("a", "b", "c" …) is the lane "dept_<lane>" of its parent's 联合审批 process (in
#: version 1 the two fixed lanes, in version 2 one per department).
JOINT_LANE_PREFIX = "dept_"


def process_lane(case: Case) -> str | None:
    """The lane of a joint sub-case in its parent's process, e.g. "dept_c"."""
    return f"{JOINT_LANE_PREFIX}{case.lane}" if case.lane is not None else None


def sub_case_lane(lane: str | None) -> str | None:
    """The sub-case lane of a joint process lane ("dept_c" → "c"); None for the other lanes."""
    if lane and lane.startswith(JOINT_LANE_PREFIX) and len(lane) > len(JOINT_LANE_PREFIX):
        return lane.removeprefix(JOINT_LANE_PREFIX)
    return None


# -- the clocks -----------------------------------------------------------------------------------------------

def clock(session: Session, case: Case, name: str) -> LegalClock | None:
    return clocks.get(session, OWNER, case.id, name)


def mirror(session: Session, clock_row: LegalClock) -> None:
    """Copy a clock's due day onto its case (lists sort and filter on these columns)."""
    case = session.get(Case, clock_row.owner_id)
    if case is None:
        return
    due = clock_row.due_on if clock_row.state != clocks.STOPPED else None
    if clock_row.name == ACCEPT:
        case.accept_due_on = due
    elif clock_row.name == LEGAL:
        case.legal_due_on = due
    elif clock_row.name == PROMISED:
        case.promised_due_on = due


def start_clock(session: Session, case: Case, name: str, days: int, actor: Actor) -> None:
    if days <= 0:
        return
    row = clocks.start(session, owner_type=OWNER, owner_id=case.id, days=days, start=today(), name=name,
                       stage=CLOCK_LABELS[name], warn_days=3 if name != ACCEPT else 1, actor_id=actor.id)
    mirror(session, row)


def stop_clocks(session: Session, case: Case, *names: str, note: str = "") -> None:
    for name in names:
        row = clock(session, case, name)
        if row is not None:
            clocks.stop(session, row, note=note)
            mirror(session, row)


def suspend_clocks(session: Session, case: Case, names: tuple[str, ...], reason: str, actor: Actor,
                   note: str = "") -> None:
    for name in names:
        row = clock(session, case, name)
        if row is not None and row.state == clocks.RUNNING:
            clocks.suspend(session, row, reason=reason, actor_id=actor.id, note=note)
            mirror(session, row)


def resume_clocks(session: Session, case: Case, names: tuple[str, ...], actor: Actor, note: str = "") -> None:
    for name in names:
        row = clock(session, case, name)
        if row is not None and row.state == clocks.SUSPENDED:
            clocks.resume(session, row, actor_id=actor.id, note=note)
            mirror(session, row)
