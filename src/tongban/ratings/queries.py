"""Read models of the 好差评 pages (one per page): the applicant's rating page, the department's list and rating
page with the follow-up forms, the supervisor's appeals page, the call-back gaps, and the public figures."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from tongban.audit.models import AuditEntry
from tongban.audit.service import ACTION_LABELS
from tongban.authz import Actor, Permission
from tongban.cases.models import STATUS_LABELS, Case
from tongban.clock import BEIJING, today
from tongban.config import get_settings
from tongban.errors import Forbidden, NotFound
from tongban.identifiers import mask_name
from tongban.items.models import BasicItem
from tongban.org.models import Department, User
from tongban.ratings import service, standard
from tongban.ratings.models import APPEALED, FOLLOW_UP_LABELS, RECTIFYING, VALID, Rating, RatingFollowUp
from tongban.ratings.schemas import RatingRead


@dataclass
class RatePage:
    """The applicant's rating page of one of their cases (phone first)."""

    case_number: str
    item_name: str
    department_name: str
    status_label: str
    result_ready: bool  # the case has its result: it may be rated
    ratings: list[RatingRead] = field(default_factory=list)
    can_rate_online: bool = False
    levels: dict[int, str] = field(default_factory=lambda: standard.LEVELS)
    bad_levels: frozenset[int] = standard.BAD_LEVELS
    tags: dict[str, str] = field(default_factory=lambda: standard.BAD_TAGS[standard.ONLINE])
    text_max: int = standard.TEXT_MAX


def rate_page(session: Session, actor: Actor, case_number: str) -> RatePage:
    case = session.execute(select(Case).where(Case.number == case_number)).scalar_one_or_none()
    if case is None or actor.kind not in ("citizen", "enterprise") or case.applicant_user_id != actor.id:
        raise NotFound("办件不存在，或不是您本人的办件。", code="case_not_found")
    department = session.get(Department, case.department_id)
    ratings = [service.rating_read(session, actor, r) for r in service.case_ratings(session, actor, case)]
    ready = service.may_rate(case)
    return RatePage(case_number=case_number, item_name=case.item_name,
                    department_name=department.name if department is not None else "",
                    status_label=STATUS_LABELS.get(case.status, case.status), result_ready=ready, ratings=ratings,
                    can_rate_online=ready and not any(r.channel == standard.ONLINE for r in ratings))


# ---------------------------------------------------------------- the department's list (差评整改)

LIST_SIZE = 50


@dataclass(frozen=True)
class ListRow:
    number: str
    case_number: str
    item_name: str
    department_name: str
    applicant: str  # masked
    level: int
    level_label: str
    bad: bool
    voided: bool
    follow_status: str  # "" when no follow-up
    follow_label: str
    due_on: dt.date | None
    overdue: bool
    created_at: dt.datetime


@dataclass
class ListPage:
    rows: list[ListRow]
    scope: str  # the department's name, or 全部部门 for the supervisor
    all_departments: bool
    bad_only: bool
    status: str
    overdue: bool
    statuses: dict[str, str]
    page: int
    has_more: bool
    overdue_count: int


def _list_scope(actor: Actor) -> int | None:
    """None: every department (the supervisor); else the actor's own department (who handles its ratings)."""
    if actor.has(Permission.RATING_REVIEW):
        return None
    if actor.department_id is not None and actor.acts_for(Permission.RATING_HANDLE, actor.department_id):
        return actor.department_id
    raise Forbidden("好差评列表只对承办部门的差评处理人员和监察人员开放。",
                    detail={"permission": str(Permission.RATING_HANDLE)})


def _overdue_clause(day: dt.date):  # type: ignore[no-untyped-def]
    return and_(RatingFollowUp.status == RECTIFYING, RatingFollowUp.rectify_due_on < day)


