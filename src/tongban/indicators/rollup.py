"""The indicators' rollups (指标汇总): a day's counters recomputed from the facts, whole and idempotently.

`recompute_day` deletes a Beijing day's rows of `indicator_daily` and inserts them again from the cases decided,
the ratings made and the alerts raised and cleared that day (definitions.py says which facts count), then
re-sums that day's month into `indicator_monthly`. Running it twice gives the same rows.

`refresh` (the incremental pass, every ten minutes) finds the days whose facts changed since its last look —
cases decided, ratings made, follow-ups called back or rectified (their rating's day), alerts raised or cleared —
always today, and recomputes each; it also takes today's snapshot of the published implementation lists. The
nightly pass does the same and recomputes yesterday in full. `rebuild(start, end)` recomputes a period
(`tongban indicators rebuild`). Passes serialise on the `indicator_marks` row, so two workers never interleave
their deletes and inserts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Date, and_, delete, func, insert, literal, or_, select, text, update
from sqlalchemy.orm import Session

from tongban import clock
from tongban.cases import models as cm
from tongban.db import utcnow
from tongban.indicators.definitions import CATALOG_COUNTERS, COUNTERS
from tongban.indicators.models import IndicatorCatalogDaily, IndicatorDaily, IndicatorMark, IndicatorMonthly
from tongban.items.models import BasicItem, Implementation
from tongban.org.models import Department
from tongban.ratings import models as rm
from tongban.ratings.queries import GOOD_LEVELS
from tongban.supervision.models import RED, YELLOW, SupervisionAlert
from tongban.transactions import use_case
from tongban.workdays import service as workdays
from tongban.workdays.service import WorkCalendar

_EIGHT_HOURS = dt.timedelta(hours=8)
#: Facts committed late (a use-case that stamped its time before our look and committed after it) are caught
#: by looking back this much further than the last look; recomputing a day twice does no harm.
LOOK_BACK = dt.timedelta(minutes=10)
MARK = "rollup"
DECIDED = (cm.DECIDED, cm.CLOSED, cm.DELIVERED)
RECTIFIED = (rm.RECTIFIED, rm.EXPLAINED, rm.NOTIFIED)
FETCHED = ("licence", "shared")
PROVIDED = ("upload", "licence", "shared")

Key = tuple[int, str, str]


def beijing_day(utc: dt.datetime) -> dt.date:
    """The Beijing calendar day of a naive-UTC time."""
    return (utc + _EIGHT_HOURS).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Beijing midnight starting `day` and the next one, as naive UTC."""
    start = dt.datetime.combine(day, dt.time()) - _EIGHT_HOURS
    return start, start + dt.timedelta(days=1)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _region(impl_region: str | None, dept_region: str | None) -> str:
    return impl_region or dept_region or ""


def _case_counters(session: Session, day: dt.date, calendar: WorkCalendar,
                   rows: dict[Key, dict[str, int]]) -> None:
    start, end = day_bounds(day)
    decided = and_(cm.Case.decided_at >= start, cm.Case.decided_at < end, cm.Case.status.in_(DECIDED),
                   cm.Case.implementation_id.is_not(None))
    cases = session.execute(
        select(cm.Case.id, cm.Case.department_id, cm.Case.item_code, cm.Case.channel, cm.Case.accepted_at,
               cm.Case.decided_at, cm.Case.promised_due_on, cm.Case.legal_due_on, Implementation.region_code,
               Implementation.visits, Implementation.promised_days)
        .join(Implementation, Implementation.id == cm.Case.implementation_id).where(decided)).all()
    key_of: dict[int, Key] = {}
    for c in cases:
        key = (c.department_id, c.item_code, c.region_code)
        key_of[c.id] = key
        r = rows[key]
        r["cases_decided"] += 1
        decided_on = beijing_day(c.decided_at)
        due = c.promised_due_on or c.legal_due_on
        if due is None or decided_on <= due:
            r["cases_on_time"] += 1
        if c.accepted_at is not None:
            r["cases_timed"] += 1
            r["handling_days"] += max(calendar.working_days_between(beijing_day(c.accepted_at), decided_on), 0)
            r["promised_days"] += c.promised_days or 0
        visits = (c.visits or 0) if c.channel == "网上" else max(c.visits or 0, 1)
        r["visits"] += visits
        if visits == 0:
            r["cases_zero_visit"] += 1
    if not key_of:
        return
    materials = session.execute(
        select(cm.CaseMaterial.case_id, cm.CaseMaterial.provided, func.count())
        .join(cm.Case, cm.Case.id == cm.CaseMaterial.case_id)
        .where(decided, cm.CaseMaterial.provided.in_(PROVIDED))
        .group_by(cm.CaseMaterial.case_id, cm.CaseMaterial.provided)).all()
    for case_id, provided, n in materials:
        r = rows[key_of[case_id]]
        r["materials_total"] += n
        if provided in FETCHED:
            r["materials_fetched"] += n


