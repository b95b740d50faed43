"""Legal clocks (法定时限): one working-day clock for everything with a deadline.

A clock times one step of something a domain owns (a sharing request's compliance check, a provider's
answer, a dispute's coordination, next a case's decision). It starts with a limit in working days, may be
suspended and resumed with a reason that by law does not count toward the limit (补正, 听证, 检测检验,
专家评审, 公示 … 行政许可法 Art. 45), extended (延长, with who approved it and why) and stopped. Its due day
and warn day are stored, indexed columns, so the sweep finds near-due and overdue clocks by index scans.

The clock holds everything needed to recount it (start, limit, extensions and, in its events, the
suspensions), so a holiday-calendar change recomputes every open clock here, without knowing any domain.
Domains register an owner type (`register_owner`) to mirror the due day onto their own rows and to act when
a clock becomes near due or overdue (audit, notices); this module imports no domain.

Counting: the start day is not counted; a suspension from day S to day R leaves out the days after S up to
and including R (the step resumes the day after the supplement arrives). Days in years with no holiday
notice are counted as Monday–Friday and the clock says so (`assumed`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from tongban.clock import today
from tongban.db import utcnow
from tongban.errors import InvalidTransition, ValidationFailed
from tongban.workdays import service as calendar_service
from tongban.workdays.models import LegalClock, LegalClockEvent
from tongban.workdays.service import WorkCalendar

RUNNING, SUSPENDED, STOPPED = "running", "suspended", "stopped"
OPEN_STATES = (RUNNING, SUSPENDED)
NEAR_DUE, OVERDUE = "near_due", "overdue"

# Reasons that stop a clock, by law not counted toward the time limit (行政许可法 Art. 45 and local rules).
# A domain adds its own with `register_suspension_reasons`; anything else is refused.
SUSPENSION_REASONS: list[str] = ["补正", "听证", "招标", "拍卖", "检验", "检测检验", "检疫", "鉴定", "专家评审", "公示"]


def register_suspension_reasons(*reasons: str) -> None:
    """Allow further suspension reasons (a domain's local rules)."""
    for reason in reasons:
        if reason not in SUSPENSION_REASONS:
            SUSPENSION_REASONS.append(reason)


@dataclass(frozen=True)
class ClockOwner:
    """What a domain tells the clocks about its objects."""

    owner_type: str
    # Called after the due day changed without the domain asking (a calendar change): mirror it.
    on_change: Callable[[Session, LegalClock], None] | None = None
    # Called by the sweep when a clock became near due or overdue (kind): audit, notices.
    on_flag: Callable[[Session, LegalClock, str], None] | None = None


_OWNERS: dict[str, ClockOwner] = {}


def register_owner(owner_type: str, *, on_change: Callable[[Session, LegalClock], None] | None = None,
                   on_flag: Callable[[Session, LegalClock, str], None] | None = None) -> None:
    """A domain registers its object type once, at import; registering again replaces the entry."""
    _OWNERS[owner_type] = ClockOwner(owner_type, on_change, on_flag)


@dataclass(frozen=True)
class Reckoning:
    due: dt.date | None  # None while suspended
    warn: dt.date | None
    assumed: bool
    used: int  # working days counted so far (up to the suspension, when suspended)


def reckon(calendar: WorkCalendar, *, started_on: dt.date, days: int, warn_days: int,
           pauses: Sequence[tuple[dt.date, dt.date | None]]) -> Reckoning:
    """Count `days` working days after `started_on`, leaving out suspended days; the warn day before it."""

    def paused(day: dt.date) -> bool:
        return any(s < day and (r is None or day <= r) for s, r in pauses)

    def counts(day: dt.date) -> bool:
        return calendar.is_workday(day) and not paused(day)

    assumed = not calendar.is_known(started_on)
    open_since = next((s for s, r in pauses if r is None), None)
    current, counted = started_on, 0
    if open_since is not None:
        while current < open_since:
            current += dt.timedelta(days=1)
            assumed = assumed or not calendar.is_known(current)
            counted += counts(current)
        return Reckoning(None, None, assumed, counted)
    while counted < days:
        current += dt.timedelta(days=1)
        assumed = assumed or not calendar.is_known(current)
        counted += counts(current)
    due = current
    # The warn day: the last counted day on which `warn_days` counted days remain (due day included).
    warn, left = due, 0
    while left < warn_days and warn > started_on:
        left += counts(warn)
        warn -= dt.timedelta(days=1)
    while warn > started_on and not counts(warn):
        warn -= dt.timedelta(days=1)
    return Reckoning(due, warn if warn_days else due, assumed, counted)


_COUNTING = ("start", "suspend", "resume")  # the events that decide what is counted


def _pauses_of(events_newest_first: Iterable[tuple[str, dt.date]]) -> list[tuple[dt.date, dt.date | None]]:
    """The suspensions (from, to or None while open) since the last start, oldest first."""
    pauses: list[tuple[dt.date, dt.date | None]] = []
    resumed: dt.date | None = None
    for kind, on_day in events_newest_first:
        if kind == "start":
            break
        if kind == "resume":
            resumed = on_day
        elif kind == "suspend":
            pauses.append((on_day, resumed))
            resumed = None
    return pauses[::-1]


def _pauses(session: Session, clock: LegalClock) -> list[tuple[dt.date, dt.date | None]]:
    rows = session.execute(select(LegalClockEvent.kind, LegalClockEvent.on_day).where(
        LegalClockEvent.clock_id == clock.id, LegalClockEvent.kind.in_(_COUNTING))
        .order_by(LegalClockEvent.id.desc()))
    return _pauses_of((kind, on_day) for kind, on_day in rows)


def _recount(session: Session, clock: LegalClock, calendar: WorkCalendar, day: dt.date,
             pauses: list[tuple[dt.date, dt.date | None]] | None = None) -> bool:
    """Recompute due and warn days; a flag whose day moved into the future may fire again. True if changed."""
    r = reckon(calendar, started_on=clock.started_on, days=clock.days + clock.extended_days,
               warn_days=clock.warn_days, pauses=_pauses(session, clock) if pauses is None else pauses)
    changed = (clock.due_on, clock.warn_on, clock.assumed) != (r.due, r.warn, r.assumed)
    clock.due_on, clock.warn_on, clock.assumed, clock.used_days = r.due, r.warn, r.assumed, r.used
    if clock.due_on is None or clock.due_on >= day:
        clock.overdue_at = None
    if clock.warn_on is None or clock.warn_on > day:
        clock.warned_at = None
    return changed


def _event(session: Session, clock: LegalClock, kind: str, on: dt.date, *, flush: bool = True,
           **kw: object) -> LegalClockEvent:
    event = LegalClockEvent(clock_id=clock.id, kind=kind, on_day=on, at=utcnow(), **kw)
    session.add(event)
    if flush:
        session.flush()  # the history is read back when the clock is recounted
    return event


def get(session: Session, owner_type: str, owner_id: int, name: str = "main") -> LegalClock | None:
    return session.execute(select(LegalClock).where(
        LegalClock.owner_type == owner_type, LegalClock.owner_id == owner_id, LegalClock.name == name)
    ).scalar_one_or_none()


def start(session: Session, *, owner_type: str, owner_id: int, days: int, start: dt.date | None = None,
          stage: str = "", warn_days: int = 1, name: str = "main", calendar: WorkCalendar | None = None,
          actor_id: int | None = None) -> LegalClock:
    """Start (or restart, for the owner's next step) a clock of `days` working days after `start`."""
    if days < 0 or warn_days < 0:
        raise ValidationFailed("期限的工作日数不能为负数。", code="bad_days")
    day = start or today()
    clock = get(session, owner_type, owner_id, name)
    if clock is None:
        clock = LegalClock(owner_type=owner_type, owner_id=owner_id, name=name)
        session.add(clock)
    clock.stage, clock.state, clock.started_on, clock.days, clock.extended_days = stage, RUNNING, day, days, 0
    clock.warn_days, clock.suspended_since, clock.suspension_reason, clock.stopped_on = warn_days, None, None, None
    clock.warned_at = clock.overdue_at = None
    session.flush()
    # The start event first: the recount reads the suspensions since the last start only.
    event = _event(session, clock, "start", day, days=days, actor_id=actor_id, note=stage)
    _recount(session, clock, calendar or calendar_service.load(session), day)
    event.due_on = clock.due_on
    return clock


def suspend(session: Session, clock: LegalClock, *, reason: str, on: dt.date | None = None,
            actor_id: int | None = None, note: str = "", calendar: WorkCalendar | None = None) -> LegalClock:
    """暂停计时: the days from `on` until the clock resumes do not count (补正, 听证, 专家评审 …)."""
    if reason not in SUSPENSION_REASONS:
        raise ValidationFailed(f"“{reason}”不是法定的暂停计时事由，可选：{'、'.join(SUSPENSION_REASONS)}。",
                               code="bad_suspension_reason", detail={"field": "reason"})
    if clock.state != RUNNING:
        raise InvalidTransition("只有正在计时的期限可以暂停。", code="clock_not_running")
    day = on or today()
    if day < clock.started_on:
        raise ValidationFailed("暂停日期早于计时开始日期。", code="bad_day", detail={"field": "on"})
    clock.state, clock.suspended_since, clock.suspension_reason = SUSPENDED, day, reason
    _event(session, clock, "suspend", day, reason=reason, actor_id=actor_id, note=note)
    _recount(session, clock, calendar or calendar_service.load(session), day)
    return clock


def resume(session: Session, clock: LegalClock, *, on: dt.date | None = None, actor_id: int | None = None,
           note: str = "", calendar: WorkCalendar | None = None) -> LegalClock:
    """恢复计时: counting goes on from the day after `on`; the due day moves by the suspended working days."""
    if clock.state != SUSPENDED or clock.suspended_since is None:
        raise InvalidTransition("只有已暂停的期限可以恢复计时。", code="clock_not_suspended")
    day = on or today()
    if day < clock.suspended_since:
        raise ValidationFailed("恢复日期早于暂停日期。", code="bad_day", detail={"field": "on"})
    reason = clock.suspension_reason or ""
    clock.state, clock.suspended_since, clock.suspension_reason = RUNNING, None, None
    _event(session, clock, "resume", day, reason=reason, actor_id=actor_id, note=note)
    _recount(session, clock, calendar or calendar_service.load(session), day)
    session.flush()
    return clock


def extend(session: Session, clock: LegalClock, *, days: int, reason: str, approved_by: str,
           on: dt.date | None = None, actor_id: int | None = None,
           calendar: WorkCalendar | None = None) -> LegalClock:
    """延长: add working days to the limit, with who approved it and why (e.g. 20 + 10, 行政许可法 Art. 42)."""
    if clock.state not in OPEN_STATES:
        raise InvalidTransition("已停止的期限不能延长。", code="clock_stopped")
    if days <= 0:
        raise ValidationFailed("延长的工作日数应大于 0。", code="bad_days", detail={"field": "days"})
    if not reason.strip():
        raise ValidationFailed("请写明延长期限的理由。", code="reason_required", detail={"field": "reason"})
    if not approved_by.strip():
        raise ValidationFailed("请写明批准延长的负责人。", code="approver_required", detail={"field": "approved_by"})
    day = on or today()
    clock.extended_days += days
    _recount(session, clock, calendar or calendar_service.load(session), day)
    _event(session, clock, "extend", day, days=days, due_on=clock.due_on, actor_id=actor_id,
           approved_by=approved_by.strip()[:64], note=reason.strip())
    return clock


def stop(session: Session, clock: LegalClock, *, on: dt.date | None = None, actor_id: int | None = None,
         note: str = "") -> LegalClock:
    """The step is done (answered, withdrawn, decided): the clock no longer runs and is never flagged."""
    if clock.state == STOPPED:
        return clock
    day = on or today()
    clock.state, clock.stopped_on, clock.due_on, clock.warn_on = STOPPED, day, None, None
    clock.suspended_since = clock.suspension_reason = None
    _event(session, clock, "stop", day, actor_id=actor_id, note=note)
    return clock


def stop_owner(session: Session, owner_type: str, owner_id: int | None, *, name: str = "main",
               note: str = "") -> None:
    """Stop the owner's clock if it has one (an object may end a step that had no deadline)."""
    clock = get(session, owner_type, owner_id, name) if owner_id is not None else None
    if clock is not None:
        stop(session, clock, note=note)


def history(session: Session, clock: LegalClock) -> list[LegalClockEvent]:
    return list(session.execute(select(LegalClockEvent).where(LegalClockEvent.clock_id == clock.id)
                                .order_by(LegalClockEvent.id)).scalars())


def recompute_open(session: Session, calendar: WorkCalendar | None = None) -> int:
    """After a holiday-calendar change: recount every open clock; owners mirror moved due days. Returns moved."""
    calendar = calendar or calendar_service.load(session)
    day = today()
    moved = 0
    clocks = session.execute(select(LegalClock).where(LegalClock.state.in_(OPEN_STATES))
                             .order_by(LegalClock.id)).scalars().all()
    # The counting events of all open clocks in one query, not one per clock (a calendar change may meet
    # thousands of open cases).
    counting: dict[int, list[tuple[str, dt.date]]] = {}
    for clock_id, kind, on_day in session.execute(
            select(LegalClockEvent.clock_id, LegalClockEvent.kind, LegalClockEvent.on_day)
            .join(LegalClock, LegalClock.id == LegalClockEvent.clock_id)
            .where(LegalClock.state.in_(OPEN_STATES), LegalClockEvent.kind.in_(_COUNTING))
            .order_by(LegalClockEvent.clock_id, LegalClockEvent.id.desc())):
        counting.setdefault(clock_id, []).append((kind, on_day))
    for clock in clocks:
        before = clock.due_on
        if not _recount(session, clock, calendar, day, _pauses_of(counting.get(clock.id, []))):
            continue
        moved += 1
        _event(session, clock, "recompute", day, flush=False, due_on=clock.due_on,
               note=f"节假日安排变更，期限由 {before} 调整为 {clock.due_on}" if before != clock.due_on else "")
        owner = _OWNERS.get(clock.owner_type)
        if owner is not None and owner.on_change is not None:
            owner.on_change(session, clock)
    session.flush()
    return moved


def open_assumed(session: Session) -> int:
    """Open clocks counted across a year with no holiday notice (the calendar page asks for that notice)."""
    return int(session.execute(select(func.count()).select_from(LegalClock).where(
        LegalClock.state.in_(OPEN_STATES), LegalClock.assumed.is_(True))).scalar_one())


@dataclass(frozen=True)
class Flag:
    clock: LegalClock
    kind: str  # near_due / overdue


def sweep(session: Session, *, on: dt.date | None = None,
          owner_types: Iterable[str] | None = None) -> list[Flag]:
    """逾期预警: flag running clocks that became near due or overdue, each flag once per due day.

    Both scans use the (state, due_on) and (state, warn_on) indexes. A clock found overdue is not also
    reported near due. Rows are locked (skipping rows another sweeper holds, on PostgreSQL), so two
    sweepers never flag the same clock twice. Owners' `on_flag` runs in the same transaction; no commit.
    Only owner types registered in this process are swept (all of them by default): a flag fires once, so
    it must not fire where the domain that acts on it (audit, notices) is not loaded.
    """
    day = on or today()
    types = [t for t in (owner_types if owner_types is not None else _OWNERS) if t in _OWNERS]
    if not types:
        return []
    now = utcnow()

    def scan(*where: object) -> list[LegalClock]:
        q = select(LegalClock).where(LegalClock.state == RUNNING, LegalClock.owner_type.in_(types),
                                     *where)  # type: ignore[arg-type]
        return list(session.execute(q.order_by(LegalClock.due_on, LegalClock.id)
                                    .with_for_update(skip_locked=True)).scalars())

    flags: list[Flag] = []
    for clock in scan(LegalClock.due_on < day, LegalClock.overdue_at.is_(None)):
        clock.overdue_at = now
        clock.warned_at = clock.warned_at or now
        _event(session, clock, OVERDUE, day, due_on=clock.due_on)
        flags.append(Flag(clock, OVERDUE))
    for clock in scan(LegalClock.warn_on <= day, LegalClock.due_on >= day, LegalClock.warned_at.is_(None)):
        clock.warned_at = now
        _event(session, clock, NEAR_DUE, day, due_on=clock.due_on)
        flags.append(Flag(clock, NEAR_DUE))
    for flag in flags:
        owner = _OWNERS.get(flag.clock.owner_type)
        if owner is not None and owner.on_flag is not None:
            owner.on_flag(session, flag.clock, flag.kind)
    session.flush()
    return flags


ASSUMED_NOTE = "（该年度节假日安排尚未公布，暂按周末推算）"


def note(clock: LegalClock) -> str:
    """What a page shows next to the due day: suspension and the weekend fallback, in Chinese."""
    parts = []
    if clock.state == SUSPENDED:
        parts.append(f"（{clock.suspension_reason}，自 {clock.suspended_since} 起暂停计时，"
                     f"已用 {clock.used_days} 个工作日）")
    if clock.extended_days:
        parts.append(f"（已延长 {clock.extended_days} 个工作日）")
    if clock.assumed:
        parts.append(ASSUMED_NOTE)
    return "".join(parts)


_start_clock = start  # `start` is also the name of a step's first day below


class StagedDeadline:
    """The deadline of an object that moves through steps, some with a time limit (共享申请, 数据疑义).

    The object keeps `status`, `stage_started_on`, `stage_days`, `overdue_flagged_at` and a copy of its clock's
    `due_on`/`due_assumed` (lists filter on them); its clock (one per owner) restarts at each step with a limit
    and stops at a step without one. Each domain makes one and registers `mirror` with `register_owner`.
    """

    def __init__(self, owner_type: str, model: type, *, owed_by: dict[str, str], warn_days: int = 1) -> None:
        self.owner_type, self.model, self.owed_by, self.warn_days = owner_type, model, owed_by, warn_days

    def _session(self, obj: Any) -> Session:
        session = object_session(obj)
        if session is None or obj.id is None:
            raise RuntimeError(f"add and flush the {self.owner_type} before starting its clock")
        return session

    def start_stage(self, obj: Any, calendar: WorkCalendar, *, status: str, days: int | None,
                    start: dt.date) -> None:
        """Enter a step; a step with a limit runs the object's clock (`days` working days after `start`)."""
        session = self._session(obj)
        obj.status, obj.stage_started_on, obj.stage_days = status, start, days or 0
        obj.overdue_flagged_at = None
        if days:
            clock = _start_clock(session, owner_type=self.owner_type, owner_id=obj.id, days=days, start=start,
                                 stage=status, warn_days=self.warn_days, calendar=calendar)
            self.mirror(session, clock, obj)
        else:
            self.stop(obj)

    def stop(self, obj: Any) -> None:
        """The object left the steps with a limit (decided, withdrawn, closed)."""
        obj.due_on, obj.due_assumed = None, False
        stop_owner(self._session(obj), self.owner_type, obj.id, note=obj.status)

    def is_overdue(self, obj: Any, on: dt.date) -> bool:
        return obj.status in self.owed_by and obj.due_on is not None and on > obj.due_on

    def mirror(self, session: Session, clock: LegalClock, obj: Any = None) -> None:
        """Copy the clock's due day to the object (after a start, an extension or a calendar change)."""
        obj = obj if obj is not None else session.get(self.model, clock.owner_id)
        if obj is not None:
            obj.due_on, obj.due_assumed = clock.due_on, clock.assumed