def list_page(session: Session, actor: Actor, *, bad_only: bool = False, status: str = "", overdue: bool = False,
              page: int = 1) -> ListPage:
    """好差评 of the actor's department (the supervisor: every department), newest first, with the filters."""
    department_id = _list_scope(actor)
    day = today()
    query = (select(Rating, Case.item_name, Department.name, User.display_name, User.kind)
             .join(Case, Case.id == Rating.case_id).join(Department, Department.id == Rating.department_id)
             .join(User, User.id == Rating.applicant_user_id)
             .outerjoin(RatingFollowUp, RatingFollowUp.rating_id == Rating.id))
    count = select(func.count()).select_from(RatingFollowUp).where(_overdue_clause(day))
    if department_id is not None:
        query = query.where(Rating.department_id == department_id)
        count = count.where(RatingFollowUp.department_id == department_id)
    if bad_only:
        query = query.where(Rating.level.in_(sorted(standard.BAD_LEVELS)))
    if status in FOLLOW_UP_LABELS:
        query = query.where(RatingFollowUp.status == status)
    if overdue:
        query = query.where(_overdue_clause(day))
    rows = session.execute(query.order_by(Rating.created_at.desc(), Rating.id.desc())
                           .limit(LIST_SIZE + 1).offset((page - 1) * LIST_SIZE)).unique().all()
    out = []
    for rating, item_name, department_name, applicant, kind in rows[:LIST_SIZE]:
        follow = rating.follow_up
        out.append(ListRow(
            number=rating.number, case_number=rating.case_number, item_name=item_name,
            department_name=department_name, applicant=applicant if kind == "enterprise" else mask_name(applicant),
            level=rating.level, level_label=standard.level_label(rating.level), bad=standard.is_bad(rating.level),
            voided=rating.status != VALID, follow_status=follow.status if follow else "",
            follow_label=FOLLOW_UP_LABELS.get(follow.status, follow.status) if follow else "",
            due_on=follow.rectify_due_on if follow else None, overdue=service.is_overdue(follow, day),
            created_at=rating.created_at))
    scope = "全部部门"
    if department_id is not None:
        department = session.get(Department, department_id)
        scope = department.name if department is not None else ""
    return ListPage(rows=out, scope=scope, all_departments=department_id is None, bad_only=bad_only,
                    status=status if status in FOLLOW_UP_LABELS else "", overdue=overdue, statuses=FOLLOW_UP_LABELS,
                    page=page, has_more=len(rows) > LIST_SIZE, overdue_count=session.execute(count).scalar_one())


# ---------------------------------------------------------------- one rating (the follow-up forms, the trail)


@dataclass(frozen=True)
class Step:
    """One step of the follow-up in state order: what was recorded, and whether its form is offered now."""

    action: str  # TRANSITIONS key; also the form's id
    name: str
    done: bool
    available: bool
    record: list[tuple[str, str]]


@dataclass(frozen=True)
class TrailEntry:
    at: dt.datetime
    action: str
    label: str
    who: str
    department: str
    note: str


@dataclass
class RatingPage:
    rating: RatingRead
    item_name: str
    department_act: bool  # the actor handles this department's ratings
    supervisor: bool
    steps: list[Step]
    can_decide: bool
    overdue: bool
    default_days: int
    callback_default: str  # datetime-local value: now in Beijing time
    trail: list[TrailEntry]


def _who(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else ""


def _steps(session: Session, follow: RatingFollowUp, acts: bool) -> list[Step]:
    def step(action: str, done: bool, record: list[tuple[str, str]]) -> Step:
        starts, name = service.TRANSITIONS[action]
        return Step(action=action, name=name, done=done, available=acts and follow.status in starts,
                    record=[(k, v) for k, v in record if v])

    def at(value: dt.datetime | None) -> str:  # stored in UTC, shown in Beijing time
        return value.replace(tzinfo=dt.UTC).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if value else ""

    due = follow.rectify_due_on.isoformat() if follow.rectify_due_on else ""
    return [
        step("callback", follow.callback_at is not None, [
            ("回访时间", at(follow.callback_at)), ("回访人", _who(session, follow.callback_by)),
            ("回访情况", follow.callback_note)]),
        step("verify", follow.verified_at is not None, [
            ("核实时间", at(follow.verified_at)), ("核实人", _who(session, follow.verified_by)),
            ("核实情况", follow.verification_note)]),
        step("rectify_plan", follow.rectify_due_on is not None, [
            ("整改措施", follow.rectify_plan),
            ("整改期限", f"{follow.rectify_days} 个工作日，{due} 前" if follow.rectify_days else "")]),
        step("rectified", follow.rectified_at is not None, [
            ("完成时间", at(follow.rectified_at)), ("整改结果", follow.rectification_note)]),
        step("explain", bool(follow.explanation), [("情况说明", follow.explanation)]),
        step("notify", follow.notified_at is not None, [
            ("告知时间", at(follow.notified_at)), ("告知内容", follow.notice_text)]),
        step("appeal", follow.appealed_at is not None, [
            ("申诉时间", at(follow.appealed_at)), ("申诉人", _who(session, follow.appealed_by)),
            ("申诉理由", follow.appeal_reason),
            ("复核决定", {"void": "申诉成立，评价作废", "keep": "维持评价"}.get(follow.appeal_decision or "", "")),
            ("复核意见", follow.decision_note), ("复核人", _who(session, follow.decided_by))]),
    ]


_NOTES = {
    "rating.callback": "callback_note", "rating.verify": "verification_note", "rating.rectify_plan": "rectify_plan",
    "rating.rectified": "rectification_note", "rating.explain": "explanation", "rating.notify": "notice_text",
    "rating.appeal": "appeal_reason", "rating.appeal_void": "decision_note", "rating.appeal_keep": "decision_note",
}


def trail(session: Session, rating: Rating) -> list[TrailEntry]:
    """Every step of a rating from the audit log (who, when, which department), with what the follow-up row
    recorded for it; the applicant's own steps name them masked."""
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == service.OBJECT_TYPE, AuditEntry.object_id == rating.number,
        AuditEntry.result == "success").order_by(AuditEntry.seq)).all()
    ids = {e.department_id for e in entries if e.department_id is not None}
    names = dict(session.execute(select(Department.id, Department.name).where(Department.id.in_(ids))).all())
    out = []
    for e in entries:
        who = mask_name(e.actor_name) if e.actor_kind == "citizen" else e.actor_name
        note_field = _NOTES.get(e.action)
        note = str(getattr(rating.follow_up, note_field, "") or "") if note_field and rating.follow_up else ""
        if e.action == "rating.create":
            note = rating.text
        out.append(TrailEntry(at=e.occurred_at, action=e.action, label=ACTION_LABELS.get(e.action, e.action),
                              who=who, department=names.get(e.department_id, "") if e.department_id else "",
                              note=note))
    return out


