"""Read models of the staff pages of cases (窗口 and 审批): the acceptance queue and the task list with each
case's clock in working days, the case page with the actions the process allows now, the 窗口收件 applicant
search, a material's file, and the home-page cards. Built on queries.py; pages show Beijing time and the
case by its 办件编号, never an internal id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban import files
from tongban.audit.service import record
from tongban.authz import Actor, Permission
from tongban.cards import CardReads, in_list
from tongban.cases import common, queries
from tongban.cases.fees import FeeSheet, fee_sheet
from tongban.cases.models import (
    ACCEPTED,
    CLOSED,
    DECIDED,
    DRAFT,
    OPEN,
    REVIEWED,
    STATUS_LABELS,
    SUBMITTED,
    SUPPLEMENT,
    Case,
)
from tongban.cases.service import FETCHABLE, FILE_KIND
from tongban.clock import today
from tongban.documents import queries as documents
from tongban.documents.schemas import DocumentRead
from tongban.errors import Forbidden, NotFound
from tongban.items.models import BasicItem, Bundle, Implementation
from tongban.org.models import User
from tongban.registry import CaseBadge, platform
from tongban.transactions import use_case
from tongban.workdays import clocks
from tongban.workdays import service as workdays
from tongban.workflow import service as wf

QUEUE_STATUSES = ((SUBMITTED, "待受理"), (SUPPLEMENT, "待补正"))
QUEUE_PAGE_SIZE = 20
DELIVERY_METHODS = ("电子送达", "邮寄送达", "窗口领取")
SUPPLEMENT_HOW = {"upload": "重新上传", "correct": "更正内容", "fetch": "授权平台调取"}


class ClockBadge(BaseModel):
    """A case's governing clock as a list shows it: which limit, its due day and the working days left."""

    label: str
    due_on: dt.date | None
    state: str  # running / near / overdue / suspended / none
    text: str


class QueueRow(BaseModel):
    case: queries.CaseSummary
    clock: ClockBadge
    badges: list[CaseBadge] = []  # other domains' marks (the supervision light), tongban/registry.py


class QueuePage(BaseModel):
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    status: str
    item_code: str
    statuses: list[tuple[str, str]]
    items: list[tuple[str, str]]


class TaskRow(BaseModel):
    entry: queries.TaskEntry
    clock: ClockBadge
    badges: list[CaseBadge] = []


class TasksPage(BaseModel):
    rows: list[TaskRow]
    near: int
    overdue: int


class Actions(BaseModel):
    """What the actor may do on the case now (the process, the status and the actor's role agree)."""

    accept: bool = False
    reject: bool = False
    supplement: bool = False
    decide_at_window: bool = False  # 即办件: accepted and decided at once by the clerk
    review: bool = False
    decide: bool = False
    suspend: bool = False
    resume: bool = False
    close: bool = False
    deliver: bool = False

    @property
    def any(self) -> bool:
        return any(getattr(self, name) for name in type(self).model_fields)


class SupplementOption(BaseModel):
    """A material in the 补正 notice builder; a fetchable one offers no upload."""

    material_id: int
    name: str
    source_label: str
    provided_label: str
    fetchable: bool
    hows: list[tuple[str, str]]


class StaffCase(BaseModel):
    number: str
    detail: queries.CaseDetail
    implementation_version: int
    clock: ClockBadge
    notices: list[DocumentRead]
    actions: Actions
    current_steps: list[str]
    supplement_options: list[SupplementOption]
    default_remedies: str
    special_procedures: tuple[str, ...]
    delivery_methods: tuple[str, ...]
    badges: list[CaseBadge] = []
    fees: FeeSheet | None = None


class Applicant(BaseModel):
    kind_label: str
    name: str
    code: str


class ItemChoice(BaseModel):
    id: int
    code: str
    name: str


class WalkIn(BaseModel):
    code: str
    applicant: Applicant | None
    not_found: bool
    items: list[ItemChoice]


class WalkInDraft(BaseModel):
    draft_id: int
    item_name: str
    applicant: Applicant
    materials: list[queries.MaterialView]


# -- clocks ----------------------------------------------------------------------------------------------------

