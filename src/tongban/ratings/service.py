"""好差评 use-cases: rate a case, add to a rating, the default rating job; the follow-up of a named bad rating
(call-back → verification → rectification with a working-day deadline or an explanation → notice to the
applicant) and the appeal (申诉复核) the supervisor decides. Every step is audited.

Who may do what: only the applicant rates their own case, and only after its result (decided, closed, delivered);
the rated case's department handles the follow-up (Permission.RATING_HANDLE, a department act); the supervisor
(Permission.RATING_REVIEW) decides appeals. A rating is shown to its applicant, to the rated department and to
the supervisor; anyone else is answered as if it did not exist. Staff see the applicant masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tongban import notifications, numbering
from tongban.audit import service as audit
from tongban.authz import SYSTEM, Actor, Permission
from tongban.cases.models import CLOSED, DECIDED, DELIVERED, Case
from tongban.clock import BEIJING, today
from tongban.config import get_settings
from tongban.db import utcnow
from tongban.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from tongban.identifiers import mask_name
from tongban.notifications.message_templates import _FOOTER, Template, register
from tongban.org.models import Department, User, UserRole
from tongban.ratings import standard
from tongban.ratings.models import (
    APPEAL_VOIDED,
    APPEALED,
    CALLED_BACK,
    EXPLAINED,
    FOLLOW_UP_LABELS,
    NOTIFIED,
    OPEN,
    RECTIFIED,
    RECTIFYING,
    VALID,
    VERIFIED,
    VOIDED,
    Rating,
    RatingFollowUp,
)
from tongban.ratings.schemas import (
    Appeal,
    AppealDecision,
    CallBack,
    Explanation,
    FollowUpRead,
    Notice,
    RatingAddition,
    RatingCreate,
    RatingRead,
    Rectified,
    RectifyPlan,
    Verification,
)
from tongban.transactions import use_case
from tongban.workdays import service as workdays

OBJECT_TYPE = "rating"
PURPOSE = "政务服务好差评"
RATING_NUMBER = numbering.DailySeries("rating", "PJ", width=5)  # 评价编号, e.g. PJ2026120400001
#: Case statuses after the result: only then may the applicant rate.
RESULT_STATUSES = (DECIDED, CLOSED, DELIVERED)

#: The follow-up's state machine: action → (states it may start from, Chinese name of the action).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "callback": (frozenset({OPEN}), "回访"),
    "verify": (frozenset({CALLED_BACK}), "核实"),
    "rectify_plan": (frozenset({VERIFIED}), "限期整改"),
    "rectified": (frozenset({RECTIFYING}), "整改完成"),
    "explain": (frozenset({VERIFIED}), "情况说明"),
    "notify": (frozenset({RECTIFIED, EXPLAINED}), "告知申请人"),
    "appeal": (frozenset({OPEN, CALLED_BACK, VERIFIED}), "申诉复核"),
    "decide_appeal": (frozenset({APPEALED}), "复核决定"),
}

_OUTCOME_SUBJECT = "您对办件 ((number)) 的评价已有处理结果"
_OUTCOME_BODY = "您对“((item))”（办件编号 ((number))）的评价“((level))”，((department))处理结果：((outcome))"
RATING_OUTCOME = register(Template(
    code="rating.outcome", version=1, name="差评整改结果告知",
    channels={"inbox": (_OUTCOME_SUBJECT, _OUTCOME_BODY), "email": (_OUTCOME_SUBJECT, _OUTCOME_BODY + _FOOTER),
              "sms": ("", "【通办】您对办件((number))的评价已有处理结果，请登录平台查看。")}))

_BAD_SUBJECT = "差评待回访：办件 ((number))（((level))）"
_BAD_BODY = ("办件 ((number))（“((item))”）收到实名评价“((level))”（评价编号 ((rating))）。请按好差评制度回访核实"
             "（实名差评回访率须达 100%），并限期整改或作出说明，处理结果告知评价人。")
RATING_BAD = register(Template(
    code="rating.bad", version=1, name="差评待回访提醒",
    channels={"inbox": (_BAD_SUBJECT, _BAD_BODY), "email": (_BAD_SUBJECT, _BAD_BODY + _FOOTER),
              "sms": ("", "【通办】办件((number))收到差评（((level))），请及时回访整改。")}))
#: Who in the rated department is told of a new bad rating (those who may handle it and their head).
BAD_RATING_RECIPIENTS = ("dept_admin", "window_clerk")

_OVERDUE_SUBJECT = "差评整改逾期：办件 ((number))（((department))）"
_OVERDUE_BODY = ("办件 ((number))（“((item))”）的差评（评价编号 ((rating))）限期整改期限 ((due_on)) 已过，整改尚未完成"
                 "（逾期 ((days)) 个工作日）。请督促承办部门尽快完成整改并告知评价人。")
RATING_OVERDUE = register(Template(
    code="rating.rectify_overdue", version=1, name="差评整改逾期提醒",
    channels={"inbox": (_OVERDUE_SUBJECT, _OVERDUE_BODY), "email": (_OVERDUE_SUBJECT, _OVERDUE_BODY + _FOOTER),
              "sms": ("", "【通办】办件((number))的差评整改已逾期，请尽快完成整改。")}))
#: The supervisor is told when a rectification is still overdue this many working days after the department
#: head was told (the head is told on the first working morning after the deadline).
OVERDUE_ESCALATE_DAYS = 2


# ---------------------------------------------------------------- reading


class _Hidden(NotFound):
    def __init__(self, ref: str) -> None:
        super().__init__("评价不存在，或与您无关。", code="rating_not_found")
        self.refused_object = (OBJECT_TYPE, ref)


def _is_applicant(actor: Actor, rating: Rating) -> bool:
    return actor.kind in ("citizen", "enterprise") and actor.id == rating.applicant_user_id


def may_read(actor: Actor, rating: Rating) -> bool:
    """The applicant, the rated department's staff who handle ratings, and the supervisor."""
    return (_is_applicant(actor, rating) or actor.has(Permission.RATING_REVIEW)
            or actor.acts_for(Permission.RATING_HANDLE, rating.department_id))


