"""Read models of the cases domain, one per page or list: my cases, the clerk's queue, the reviewer's tasks,
the case detail, the anonymous lookup. Identity numbers are masked; times are given in UTC (pages show
Beijing time); objects by their Chinese names and numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.audit.service import record
from tongban.authz import Actor, Permission
from tongban.cases import common
from tongban.cases.models import OPEN, STATUS_LABELS, SUBMITTED, SUPPLEMENT, Case, CaseEvent, CaseMaterial
from tongban.cases.service import SOURCE_LABELS
from tongban.clock import today
from tongban.errors import Forbidden, NotFound
from tongban.org.models import Department
from tongban.schema_types import UtcDateTime
from tongban.transactions import use_case
from tongban.workdays import clocks
from tongban.workdays.models import LegalClock
from tongban.workflow import diagram
from tongban.workflow import service as wf
from tongban.workflow.models import WorkflowTask

PROVIDED_LABELS = {"none": "未提供", "upload": "已上传", "licence": "电子证照调取", "shared": "共享数据调取",
                   "waived": "免于提交"}


def mask_code(code: str) -> str:
    """430102********1234: the first six and last four characters of an ID or credit code."""
    return code[:6] + "*" * max(len(code) - 10, 0) + code[-4:] if len(code) > 10 else "*" * len(code)


def mask_name(name: str) -> str:
    return name if len(name) > 5 else name[:1] + "*" * (len(name) - 1)  # an organisation's name stays whole


class CaseSummary(BaseModel):
    id: int
    number: str | None
    item_name: str
    item_code: str
    department_name: str
    status: str
    status_label: str
    channel: str
    applicant: str
    submitted_at: UtcDateTime | None
    accept_due_on: dt.date | None
    legal_due_on: dt.date | None
    promised_due_on: dt.date | None
    overdue: bool
    suspended_reason: str | None
    bundle: bool
    parent_number: str | None = None


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    page: int
    size: int


class TaskEntry(BaseModel):
    case: CaseSummary
    task: str
    task_title: str
    due_on: dt.date | None
    clock_note: str


class MaterialView(BaseModel):
    id: int
    name: str
    source: str
    source_label: str
    required: bool
    provided: str
    provided_label: str
    file_name: str | None
    confirmed_by_applicant: bool
    note: str


def material_view(m: CaseMaterial) -> MaterialView:
    """A case material as every case page shows it (its source and state in Chinese)."""
    return MaterialView(id=m.id, name=m.name, source=m.source, source_label=SOURCE_LABELS.get(m.source, m.source),
                        required=m.required, provided=m.provided,
                        provided_label=PROVIDED_LABELS.get(m.provided, m.provided), file_name=m.file_name,
                        confirmed_by_applicant=m.confirmed_by_applicant, note=m.note)


class EventView(BaseModel):
    at: UtcDateTime
    title: str
    actor: str
    detail: dict[str, Any]


class ClockView(BaseModel):
    name: str
    label: str
    state: str
    started_on: dt.date
    due_on: dt.date | None
    days: int
    used_days: int
    note: str


class TaskView(BaseModel):
    name: str
    title: str
    role: str
    due_on: dt.date | None
    department: str = ""  # who does it (several departments do 联合审批's 部门审批 at once)


class CaseDetail(BaseModel):
    summary: CaseSummary
    applicant_code: str
    form_data: dict[str, Any]
    materials: list[MaterialView]
    timeline: list[EventView]
    clocks: list[ClockView]
    tasks: list[TaskView]
    sub_cases: list[CaseSummary]
    supplement_notice: list[dict[str, Any]] | None
    decision: str | None
    reason: str
    remedies: str
    licence_id: int | None
    diagram_svg: str | None


class PublicStatus(BaseModel):
    number: str
    item_name: str
    department_name: str
    status_label: str
    submitted_at: UtcDateTime | None
    timeline: list[EventView]


def _departments(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Department.id, Department.name).where(Department.id.in_(ids))).all())


def _summaries(session: Session, cases: list[Case]) -> list[CaseSummary]:
    names = _departments(session, {c.department_id for c in cases})
    parents = {c.parent_id for c in cases if c.parent_id}
    parent_numbers = dict(session.execute(select(Case.id, Case.number).where(Case.id.in_(parents))).all()) \
        if parents else {}
    day = today()
    out = []
    for c in cases:
        due = c.promised_due_on or c.legal_due_on or c.accept_due_on
        out.append(CaseSummary(
            id=c.id, number=c.number, item_name=c.item_name, item_code=c.item_code,
            department_name=names.get(c.department_id, ""), status=c.status,
            status_label=STATUS_LABELS.get(c.status, c.status) + ("（视为受理）" if c.deemed_accepted else ""),
            channel=c.channel, applicant=mask_name(c.applicant_name), submitted_at=c.submitted_at,
            accept_due_on=c.accept_due_on, legal_due_on=c.legal_due_on, promised_due_on=c.promised_due_on,
            overdue=bool(due and due < day and c.status in OPEN), suspended_reason=c.suspended_reason,
            bundle=bool(c.bundle_code), parent_number=parent_numbers.get(c.parent_id) if c.parent_id else None))
    return out


def my_cases(session: Session, actor: Actor, *, page: int = 1, size: int = 20) -> CasePage:
    """The applicant's cases (sub-cases shown inside their bundle), newest first."""
    if actor.kind not in ("citizen", "enterprise"):
        raise Forbidden("只有申请人可以查看“我的办件”。", code="not_applicant")
    cond = (Case.applicant_user_id == actor.id, Case.parent_id.is_(None))
    total = session.scalar(select(func.count()).select_from(Case).where(*cond)) or 0
    rows = session.scalars(select(Case).where(*cond).order_by(Case.created_at.desc(), Case.id.desc())
                           .offset((page - 1) * size).limit(size)).all()
    return CasePage(items=_summaries(session, list(rows)), total=total, page=page, size=size)