def _rating_counters(session: Session, day: dt.date, rows: dict[Key, dict[str, int]]) -> None:
    start, end = day_bounds(day)
    ratings = session.execute(
        select(rm.Rating.department_id, rm.Rating.item_code, rm.Rating.level, Implementation.region_code,
               Department.region_code.label("dept_region"), rm.RatingFollowUp.callback_at,
               rm.RatingFollowUp.status.label("follow_status"))
        .join(cm.Case, cm.Case.id == rm.Rating.case_id)
        .outerjoin(Implementation, Implementation.id == cm.Case.implementation_id)
        .join(Department, Department.id == rm.Rating.department_id)
        .outerjoin(rm.RatingFollowUp, rm.RatingFollowUp.rating_id == rm.Rating.id)
        .where(rm.Rating.created_at >= start, rm.Rating.created_at < end, rm.Rating.status == rm.VALID)).all()
    for x in ratings:
        r = rows[(x.department_id, x.item_code, _region(x.region_code, x.dept_region))]
        r["ratings"] += 1
        if x.level <= 2:
            r["ratings_bad"] += 1
            if x.callback_at is not None:
                r["bad_called_back"] += 1
            if x.follow_status in RECTIFIED:
                r["bad_rectified"] += 1
        elif x.level in GOOD_LEVELS:
            r["ratings_good"] += 1


def _alert_counters(session: Session, day: dt.date, rows: dict[Key, dict[str, int]]) -> None:
    start, end = day_bounds(day)
    # An alert ends when the supervisor closes it (with its outcome) or, if not closed, when the sweep clears it.
    ended_at = func.coalesce(SupervisionAlert.closed_at, SupervisionAlert.cleared_at)
    columns = (SupervisionAlert.department_id, cm.Case.item_code, Implementation.region_code,
               Department.region_code.label("dept_region"), SupervisionAlert.level, SupervisionAlert.raised_at,
               ended_at.label("ended_at"))

    def alerts(*where: Any) -> Iterable[Any]:
        return session.execute(
            select(*columns).join(cm.Case, cm.Case.id == SupervisionAlert.case_id)
            .outerjoin(Implementation, Implementation.id == cm.Case.implementation_id)
            .join(Department, Department.id == SupervisionAlert.department_id).where(*where)).all()

    for a in alerts(SupervisionAlert.raised_at >= start, SupervisionAlert.raised_at < end):
        r = rows[(a.department_id, a.item_code, _region(a.region_code, a.dept_region))]
        r["alerts_raised"] += 1
        if a.level == YELLOW:
            r["alerts_yellow"] += 1
        elif a.level == RED:
            r["alerts_red"] += 1
    for a in alerts(or_(and_(SupervisionAlert.closed_at >= start, SupervisionAlert.closed_at < end),
                        and_(SupervisionAlert.closed_at.is_(None), SupervisionAlert.cleared_at >= start,
                             SupervisionAlert.cleared_at < end))):  # (each branch on its index)
        r = rows[(a.department_id, a.item_code, _region(a.region_code, a.dept_region))]
        r["alerts_cleared"] += 1
        r["alert_closure_seconds"] += max(int((a.ended_at - a.raised_at).total_seconds()), 0)


def day_counters(session: Session, day: dt.date, calendar: WorkCalendar | None = None) -> dict[Key, dict[str, int]]:
    """The counters of one Beijing day per (department, item, region), from the facts."""
    calendar = calendar or workdays.load(session)
    rows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    _case_counters(session, day, calendar, rows)
    _rating_counters(session, day, rows)
    _alert_counters(session, day, rows)
    return dict(rows)


def _write_day(session: Session, day: dt.date, calendar: WorkCalendar) -> int:
    rows = day_counters(session, day, calendar)
    session.execute(delete(IndicatorDaily).where(IndicatorDaily.day == day))
    if rows:
        session.execute(insert(IndicatorDaily), [
            {"day": day, "department_id": k[0], "item_code": k[1], "region_code": k[2], **v}
            for k, v in sorted(rows.items())])
    _write_month(session, month_of(day))
    return len(rows)


def _write_month(session: Session, month: dt.date) -> None:
    """Re-sum a month's day rows into its month rows (INSERT … SELECT, in the database)."""
    session.execute(delete(IndicatorMonthly).where(IndicatorMonthly.month == month))
    d = IndicatorDaily
    keys = (d.department_id, d.item_code, d.region_code)
    session.execute(insert(IndicatorMonthly).from_select(
        ["month", "department_id", "item_code", "region_code", *COUNTERS],
        select(literal(month, Date).label("month"), *keys, *(func.sum(getattr(d, c)) for c in COUNTERS))
        .where(d.day >= month, d.day < next_month(month)).group_by(*keys)))