def get_rating(*, session: Session, actor: Actor, number: str) -> Rating:
    rating = session.execute(select(Rating).where(Rating.number == number)).unique().scalar_one_or_none()
    if rating is None or not may_read(actor, rating):
        raise _Hidden(number)
    return rating


def shown_applicant(actor: Actor, rating: Rating, applicant: User | None) -> str:
    """The applicant as the reader may see them: in full to themselves and for an enterprise (its name is
    public), masked for a person (identifiers.mask_name, the platform's one rule: 王建华 → 王**)."""
    name = applicant.display_name if applicant is not None else ""
    if _is_applicant(actor, rating) or (applicant is not None and applicant.kind == "enterprise"):
        return name
    return mask_name(name)


def rating_read(session: Session, actor: Actor, rating: Rating) -> RatingRead:
    applicant = session.get(User, rating.applicant_user_id)
    department = session.get(Department, rating.department_id)
    follow = rating.follow_up
    return RatingRead(
        number=rating.number, case_number=rating.case_number, item_code=rating.item_code,
        department_name=department.name if department is not None else "",
        applicant=shown_applicant(actor, rating, applicant),
        channel=rating.channel, channel_label=standard.CHANNELS.get(rating.channel, rating.channel),
        mode=standard.MODES.get(rating.channel, ""), level=rating.level, level_label=standard.level_label(rating.level),
        bad=standard.is_bad(rating.level), tags=list(rating.tags),
        tag_labels=[standard.ALL_TAGS.get(t, t) for t in rating.tags], text=rating.text,
        is_default=rating.is_default, addition=rating.addition, added_at=rating.added_at, status=rating.status,
        void_reason=rating.void_reason, created_at=rating.created_at,
        follow_up=None if follow is None else FollowUpRead.model_validate(follow).model_copy(
            update={"status_label": FOLLOW_UP_LABELS.get(follow.status, follow.status)}))