def clerk_queue(session: Session, actor: Actor, *, status: str = SUBMITTED, page: int = 1,
                size: int = 50, item_code: str | None = None) -> CasePage:
    """The window clerk's acceptance queue (受理): the department's submitted (or 补正) cases, oldest first —
    one scan of ix_cases_department_status_submitted; `item_code` narrows it to one item."""
    if actor.department_id is None or not actor.acts_for(Permission.CASE_HANDLE, actor.department_id):
        raise Forbidden("只有部门的窗口受理人员和审批人员可以查看受理队列。", code="case_queue_forbidden")
    if status not in (SUBMITTED, SUPPLEMENT):
        status = SUBMITTED
    cond: tuple[Any, ...] = (Case.department_id == actor.department_id, Case.status == status)
    if item_code:
        cond = (*cond, Case.item_code == item_code)
    total = session.scalar(select(func.count()).select_from(Case).where(*cond)) or 0
    rows = session.scalars(select(Case).where(*cond).order_by(Case.submitted_at, Case.id)
                           .offset((page - 1) * size).limit(size)).all()
    return CasePage(items=_summaries(session, list(rows)), total=total, page=page, size=size)


def task_list(session: Session, actor: Actor, *, limit: int = 100) -> list[TaskEntry]:
    """The reviewer's (or clerk's) task list: the department's ready tasks of the actor's roles, soonest due
    first (the workflow's (department, role, due) index), with each case's clock."""
    if actor.department_id is None or not actor.acts_for(Permission.CASE_HANDLE, actor.department_id):
        raise Forbidden("只有部门的窗口受理人员和审批人员可以查看待办。", code="case_tasks_forbidden")
    mine = (select(WorkflowTask, Case).join(Case, Case.workflow_instance_id == WorkflowTask.instance_id)
            .where(WorkflowTask.department_id == actor.department_id, WorkflowTask.role.in_(sorted(actor.roles)),
                   Case.status.in_(OPEN)))
    # Soonest due first, undated last — as two queries, each read in the order of the (department, role, due)
    # index, so that a department with thousands of open tasks reads only the first page (sorting all of them
    # took 300 ms at a million cases: bench/cases.py).
    rows = list(session.execute(mine.where(WorkflowTask.due_date.is_not(None))
                                .order_by(WorkflowTask.due_date, WorkflowTask.id).limit(limit)).all())
    if len(rows) < limit:
        rows += session.execute(mine.where(WorkflowTask.due_date.is_(None)).order_by(WorkflowTask.id)
                                .limit(limit - len(rows))).all()
    summaries = _summaries(session, [c for _, c in rows])
    # The joint cases' sub-cases and every case's clocks in one query each, not one per task (bench/cases.py).
    ids = [c.id for _, c in rows]
    joint = [c.id for t, c in rows if common.sub_case_lane(t.lane) is not None]
    subs = {(s.parent_id, s.lane): s for s in session.scalars(select(Case).where(
        Case.parent_id.in_(joint), Case.lane.is_not(None)))} if joint else {}
    sub_summaries = dict(zip(subs, _summaries(session, list(subs.values())), strict=True))
    held = {(k.owner_id, k.name): k for k in session.scalars(select(LegalClock).where(
        LegalClock.owner_type == common.OWNER, LegalClock.owner_id.in_(ids)))} if ids else {}
    out = []
    for (task, case), summary in zip(rows, summaries, strict=True):
        target = summary
        lane = common.sub_case_lane(task.lane)
        if lane is not None:  # a joint case: the department decides its own sub-case
            target = sub_summaries.get((case.id, lane), summary)
        name = common.LEGAL if case.legal_due_on else common.ACCEPT
        row = held.get((case.id, common.PROMISED)) or held.get((case.id, name))
        out.append(TaskEntry(case=target, task=task.name, task_title=task.title, due_on=task.due_date,
                             clock_note=clocks.note(row) if row is not None else ""))
    return out