def rating_page(session: Session, actor: Actor, number: str) -> RatingPage:
    """One rating for the department that handles it (the follow-up forms in state order) and for the supervisor
    (the appeal decision, the full trail). Anyone else: 404, as if it did not exist."""
    rating = service.get_rating(session=session, actor=actor, number=number)
    if actor.kind not in ("staff",):
        raise NotFound("评价不存在，或与您无关。", code="rating_not_found")
    follow = rating.follow_up
    acts = actor.acts_for(Permission.RATING_HANDLE, rating.department_id)
    supervisor = actor.has(Permission.RATING_REVIEW)
    case_row = session.get(Case, rating.case_id)
    now = dt.datetime.now(BEIJING).strftime("%Y-%m-%dT%H:%M")
    return RatingPage(
        rating=service.rating_read(session, actor, rating), item_name=case_row.item_name if case_row else "",
        department_act=acts, supervisor=supervisor,
        steps=_steps(session, follow, acts and rating.status == VALID) if follow is not None else [],
        can_decide=supervisor and follow is not None and follow.status == APPEALED,
        overdue=service.is_overdue(follow), default_days=get_settings().rating_rectify_days,
        callback_default=now, trail=trail(session, rating))


# ---------------------------------------------------------------- the supervisor: appeals and call-back gaps


@dataclass(frozen=True)
class CallbackGap:
    """实名差评回访率 of a department below 100%: named bad ratings (valid, not voided), how many were called back."""

    department_id: int
    department_name: str
    bad: int
    called_back: int

    @property
    def rate(self) -> float:
        return self.called_back / self.bad if self.bad else 1.0

    @property
    def rate_label(self) -> str:
        return f"{self.rate * 100:.1f}%"


def callback_gaps(session: Session, department_id: int | None = None) -> list[CallbackGap]:
    """Per department, the named bad ratings (不满意, 非常不满意; valid, so not voided on appeal; not a default
    rating) and how many were called back — only the departments below the required 100%, lowest rate first."""
    called = func.count(RatingFollowUp.callback_at)
    query = (select(Rating.department_id, Department.name, func.count(Rating.id), called)
             .join(Department, Department.id == Rating.department_id)
             .outerjoin(RatingFollowUp, RatingFollowUp.rating_id == Rating.id)
             .where(Rating.level.in_(sorted(standard.BAD_LEVELS)), Rating.status == VALID,
                    Rating.is_default.is_(False))
             .group_by(Rating.department_id, Department.name).having(called < func.count(Rating.id)))
    if department_id is not None:
        query = query.where(Rating.department_id == department_id)
    rows = [CallbackGap(d, name, bad, done) for d, name, bad, done in session.execute(query)]
    return sorted(rows, key=lambda g: (g.rate, g.department_name))


@dataclass(frozen=True)
class AppealRow:
    number: str
    case_number: str
    department_name: str
    level_label: str
    reason: str
    appealed_by: str
    appealed_at: dt.datetime | None


@dataclass
class AppealsPage:
    appeals: list[AppealRow]
    gaps: list[CallbackGap]