def list_ratings(*, session: Session, actor: Actor, bad_only: bool = False, follow_up_status: str | None = None,
                 limit: int = 50, offset: int = 0) -> Sequence[Rating]:
    """The ratings the actor may see: the applicant's own, the department's, or (supervisor) all."""
    query = select(Rating).order_by(Rating.created_at.desc(), Rating.id.desc())
    if actor.kind in ("citizen", "enterprise"):
        query = query.where(Rating.applicant_user_id == actor.id)
    elif not actor.has(Permission.RATING_REVIEW):
        if not actor.acts_for(Permission.RATING_HANDLE, actor.department_id):
            raise Forbidden(detail={"permission": str(Permission.RATING_HANDLE)})
        query = query.where(Rating.department_id == actor.department_id)
    if bad_only:
        query = query.where(Rating.level.in_(sorted(standard.BAD_LEVELS)))
    if follow_up_status:
        query = query.join(RatingFollowUp).where(RatingFollowUp.status == follow_up_status)
    return session.execute(query.limit(limit).offset(offset)).unique().scalars().all()


def case_ratings(session: Session, actor: Actor, case: Case) -> list[Rating]:
    """The ratings of one case the actor may see (the citizen's case page)."""
    rows = session.execute(select(Rating).where(Rating.case_id == case.id).order_by(Rating.id)).unique().scalars()
    return [r for r in rows if may_read(actor, r)]


def may_rate(case: Case) -> bool:
    return case.status in RESULT_STATUSES


# ---------------------------------------------------------------- writing


def _audit(session: Session, actor: Actor, action: str, rating: Rating, **detail: object) -> None:
    audit.record(session, actor=actor, action=action, object_type=OBJECT_TYPE, object_id=rating.number,
                 purpose=PURPOSE, detail={"case_number": rating.case_number, "department_id": rating.department_id,
                                          **detail})


def _check_tags(level: int, channel: str, tags: list[str]) -> list[str]:
    tags = list(dict.fromkeys(tags))
    if not standard.is_bad(level):
        if tags:
            raise ValidationFailed("评价选项只用于“不满意”“非常不满意”的评价；满意的评价请不要选择差评选项。",
                                   code="tags_not_allowed", detail={"field": "tags"})
        return tags
    allowed = standard.BAD_TAGS[channel]
    unknown = [t for t in tags if t not in allowed]
    if unknown:
        raise ValidationFailed(f"评价选项 {'、'.join(unknown)} 不在{standard.CHANNELS[channel]}的标准选项中，"
                               "请从列出的选项中选择。", code="tag_unknown", detail={"field": "tags"})
    if not tags:
        raise ValidationFailed("“不满意”“非常不满意”的评价请至少选择一项不满意的原因。", code="tags_required",
                               detail={"field": "tags"})
    return tags


def _new_rating(session: Session, case: Case, *, channel: str, level: int, tags: list[str], text: str,
                is_default: bool) -> Rating:
    rating = Rating(number=numbering.next_number(session, RATING_NUMBER, today()), case_id=case.id,
                    case_number=case.number or "", item_code=case.item_code, department_id=case.department_id,
                    applicant_user_id=case.applicant_user_id, channel=channel, level=level, tags=tags,
                    tag_version=standard.TAG_VERSION, text=text, is_default=is_default, status=VALID,
                    created_at=utcnow())
    session.add(rating)
    session.flush()
    if standard.is_bad(level) and not is_default:
        session.add(RatingFollowUp(rating_id=rating.id, department_id=case.department_id, status=OPEN))
        session.flush()
        session.refresh(rating)
        notifications.notify(session, template=RATING_BAD.code,
                             recipients=notifications.department_staff(session, case.department_id,
                                                                       BAD_RATING_RECIPIENTS),
                             personalisation={"number": rating.case_number, "item": case.item_name,
                                              "level": standard.level_label(level), "rating": rating.number},
                             reference=rating.number)
    return rating