@use_case
def case_detail(session: Session, actor: Actor, case_id: int) -> CaseDetail:
    """Everything the case page shows; a staff read of personal data is audited — a use-case, so that the
    entry commits when a GET reads the case (the request's session rolls back whatever is left)."""
    case = common.readable_case(session, actor, case_id)
    if actor.is_staff:
        record(session, actor=actor, action="case.read", object_type="case", object_id=case.number or case.id,
               purpose="办件办理")
    [summary] = _summaries(session, [case])
    mats = [material_view(m) for m in common.materials(session, case)]
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()
    timeline = [EventView(at=e.at, title=e.title, actor=e.actor_name if e.actor_kind in ("staff", "system")
                          else "申请人", detail=e.detail) for e in events]
    clock_views = []
    for name in (common.ACCEPT, common.LEGAL, common.PROMISED, common.DELIVERY):
        row = common.clock(session, case, name)
        if row is not None:
            clock_views.append(ClockView(name=name, label=common.CLOCK_LABELS[name], state=row.state,
                                         started_on=row.started_on, due_on=row.due_on,
                                         days=row.days + row.extended_days, used_days=row.used_days,
                                         note=clocks.note(row)))
    instance_id = case.workflow_instance_id
    if instance_id is None and case.lane is not None and case.parent_id:
        instance_id = session.scalar(select(Case.workflow_instance_id).where(Case.id == case.parent_id))
    ready = wf.ready_tasks(session, instance_id) if instance_id and case.status in OPEN else []
    by_id = _departments(session, {t.department_id for t in ready if t.department_id is not None})
    tasks = [TaskView(name=t.name, title=t.title, role=wf.role_label(t.role), due_on=t.due_date,
                      department=by_id.get(t.department_id, "") if t.department_id is not None else "")
             for t in ready]
    return CaseDetail(
        summary=summary, applicant_code=mask_code(case.applicant_code), form_data=case.form_data, materials=mats,
        timeline=timeline, clocks=clock_views, tasks=tasks,
        sub_cases=_summaries(session, common.children(session, case)),
        supplement_notice=case.supplement_notice, decision=case.decision, reason=case.reason,
        remedies=case.remedies, licence_id=case.licence_id,
        diagram_svg=diagram.instance_svg(session, instance_id) if instance_id else None)


def public_lookup(session: Session, actor: Actor, number: str, check_code: str) -> PublicStatus:
    """办件查询 for anyone with the number and the 查询码: status and timeline titles, nothing personal (the API
    limits the lookups per address)."""
    case = session.scalar(select(Case).where(Case.number == number.strip().upper()))
    if case is None or case.check_hash != common.check_hash(case.number or "", check_code):
        raise NotFound("办件编号或查询码不正确。", code="case_lookup_failed")
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()
    return PublicStatus(number=case.number or "", item_name=case.item_name,
                        department_name=_departments(session, {case.department_id}).get(case.department_id, ""),
                        status_label=STATUS_LABELS.get(case.status, case.status), submitted_at=case.submitted_at,
                        timeline=[EventView(at=e.at, title=e.title, actor="", detail={}) for e in events])