def snapshot_catalog(session: Session, day: dt.date) -> int:
    """Today's snapshot of the published implementation lists, per (department, item, region)."""
    session.execute(delete(IndicatorCatalogDaily).where(IndicatorCatalogDaily.day == day))
    impls = session.execute(
        select(Implementation.department_id, BasicItem.code, Implementation.region_code, Implementation.online,
               Implementation.instant, Implementation.visits, Implementation.legal_days,
               Implementation.promised_days)
        .join(BasicItem, BasicItem.id == Implementation.basic_item_id)
        .where(Implementation.status == "published")).all()
    rows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CATALOG_COUNTERS, 0))
    for i in impls:
        r = rows[(i.department_id, i.code, i.region_code)]
        r["items"] += 1
        r["items_online"] += int(bool(i.online))
        r["items_full_online"] += int(bool(i.online) and (i.visits or 0) == 0)
        r["items_instant"] += int(bool(i.instant))
        if (i.legal_days or 0) > 0:
            r["items_with_limit"] += 1
            r["legal_days"] += i.legal_days
            r["promised_days"] += min(i.promised_days or 0, i.legal_days)
    if rows:
        session.execute(insert(IndicatorCatalogDaily), [
            {"day": day, "department_id": k[0], "item_code": k[1], "region_code": k[2], **v}
            for k, v in sorted(rows.items())])
    return len(rows)


def _lock(session: Session) -> IndicatorMark:
    """Take the rollup's lock (its mark row) for the rest of the transaction; made on first use."""
    mark = session.execute(select(IndicatorMark).where(IndicatorMark.name == MARK).with_for_update()).scalar()
    if mark is None:
        session.add(IndicatorMark(name=MARK, checked_at=dt.datetime(2000, 1, 1)))
        session.flush()
        mark = session.execute(select(IndicatorMark).where(IndicatorMark.name == MARK).with_for_update()).scalar_one()
    else:
        # SQLite has no row locks: an update takes the database's write lock now, not at the first insert.
        session.execute(update(IndicatorMark).where(IndicatorMark.name == MARK).values(checked_at=mark.checked_at))
    return mark


def _beijing_date(session: Session, column: Any) -> Any:
    """SQL for the Beijing calendar day of a naive-UTC column."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(column + text("interval '8 hours'"))
    return func.date(column, "+8 hours")


def changed_days(session: Session, since: dt.datetime) -> set[dt.date]:
    """The Beijing days whose facts changed at or after `since` (naive UTC): distinct days, in the database."""
    follow_ups = select(rm.Rating.created_at).join(
        rm.RatingFollowUp, rm.RatingFollowUp.rating_id == rm.Rating.id).where(
        rm.RatingFollowUp.updated_at >= since).subquery()
    sources = (
        (cm.Case.decided_at, cm.Case.decided_at >= since),
        (rm.Rating.created_at, rm.Rating.created_at >= since),
        (follow_ups.c.created_at, None),
        (SupervisionAlert.raised_at, or_(SupervisionAlert.raised_at >= since, SupervisionAlert.cleared_at >= since,
                                         SupervisionAlert.closed_at >= since)),
        (SupervisionAlert.cleared_at, SupervisionAlert.cleared_at >= since),
        (SupervisionAlert.closed_at, SupervisionAlert.closed_at >= since),
    )
    days: set[dt.date] = set()
    for column, where in sources:
        stmt = select(_beijing_date(session, column)).distinct()
        if where is not None:
            stmt = stmt.where(where)
        for value in session.execute(stmt).scalars():
            if value is not None:
                days.add(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
    return days


@use_case
def refresh(session: Session, *, full_days: Iterable[dt.date] = ()) -> list[dt.date]:
    """The incremental pass: recompute today, the days changed since the last pass and `full_days`; take
    today's catalog snapshot. Returns the days recomputed."""
    mark = _lock(session)
    now = utcnow()
    today = clock.today()
    days = changed_days(session, mark.checked_at - LOOK_BACK) | {today} | set(full_days)
    calendar = workdays.load(session)
    for day in sorted(days):
        _write_day(session, day, calendar)
    snapshot_catalog(session, today)
    mark.checked_at = now
    return sorted(days)


def nightly(session: Session) -> list[dt.date]:
    """The nightly pass: the incremental pass plus yesterday recomputed in full."""
    return refresh(session, full_days=[clock.today() - dt.timedelta(days=1)])


@use_case
def recompute(session: Session, *, day: dt.date) -> int:
    """Recompute one day (and its month) from the facts; returns the number of rows written."""
    _lock(session)
    return _write_day(session, day, workdays.load(session))


def rebuild(session: Session, *, start: dt.date, end: dt.date) -> int:
    """Recompute every day of a period, one use-case per day (each commits when called outside a use-case)."""
    written, day = 0, start
    while day <= end:
        written += recompute(session, day=day)
        day += dt.timedelta(days=1)
    return written