@use_case
def rate(*, session: Session, actor: Actor, rating_in: RatingCreate) -> Rating:
    """评价: the applicant rates their own case after its result, once per channel."""
    case = session.execute(select(Case).where(Case.number == rating_in.case_number.strip())).scalar_one_or_none()
    if case is None or actor.kind not in ("citizen", "enterprise") or case.applicant_user_id != actor.id:
        raise NotFound("办件不存在，或不是您本人的办件；只能评价自己的办件。", code="case_not_found")
    if not may_rate(case):
        raise InvalidTransition("办件作出决定或办结后才能评价，请在办理结果出来后再评价。", code="rating_too_early")
    taken = session.execute(select(Rating.number).where(Rating.case_id == case.id,
                                                        Rating.channel == rating_in.channel)).scalar_one_or_none()
    if taken is not None:
        raise Conflict(f"该办件已通过{standard.CHANNELS[rating_in.channel]}评价过（评价编号 {taken}），"
                       "每个办件每个渠道只能评价一次；如需补充，请使用“补充评价”。", code="rating_exists")
    tags = _check_tags(rating_in.level, rating_in.channel, rating_in.tags)
    try:
        rating = _new_rating(session, case, channel=rating_in.channel, level=rating_in.level, tags=tags,
                             text=rating_in.text.strip(), is_default=False)
    except IntegrityError:  # the same rating submitted twice at once; the use-case's scope rolls the flush back
        raise Conflict("该办件刚刚已经评价过，每个办件每个渠道只能评价一次；请刷新页面查看。",
                       code="rating_exists") from None
    _audit(session, actor, "rating.create", rating, level=rating.level, channel=rating.channel, tags=tags)
    return rating


@use_case
def add_to_rating(*, session: Session, actor: Actor, number: str, addition: RatingAddition) -> Rating:
    """补充评价: the applicant adds to their rating once."""
    rating = get_rating(session=session, actor=actor, number=number)
    if not _is_applicant(actor, rating):
        raise Forbidden("只有评价人本人可以补充评价。")
    if rating.status != VALID:
        raise InvalidTransition("该评价已经申诉复核作废，不能再补充。", code="rating_voided")
    if rating.added_at is not None:
        raise InvalidTransition("每条评价只能补充一次，您已经补充过了。", code="addition_exists")
    rating.addition, rating.added_at = addition.text.strip(), utcnow()
    _audit(session, actor, "rating.add", rating)
    return rating


@use_case
def apply_default_ratings(*, session: Session, on: dt.datetime | None = None) -> int:
    """默认评价: where local rules set one (settings.rating_default_after_days > 0), a case not rated online
    that many days after its result gets the configured level, flagged as a default rating. Returns the count."""
    cfg = get_settings()
    if cfg.rating_default_after_days <= 0:
        return 0
    cutoff = (on or utcnow()) - dt.timedelta(days=cfg.rating_default_after_days)
    result_at = func.coalesce(Case.decided_at, Case.closed_at, Case.delivered_at)
    rated = exists().where(Rating.case_id == Case.id, Rating.channel == standard.ONLINE)
    cases = session.execute(select(Case).where(
        Case.status.in_(RESULT_STATUSES), Case.parent_id.is_(None), Case.number.is_not(None),
        result_at <= cutoff, ~rated).order_by(Case.id).limit(5000)).scalars().all()
    for case in cases:
        rating = _new_rating(session, case, channel=standard.ONLINE, level=cfg.rating_default_level, tags=[],
                             text="", is_default=True)
        _audit(session, SYSTEM, "rating.default", rating, level=rating.level,
               after_days=cfg.rating_default_after_days)
    return len(cases)


# ---------------------------------------------------------------- follow-up of a named bad rating


def _follow_up(session: Session, actor: Actor, number: str, action: str, *, supervisor: bool = False
               ) -> tuple[Rating, RatingFollowUp]:
    rating = get_rating(session=session, actor=actor, number=number)
    follow = rating.follow_up
    if follow is None:
        raise InvalidTransition("只有实名的“不满意”“非常不满意”评价需要回访整改，该评价无需处理。",
                                code="no_follow_up")
    if supervisor:
        actor.require(Permission.RATING_REVIEW)
    elif not actor.acts_for(Permission.RATING_HANDLE, follow.department_id):
        raise Forbidden("差评的回访、核实、整改和申诉由被评价办件的承办部门办理。",
                        detail={"permission": str(Permission.RATING_HANDLE)})
    starts, name = TRANSITIONS[action]
    if follow.status not in starts:
        raise InvalidTransition(f"该差评当前为“{FOLLOW_UP_LABELS.get(follow.status, follow.status)}”，不能{name}。",
                                detail={"status": follow.status, "action": action})
    return rating, follow