def _badge(summary: queries.CaseSummary, calendar: workdays.WorkCalendar, day: dt.date,
           fallback_due: dt.date | None = None) -> ClockBadge:
    """The clock that governs the case now (受理 until accepted, then the promised or legal limit), counted
    in working days; a stopped clock (补正, 特别程序) shows as paused."""
    if summary.status == SUPPLEMENT:
        return ClockBadge(label=common.CLOCK_LABELS[common.ACCEPT], due_on=None, state="suspended",
                          text="已暂停（补正）")
    if summary.suspended_reason:
        return ClockBadge(label=common.CLOCK_LABELS[common.LEGAL], due_on=None, state="suspended",
                          text=f"已暂停（{summary.suspended_reason}）")
    if summary.status == SUBMITTED:
        label, due, warn = common.CLOCK_LABELS[common.ACCEPT], summary.accept_due_on, 1
    elif summary.status in (ACCEPTED, REVIEWED):
        name = common.PROMISED if summary.promised_due_on else common.LEGAL
        label, due, warn = common.CLOCK_LABELS[name], summary.promised_due_on or summary.legal_due_on, 3
    else:
        return ClockBadge(label="", due_on=None, state="none", text="—")
    due = due or fallback_due
    if due is None:
        return ClockBadge(label=label, due_on=None, state="none", text="未计时")
    if due < day:
        over = max(calendar.working_days_between(due, day), 1)
        return ClockBadge(label=label, due_on=due, state="overdue", text=f"已逾期 {over} 个工作日")
    left = calendar.working_days_between(day, due)
    text = "今日到期" if left == 0 else f"剩余 {left} 个工作日"
    return ClockBadge(label=label, due_on=due, state="near" if left <= warn else "running", text=text)


def _delivery_badge(detail: queries.CaseDetail, calendar: workdays.WorkCalendar,
                    day: dt.date) -> ClockBadge | None:
    """After the decision the 送达 clock governs (ten working days, Art. 44) until the result is delivered."""
    if detail.summary.status not in (DECIDED, CLOSED):
        return None
    running = [c for c in detail.clocks if c.name == common.DELIVERY and c.state == clocks.RUNNING and c.due_on]
    if not running:
        return None
    due = running[0].due_on
    assert due is not None
    label = common.CLOCK_LABELS[common.DELIVERY]
    if due < day:
        over = max(calendar.working_days_between(due, day), 1)
        return ClockBadge(label=label, due_on=due, state="overdue", text=f"已逾期 {over} 个工作日")
    left = calendar.working_days_between(day, due)
    return ClockBadge(label=label, due_on=due, state="near" if left <= 3 else "running",
                      text="今日到期" if left == 0 else f"剩余 {left} 个工作日")


def _require_handler(actor: Actor) -> int:
    if actor.department_id is None or not actor.acts_for(Permission.CASE_HANDLE, actor.department_id):
        raise Forbidden("只有部门的窗口受理人员和审批人员可以办理办件。", code="case_queue_forbidden")
    return actor.department_id


# -- the clerk's queue and the reviewer's tasks ----------------------------------------------------------------

