"""A calendar change is one use-case with the recount of open clocks: all of it commits, or none of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import actor_of
from tongban import clock as beijing
from tongban.audit.models import AuditEntry
from tongban.transactions import scope
from tongban.workdays import clocks
from tongban.workdays import service as workdays
from tongban.workdays.models import LegalClock

D = dt.date
FAILING = "test_failing_owner"


class MirrorFailed(RuntimeError):
    pass


@pytest.fixture
def failing_owner() -> Iterator[None]:
    """A domain whose mirror of a moved due day fails (its own table refuses the write, say)."""
    def on_change(session: Session, clock: LegalClock) -> None:
        raise MirrorFailed(clock.owner_id)

    clocks.register_owner(FAILING, on_change=on_change)
    yield
    clocks._OWNERS.pop(FAILING, None)  # registrations are process-wide; leave none for the next test


def _calendar_updates(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)
                          .where(AuditEntry.action == "calendar.update")) or 0


def _year_in(session: Session, extra_holiday: tuple[dt.date, str]) -> workdays.YearIn:
    view = workdays.year_view(session=session, year=2026)
    return workdays.YearIn(year=2026, notice="国务院办公厅通知及本市补充安排",
                           holidays=[*view.holidays, extra_holiday], workdays=view.workdays)


def test_a_failed_recount_leaves_the_calendar_unchanged(session: Session, city, failing_owner) -> None:  # type: ignore[no-untyped-def]
    with scope(session):
        running = clocks.start(session, owner_type=FAILING, owner_id=1, days=5, start=D(2026, 6, 1), stage="review")
    assert running.due_on == D(2026, 6, 8)
    before = workdays.year_view(session=session, year=2026)
    with beijing.frozen(D(2026, 6, 2)), pytest.raises(MirrorFailed):
        workdays.save_year(session=session, actor=actor_of(city.users["admin"]),
                           year_in=_year_in(session, (D(2026, 6, 4), "本市假日")))
    after = workdays.year_view(session=session, year=2026)
    assert (after.notice, after.holidays, after.source) == (before.notice, before.holidays, before.source)
    assert workdays.load(session).is_workday(D(2026, 6, 4))
    session.refresh(running)
    assert running.due_on == D(2026, 6, 8)
    assert [e.kind for e in clocks.history(session, running)] == ["start"]
    assert _calendar_updates(session) == 0


def test_a_calendar_change_inside_a_failing_outer_use_case_leaves_nothing(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    with scope(session):
        running = clocks.start(session, owner_type="test_quiet", owner_id=1, days=5, start=D(2026, 6, 1),
                               stage="review")
    admin = actor_of(city.users["admin"])
    with beijing.frozen(D(2026, 6, 2)):
        with pytest.raises(LookupError), scope(session):
            saved = workdays.save_year(session=session, actor=admin,
                                       year_in=_year_in(session, (D(2026, 6, 4), "本市假日")))
            assert saved.recounted == 1  # done inside, then the caller fails
            raise LookupError("the outer use-case fails after the calendar change")
        assert workdays.load(session).is_workday(D(2026, 6, 4))
        session.refresh(running)
        assert running.due_on == D(2026, 6, 8) and _calendar_updates(session) == 0

        with scope(session):  # the same change inside an outer use-case that succeeds: committed with it
            workdays.save_year(session=session, actor=admin, year_in=_year_in(session, (D(2026, 6, 4), "本市假日")))
    session.close()
    assert not workdays.load(session).is_workday(D(2026, 6, 4))
    assert session.get(LegalClock, running.id).due_on == D(2026, 6, 9)  # type: ignore[union-attr]
    assert _calendar_updates(session) == 1