def _move(follow: RatingFollowUp, status: str) -> None:
    follow.status, follow.updated_at = status, utcnow()


@use_case
def call_back(*, session: Session, actor: Actor, number: str, callback: CallBack) -> Rating:
    """回访: the department calls the applicant back and notes what they said."""
    rating, follow = _follow_up(session, actor, number, "callback")
    given = callback.called_at if callback.called_at.tzinfo is not None else callback.called_at.replace(tzinfo=BEIJING)
    called_at = given.astimezone(dt.UTC).replace(tzinfo=None)  # stored in UTC like every time
    if called_at > utcnow() + dt.timedelta(minutes=5):
        raise ValidationFailed("回访时间不能晚于当前时间。", code="callback_in_future", detail={"field": "called_at"})
    follow.callback_at, follow.callback_note, follow.callback_by = called_at, callback.note.strip(), actor.id
    _move(follow, CALLED_BACK)
    _audit(session, actor, "rating.callback", rating)
    return rating


@use_case
def verify(*, session: Session, actor: Actor, number: str, verification: Verification) -> Rating:
    """核实: the department establishes what happened."""
    rating, follow = _follow_up(session, actor, number, "verify")
    follow.verification_note, follow.verified_by, follow.verified_at = verification.note.strip(), actor.id, utcnow()
    _move(follow, VERIFIED)
    _audit(session, actor, "rating.verify", rating)
    return rating


@use_case
def plan_rectification(*, session: Session, actor: Actor, number: str, plan: RectifyPlan) -> Rating:
    """限期整改: a deadline in working days (5–15; the platform setting when not given) on the calendar."""
    rating, follow = _follow_up(session, actor, number, "rectify_plan")
    days = plan.days if plan.days is not None else get_settings().rating_rectify_days
    deadline = workdays.load(session).add_working_days(today(), days)
    follow.rectify_plan, follow.rectify_days, follow.rectify_due_on = plan.plan.strip(), days, deadline.due
    _move(follow, RECTIFYING)
    _audit(session, actor, "rating.rectify_plan", rating, days=days, due_on=deadline.due.isoformat(),
           due_assumed=deadline.assumed)
    return rating


@use_case
def complete_rectification(*, session: Session, actor: Actor, number: str, done: Rectified) -> Rating:
    rating, follow = _follow_up(session, actor, number, "rectified")
    follow.rectification_note, follow.rectified_at = done.note.strip(), utcnow()
    _move(follow, RECTIFIED)
    overdue = follow.rectify_due_on is not None and today() > follow.rectify_due_on
    _audit(session, actor, "rating.rectified", rating, overdue=overdue)
    return rating


@use_case
def explain(*, session: Session, actor: Actor, number: str, explanation: Explanation) -> Rating:
    """情况说明: no rectification is needed; the department explains instead."""
    rating, follow = _follow_up(session, actor, number, "explain")
    follow.explanation = explanation.text.strip()
    _move(follow, EXPLAINED)
    _audit(session, actor, "rating.explain", rating)
    return rating


@use_case
def notify_applicant(*, session: Session, actor: Actor, number: str, notice: Notice) -> Rating:
    """告知: the applicant is told the outcome (站内信, and e-mail / SMS where configured)."""
    rating, follow = _follow_up(session, actor, number, "notify")
    follow.notice_text, follow.notified_at = notice.text.strip(), utcnow()
    _move(follow, NOTIFIED)
    applicant = session.get(User, rating.applicant_user_id)
    case = session.get(Case, rating.case_id)
    department = session.get(Department, rating.department_id)
    if applicant is not None and case is not None:
        notifications.notify(session, template=RATING_OUTCOME.code, recipients=[applicant],
                             personalisation={"number": rating.case_number, "item": case.item_name,
                                              "level": standard.level_label(rating.level),
                                              "department": department.name if department else "承办部门",
                                              "outcome": follow.notice_text},
                             reference=rating.number, link=f"/my/ratings/{rating.case_number}")
    _audit(session, actor, "rating.notify", rating)
    return rating