def queue_page(session: Session, actor: Actor, *, status: str = SUBMITTED, item_code: str = "",
               page: int = 1) -> QueuePage:
    """受理队列: the department's cases waiting for acceptance (or for 补正), oldest first, with their clocks."""
    department_id = _require_handler(actor)
    status = status if status in dict(QUEUE_STATUSES) else SUBMITTED
    found = queries.clerk_queue(session, actor, status=status, page=page, size=QUEUE_PAGE_SIZE,
                                item_code=item_code or None)
    calendar, day = workdays.load(session), today()
    # The filter offers the department's items and the bundles it leads (small tables, not a scan of cases).
    items = [*session.execute(
        select(BasicItem.code, BasicItem.name).join(Implementation)
        .where(Implementation.department_id == department_id, Implementation.published_version > 0)
        .order_by(BasicItem.code)).all(),
        *session.execute(select(Bundle.code, Bundle.name).where(Bundle.lead_department_id == department_id)
                         .order_by(Bundle.code)).all()]
    badges = platform().case_badges(session, [c.id for c in found.items])  # one query per provider and page
    return QueuePage(rows=[QueueRow(case=c, clock=_badge(c, calendar, day), badges=badges[c.id]) for c in found.items],
                     total=found.total, page=page, pages=max((found.total + QUEUE_PAGE_SIZE - 1) // QUEUE_PAGE_SIZE, 1),
                     status=status, item_code=item_code, statuses=list(QUEUE_STATUSES),
                     items=[(code, name) for code, name in items])


def tasks_page(session: Session, actor: Actor) -> TasksPage:
    """我的待办: the ready tasks of the actor's roles in the department, soonest due first, with each clock."""
    _require_handler(actor)
    calendar, day = workdays.load(session), today()
    entries = queries.task_list(session, actor)
    badges = platform().case_badges(session, [e.case.id for e in entries])
    rows = [TaskRow(entry=e, clock=_badge(e.case, calendar, day, e.due_on), badges=badges[e.case.id])
            for e in entries]
    return TasksPage(rows=rows, near=sum(r.clock.state == "near" for r in rows),
                     overdue=sum(r.clock.state == "overdue" for r in rows))


# A department's open cases by the index (department, status): its queue, its roles' tasks and its running clocks
# (overdue and near in one pass; distinct: a case with several clocks counts once in each). On the event loop. The
# statements name the domain's constants, never input (S608).
_OPEN = ", ".join(f"'{s}'" for s in OPEN)
_QUEUE = f"SELECT count(*) FROM cases WHERE department_id = :dept AND status = '{SUBMITTED}'"  # noqa: S608
_TASKS = ("SELECT count(*) FROM workflow_tasks t JOIN workflow_instances i ON i.id = t.instance_id "  # noqa: S608
          "JOIN cases c ON c.workflow_instance_id = i.id "
          f"WHERE t.department_id = :dept AND t.role IN ({{roles}}) AND c.status IN ({_OPEN})")
_CLOCKS = ("SELECT count(DISTINCT CASE WHEN l.due_on < :day THEN c.id END), "  # noqa: S608
           "count(DISTINCT CASE WHEN l.warn_on <= :day AND l.due_on >= :day THEN c.id END) FROM cases c "
           f"JOIN legal_clocks l ON l.owner_type = '{common.OWNER}' AND l.owner_id = c.id "
           f"AND l.state = '{clocks.RUNNING}' AND l.name != '{common.DELIVERY}' "
           f"WHERE c.department_id = :dept AND c.status IN ({_OPEN})")


async def home_cards(reads: CardReads, actor: Actor) -> list[dict[str, Any]]:
    """The handler's workload on the home page: queue, tasks, near due and overdue."""
    if not actor.is_staff or actor.department_id is None or \
            not actor.acts_for(Permission.CASE_HANDLE, actor.department_id):
        return []
    dept, day = actor.department_id, today()
    queue = await reads.count(_QUEUE, {"dept": dept})
    roles, role_params = in_list("role", sorted(str(r) for r in actor.roles))
    tasks = await reads.count(_TASKS.format(roles=roles), {"dept": dept, **role_params})
    row = await reads.one(_CLOCKS, {"dept": dept, "day": day})
    overdue, near = (int(n or 0) for n in row) if row is not None else (0, 0)
    return [
        {"label": "待受理办件", "value": queue, "href": "/cases/queue"},
        {"label": "我的待办", "value": tasks, "href": "/cases/tasks"},
        {"label": "办件临近期限", "value": near, "href": "/cases/tasks", "warn": near > 0},
        {"label": "办件已逾期", "value": overdue, "href": "/cases/tasks", "warn": overdue > 0},
    ]


# -- the case page ---------------------------------------------------------------------------------------------

def _case_id(session: Session, number: str) -> int:
    case_id = session.scalar(select(Case.id).where(Case.number == number.strip().upper()))
    if case_id is None:
        raise NotFound("未找到该办件。", code="case_not_found")
    return case_id


def _actions(session: Session, actor: Actor, case: Case) -> tuple[Actions, list[str]]:
    instance_id = case.workflow_instance_id
    parent = common.get_case(session, case.parent_id) if case.lane is not None and case.parent_id else None
    if parent is not None:
        instance_id = parent.workflow_instance_id
    ready = wf.ready_tasks(session, instance_id) if instance_id and case.status in OPEN else []
    names = queries._departments(session, {t.department_id for t in ready if t.department_id is not None})
    steps = [f"{t.title}（{names.get(t.department_id, '') if t.department_id is not None else ''}"
             f"{wf.role_label(t.role)}）" for t in ready]
    if not actor.is_staff or not actor.acts_for(Permission.CASE_HANDLE, case.department_id):
        return Actions(), steps
    mine = {t.name for t in ready if t.department_id == actor.department_id and t.role in actor.roles}
    own = case.lane is None
    follows = bool(case.bundle_code) and case.parent_id is None and case.workflow_instance_id is None
    return Actions(
        accept=own and "accept" in mine and case.process_key != "immediate",
        reject=own and bool({"accept", "accept_decide"} & mine),
        supplement=own and "accept" in mine and case.process_key == "promised" and case.supplement_notice is None,
        decide_at_window="accept_decide" in mine,
        review="review" in mine,
        decide="decide" in mine or (case.lane is not None and any(
            t.lane == common.process_lane(case) and t.department_id == actor.department_id
            and t.role in actor.roles for t in ready)),
        suspend=own and case.status in (ACCEPTED, REVIEWED) and not case.suspended_reason,
        resume=bool(case.suspended_reason),
        close=own and not follows and case.status == DECIDED,
        deliver=own and not follows and case.status in (DECIDED, CLOSED),
    ), steps


@use_case
def applicant_case_url(*, session: Session, actor: Actor, number: str) -> str:
    """Where an applicant who opened the departments' case page (/cases/<办件编号>) sees their own case: 我的办件,
    the bundle's main case for a sub-case. Anyone else's case: 404, as on every case read."""
    case = common.readable_case(session, actor, _case_id(session, number))
    return f"/my/cases/{case.parent_id or case.id}"


def case_page(*, session: Session, actor: Actor, number: str) -> StaffCase:
    """办件详情 for the handling department (the staff read is audited, so this read commits)."""
    case_id = _case_id(session, number)
    detail = queries.case_detail(session, actor, case_id)
    case = common.get_case(session, case_id)
    actions, steps = _actions(session, actor, case)
    calendar = workdays.load(session)
    options = [SupplementOption(
        material_id=m.id, name=m.name, source_label=m.source_label, provided_label=m.provided_label,
        fetchable=m.source in FETCHABLE,
        hows=[(k, v) for k, v in SUPPLEMENT_HOW.items() if not (k == "upload" and m.source in FETCHABLE)
              and not (k == "fetch" and m.source not in FETCHABLE)])
        for m in detail.materials if m.source != "waived"]
    return StaffCase(
        number=case.number or "", detail=detail, implementation_version=case.implementation_version,
        clock=_delivery_badge(detail, calendar, today()) or _badge(detail.summary, calendar, today()),
        notices=documents.documents_of(session=session, actor=actor, owner_type=common.OWNER, owner_id=str(case.id)),
        actions=actions, current_steps=steps, supplement_options=options, default_remedies=common.REMEDIES,
        special_procedures=common.SPECIAL_PROCEDURES, delivery_methods=DELIVERY_METHODS,
        badges=platform().case_badges(session, [case.id])[case.id],
        fees=fee_sheet(session, actor, case) if case.status != DRAFT else None)


def case_id_of(session: Session, actor: Actor, number: str) -> int:
    """The case a POST of the case page acts on, by its 办件编号 (the use-case checks the actor)."""
    return _case_id(session, number)


@use_case
def material_file(*, session: Session, actor: Actor, number: str, material_id: int) -> files.FileDownload:
    """A material's stored file through the file store's checked path (the read is audited)."""
    return files.read(session=session, actor=actor, kind=FILE_KIND, ref=(_case_id(session, number), material_id))


# -- 窗口收件 -----------------------------------------------------------------------------------------------------

def _applicant(user: User) -> Applicant:
    if user.kind == "enterprise":
        return Applicant(kind_label="法人", name=user.display_name, code=user.credit_code or "")
    return Applicant(kind_label="自然人", name=queries.mask_name(user.display_name),
                     code=queries.mask_code(user.id_number or ""))


@use_case
def walk_in(*, session: Session, actor: Actor, code: str = "") -> WalkIn:
    """窗口收件: the applicant found by ID number or credit code (masked; the look-up is audited) and the
    department's published items to apply for."""
    department_id = _require_handler(actor)
    code = code.strip().upper()
    applicant: Applicant | None = None
    if code:
        user = session.scalar(select(User).where((User.id_number == code) | (User.credit_code == code),
                                                 User.kind.in_(("citizen", "enterprise"))))
        record(session, actor=actor, action="case.applicant_lookup", object_type="user",
               object_id=user.id if user else None, purpose="窗口收件", result="success" if user else "not_found")
        applicant = _applicant(user) if user else None
    rows = session.execute(
        select(Implementation.id, BasicItem.code, BasicItem.name).join(BasicItem)
        .where(Implementation.department_id == department_id, Implementation.published_version > 0,
               Implementation.status != "retired").order_by(BasicItem.code)).all()
    return WalkIn(code=code, applicant=applicant, not_found=bool(code) and applicant is None,
                  items=[ItemChoice(id=i, code=c, name=n) for i, c, n in rows])


def walk_in_draft(session: Session, actor: Actor, draft_id: int) -> WalkInDraft:
    """A walk-in draft of the clerk's department: the materials to scan and upload before submitting."""
    case = common.get_case(session, draft_id)
    if case.channel != "窗口" or case.status != "draft" or not actor.acts_for(Permission.CASE_HANDLE,
                                                                              case.department_id):
        raise NotFound("未找到该窗口收件草稿。", code="case_not_found")
    user = session.get(User, case.applicant_user_id)
    assert user is not None
    mats = [queries.material_view(m) for m in common.materials(session, case)]
    return WalkInDraft(draft_id=case.id, item_name=case.item_name, applicant=_applicant(user), materials=mats)


__all__ = ["STATUS_LABELS", "case_id_of", "case_page", "home_cards", "material_file", "queue_page", "tasks_page",
           "walk_in", "walk_in_draft"]