def appeals_page(session: Session, actor: Actor) -> AppealsPage:
    """申诉复核: the appeals waiting for the supervisor's decision, and the departments whose call-back rate of
    named bad ratings is below 100%."""
    if not actor.has(Permission.RATING_REVIEW):
        raise Forbidden("申诉复核由监察人员决定。", detail={"permission": str(Permission.RATING_REVIEW)})
    rows = session.execute(
        select(Rating, Department.name, User.display_name, RatingFollowUp.appeal_reason, RatingFollowUp.appealed_at)
        .join(RatingFollowUp, RatingFollowUp.rating_id == Rating.id)
        .join(Department, Department.id == Rating.department_id)
        .outerjoin(User, User.id == RatingFollowUp.appealed_by)
        .where(RatingFollowUp.status == APPEALED).order_by(RatingFollowUp.appealed_at, Rating.id)).unique().all()
    appeals = [AppealRow(number=r.number, case_number=r.case_number, department_name=dept,
                         level_label=standard.level_label(r.level), reason=reason, appealed_by=who or "",
                         appealed_at=at) for r, dept, who, reason, at in rows]
    return AppealsPage(appeals=appeals, gaps=callback_gaps(session))


# ---------------------------------------------------------------- public figures (好评率)

#: 好评率 as published: (非常满意 + 满意) ÷ valid ratings. 基本满意 counts in the ratings but not as good; ratings
#: voided on appeal count nowhere; default ratings (默认评价) count like the level they were given.
GOOD_LEVELS = frozenset({5, 4})
DEFINITION = ("好评率 =（非常满意 + 满意）÷ 有效评价总数 × 100%。“基本满意”计入评价总数，但不计为好评；"
              "“不满意”“非常不满意”为差评；经申诉复核作废的评价不计入；逾期未评价按规定默认评价的，按默认的等级计入。")


@dataclass(frozen=True)
class Figure:
    """The published figures of a department or an item: counts per level and 好评率."""

    code: str
    name: str
    counts: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def good(self) -> int:
        return sum(n for level, n in self.counts.items() if level in GOOD_LEVELS)

    @property
    def bad(self) -> int:
        return sum(n for level, n in self.counts.items() if level in standard.BAD_LEVELS)

    @property
    def good_rate(self) -> float | None:
        return self.good / self.total if self.total else None

    @property
    def good_rate_label(self) -> str:
        rate = self.good_rate
        return "—" if rate is None else f"{rate * 100:.1f}%"


@dataclass
class PublicFigures:
    departments: list[Figure]
    items: list[Figure]
    levels: dict[int, str]
    definition: str = DEFINITION

    @property
    def total(self) -> int:
        return sum(f.total for f in self.departments)


def _grouped(session: Session, key):  # type: ignore[no-untyped-def]
    """Counts per (key, level) of the valid ratings: one grouped query answered from a covering index."""
    rows = session.execute(select(key, Rating.level, func.count()).where(Rating.status == VALID)
                           .group_by(key, Rating.level)).all()
    out: dict[object, dict[int, int]] = {}
    for k, level, n in rows:
        out.setdefault(k, {}).setdefault(level, 0)
        out[k][level] += n
    return out


_cache_lock = threading.Lock()
_cache: dict[str, tuple[float, PublicFigures]] = {}
#: The public page's figures are kept this many seconds per database (the grouped queries read every valid
#: rating's index entry; at 2 million ratings a few hundred milliseconds, not to be paid on every visit).
FIGURES_TTL = 300.0


def clear_figures_cache() -> None:
    with _cache_lock:
        _cache.clear()


def public_figures(session: Session) -> PublicFigures:
    """好差评 figures per department and per item for the public page (no personal data)."""
    bind = session.get_bind()
    key = str(bind.engine.url)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < FIGURES_TTL:
        return hit[1]
    by_department = _grouped(session, Rating.department_id)
    by_item = _grouped(session, Rating.item_code)
    departments = dict(session.execute(select(Department.id, Department.name).where(
        Department.id.in_(list(by_department)))).all())
    items = dict(session.execute(select(BasicItem.code, BasicItem.name).where(
        BasicItem.code.in_([str(k) for k in by_item]))).all())
    figures = PublicFigures(
        departments=sorted((Figure(str(k), departments.get(k, ""), v) for k, v in by_department.items()),
                           key=lambda f: (-f.total, f.name)),
        items=sorted((Figure(str(k), items.get(str(k), str(k)), v) for k, v in by_item.items()),
                     key=lambda f: (-f.total, f.code)),
        levels=standard.LEVELS)
    with _cache_lock:
        _cache[key] = (time.monotonic(), figures)
    return figures


def item_figure(session: Session, item_code: str) -> Figure | None:
    """The figures of one item (the guide's line 好评率 …（共 N 条评价）); None when it has no valid rating.
    One indexed query (ix_ratings_item_status_level)."""
    counts = dict(session.execute(select(Rating.level, func.count()).where(
        Rating.item_code == item_code, Rating.status == VALID).group_by(Rating.level)).all())
    return Figure(item_code, "", counts) if counts else None