@use_case
def appeal(*, session: Session, actor: Actor, number: str, appeal_in: Appeal) -> Rating:
    """申诉复核: the department asks the supervisor to void a rating that was not about the service."""
    rating, follow = _follow_up(session, actor, number, "appeal")
    follow.appeal_from, follow.appeal_reason = follow.status, appeal_in.reason.strip()
    follow.appealed_by, follow.appealed_at = actor.id, utcnow()
    _move(follow, APPEALED)
    _audit(session, actor, "rating.appeal", rating)
    return rating


@use_case
def decide_appeal(*, session: Session, actor: Actor, number: str, decision: AppealDecision) -> Rating:
    """The supervisor voids the rating (it no longer counts) or keeps it (the follow-up resumes where it was)."""
    rating, follow = _follow_up(session, actor, number, "decide_appeal", supervisor=True)
    follow.appeal_decision, follow.decision_note = decision.decision, decision.note.strip()
    follow.decided_by, follow.decided_at = actor.id, utcnow()
    if decision.decision == "void":
        rating.status, rating.void_reason, rating.voided_by, rating.voided_at = (
            VOIDED, decision.note.strip(), actor.id, utcnow())
        _move(follow, APPEAL_VOIDED)
        _audit(session, actor, "rating.appeal_void", rating)
    else:
        _move(follow, follow.appeal_from or OPEN)
        _audit(session, actor, "rating.appeal_keep", rating)
    return rating


# ---------------------------------------------------------------- overdue rectifications (整改逾期)


def is_overdue(follow: RatingFollowUp | None, day: dt.date | None = None) -> bool:
    """A rectification still under way after its deadline (the lists show 逾期)."""
    return (follow is not None and follow.status == RECTIFYING and follow.rectify_due_on is not None
            and (day or today()) > follow.rectify_due_on)


def _supervisors(session: Session) -> list[User]:
    return list(session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
        User.kind == "staff", User.status == "active", UserRole.role == "supervisor").order_by(User.id).distinct()))


@use_case
def warn_overdue_rectifications(*, session: Session, day: dt.date | None = None) -> list[tuple[str, int]]:
    """整改逾期: mark each rectification past its deadline once and tell the department head; tell the supervisor
    when it is still overdue OVERDUE_ESCALATE_DAYS working days later. Each step is audited and happens once:
    a rerun on the same day (or a later one before the next step is due) changes nothing. Returns the
    (评价编号, step) pairs of this run."""
    day = day or today()
    calendar = workdays.load(session)
    rows = session.scalars(select(RatingFollowUp).where(
        RatingFollowUp.status == RECTIFYING, RatingFollowUp.rectify_due_on < day, RatingFollowUp.overdue_step < 2)
        .order_by(RatingFollowUp.id).limit(5000)).all()
    done: list[tuple[str, int]] = []
    for follow in rows:
        assert follow.rectify_due_on is not None
        if follow.overdue_step == 1 and (follow.overdue_on is None or calendar.working_days_between(
                follow.overdue_on, day) < OVERDUE_ESCALATE_DAYS):
            continue
        rating = follow.rating
        if follow.overdue_step == 0:
            follow.overdue_on = day
            recipients = notifications.department_staff(session, follow.department_id, ("dept_admin",))
        else:
            recipients = _supervisors(session)
        follow.overdue_step += 1
        case = session.get(Case, rating.case_id)
        department = session.get(Department, follow.department_id)
        days_late = max(calendar.working_days_between(follow.rectify_due_on, day), 1)
        notifications.notify(session, template=RATING_OVERDUE.code, recipients=recipients, personalisation={
            "number": rating.case_number, "item": case.item_name if case else rating.item_code,
            "department": department.name if department else "", "rating": rating.number,
            "due_on": follow.rectify_due_on.isoformat(), "days": str(days_late)},
            reference=rating.number, link=f"/ratings/{rating.number}")
        _audit(session, SYSTEM, "rating.rectify_overdue" if follow.overdue_step == 1 else "rating.rectify_escalate",
               rating, due_on=follow.rectify_due_on.isoformat(), working_days_late=days_late,
               recipient="部门负责人" if follow.overdue_step == 1 else "监察人员",
               people=[u.display_name for u in recipients])
        done.append((rating.number, follow.overdue_step))
    return done
