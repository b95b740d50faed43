"""Legal clocks: suspension across the Spring Festival, extension, calendar changes while clocks run, the
weekend fallback beyond the known years, and the near-due / overdue sweep firing once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import actor_of
from tongban import clock as beijing
from tongban.errors import InvalidTransition, ValidationFailed
from tongban.workdays import clocks
from tongban.workdays import service as workdays
from tongban.workdays.models import LegalClock

D = dt.date
OWNER = "test_permit"  # an owner type of these tests, registered like a domain registers its own


@pytest.fixture
def seen() -> dict[str, list[tuple[int, object]]]:
    """A test domain: it mirrors moved due days and records the flags the sweep hands it."""
    record: dict[str, list[tuple[int, object]]] = {"changed": [], "flagged": []}
    clocks.register_owner(OWNER, on_change=lambda s, c: record["changed"].append((c.owner_id, c.due_on)),
                          on_flag=lambda s, c, kind: record["flagged"].append((c.owner_id, kind)))
    return record


def _start(session: Session, owner_id: int, start: dt.date, days: int, warn_days: int = 1) -> LegalClock:
    return clocks.start(session, owner_type=OWNER, owner_id=owner_id, days=days, start=start, stage="review",
                        warn_days=warn_days)


def test_suspension_across_the_spring_festival(session: Session) -> None:
    # 10 working days from Monday 9 February 2026 would end on Saturday 28 February (春节调休, a working day).
    c = _start(session, 1, D(2026, 2, 9), 10)
    assert c.due_on == D(2026, 2, 28) and not c.assumed
    # 补正 asked on Wednesday 11 February (two days used); the supplement arrives Wednesday 25 February.
    clocks.suspend(session, c, reason="补正", on=D(2026, 2, 11), note="缺少营业执照复印件")
    assert (c.state, c.due_on, c.warn_on, c.used_days) == ("suspended", None, None, 2)
    assert "补正" in clocks.note(c) and "暂停计时" in clocks.note(c)
    clocks.resume(session, c, on=D(2026, 2, 25))
    # Counting goes on from 26 February: 26, 27, 28 (调休), 2–6 March: eight more days.
    assert (c.state, c.due_on, c.warn_on) == ("running", D(2026, 3, 6), D(2026, 3, 5))
    kinds = [(e.kind, e.reason) for e in clocks.history(session, c)]
    assert kinds == [("start", ""), ("suspend", "补正"), ("resume", "补正")]


def test_suspension_reasons_are_a_known_list(session: Session) -> None:
    c = _start(session, 1, D(2026, 3, 2), 20)
    with pytest.raises(ValidationFailed, match="不是法定的暂停计时事由"):
        clocks.suspend(session, c, reason="领导出差", on=D(2026, 3, 3))
    clocks.register_suspension_reasons("现场勘验")
    clocks.suspend(session, c, reason="现场勘验", on=D(2026, 3, 3))
    with pytest.raises(InvalidTransition):
        clocks.suspend(session, c, reason="听证", on=D(2026, 3, 4))
    clocks.resume(session, c, on=D(2026, 3, 3))  # resumed the same day: nothing left out
    assert c.due_on == D(2026, 3, 30)
    # A second suspension (听证) is left out too; the first one stays counted in.
    clocks.suspend(session, c, reason="听证", on=D(2026, 3, 10))
    clocks.resume(session, c, on=D(2026, 3, 13))  # 11, 12, 13 March not counted
    assert c.due_on == D(2026, 4, 2)


def test_extension_with_approver_and_reason(session: Session) -> None:
    # 20 working days from Monday 2 March 2026 (行政许可法 Art. 42), then 10 more approved.
    c = _start(session, 1, D(2026, 3, 2), 20)
    assert c.due_on == D(2026, 3, 30)
    with pytest.raises(ValidationFailed, match="负责人"):
        clocks.extend(session, c, days=10, reason="需现场核查", approved_by=" ")
    with pytest.raises(ValidationFailed, match="理由"):
        clocks.extend(session, c, days=10, reason="", approved_by="王局长")
    clocks.extend(session, c, days=10, reason="涉及多个部门，需现场核查", approved_by="王局长（分管副局长）",
                  on=D(2026, 3, 25))
    # 31 March, 1–3 April, then 清明节 (4–6 April), 7–10 and 13–14 April.
    assert c.due_on == D(2026, 4, 14) and c.extended_days == 10
    event = clocks.history(session, c)[-1]
    assert (event.kind, event.days, event.approved_by, event.note) == (
        "extend", 10, "王局长（分管副局长）", "涉及多个部门，需现场核查")
    assert "已延长 10 个工作日" in clocks.note(c)
    clocks.stop(session, c, on=D(2026, 4, 1))
    with pytest.raises(InvalidTransition):
        clocks.extend(session, c, days=5, reason="再次延长", approved_by="王局长")


def test_calendar_change_moves_running_clocks(session: Session, city, seen) -> None:  # type: ignore[no-untyped-def]
    admin = actor_of(city.users["admin"])
    running = _start(session, 1, D(2026, 6, 1), 5)  # 2–5 and 8 June
    suspended = _start(session, 2, D(2026, 6, 1), 5)
    clocks.suspend(session, suspended, reason="专家评审", on=D(2026, 6, 2))
    done = _start(session, 3, D(2026, 6, 1), 5)
    clocks.stop(session, done, on=D(2026, 6, 2))
    assert running.due_on == D(2026, 6, 8)
    # The city adds a local holiday on Thursday 4 June (a correction of the year's entry).
    view = workdays.year_view(session=session, year=2026)
    with beijing.frozen(D(2026, 6, 2)):
        workdays.save_year(session=session, actor=admin, year_in=workdays.YearIn(
            year=2026, notice="国务院办公厅通知及本市补充安排", holidays=[*view.holidays, (D(2026, 6, 4), "本市假日")],
            workdays=view.workdays))
    session.refresh(running)
    assert running.due_on == D(2026, 6, 9) and running.warn_on == D(2026, 6, 8)
    assert seen["changed"] == [(1, D(2026, 6, 9))]  # only the clock that moved; the owner mirrors it
    assert suspended.state == "suspended" and suspended.due_on is None
    clocks.resume(session, suspended, on=D(2026, 6, 5))  # 3 and 5 June left out, 4 June a holiday now
    assert suspended.due_on == D(2026, 6, 11)  # 2, 8, 9, 10, 11
    assert done.due_on is None
    assert clocks.history(session, running)[-1].kind == "recompute"


def test_beyond_the_known_years_falls_back_to_weekends_and_says_so(session: Session, city,  # type: ignore[no-untyped-def]
                                                                   seen) -> None:
    last_known = max(workdays.known_years(session=session))
    assert last_known == 2026  # chinese-calendar knows up to 2026; nobody has entered 2027 yet
    c = _start(session, 1, D(2026, 12, 28), 5)  # 29, 30, 31 December, then Friday 1 and Monday 4 January
    assert c.due_on == D(2027, 1, 4) and c.assumed
    assert "暂按周末推算" in clocks.note(c)
    inside = _start(session, 2, D(2026, 12, 1), 5)
    assert not inside.assumed and clocks.note(inside) == ""
    workdays.save_year(session=session, actor=actor_of(city.users["admin"]), year_in=workdays.YearIn(
        year=2027, notice="国务院办公厅关于2027年部分节假日安排的通知", holidays=[(D(2027, 1, 1), "元旦")], workdays=[]))
    session.refresh(c)
    assert c.due_on == D(2027, 1, 5) and not c.assumed and clocks.note(c) == ""
    assert seen["changed"] == [(1, D(2027, 1, 5))]


def test_sweep_flags_near_due_and_overdue_once(session: Session, seen) -> None:  # type: ignore[no-untyped-def]
    c = _start(session, 1, D(2026, 3, 2), 5, warn_days=2)  # due Monday 9 March; warn when 6 and 9 are left
    assert (c.due_on, c.warn_on) == (D(2026, 3, 9), D(2026, 3, 5))
    _start(session, 2, D(2026, 2, 24), 2)  # due 26 February: first seen when already overdue
    paused = _start(session, 3, D(2026, 2, 24), 2)
    clocks.suspend(session, paused, reason="检测检验", on=D(2026, 2, 25))
    stopped = _start(session, 4, D(2026, 2, 24), 2)
    clocks.stop(session, stopped, on=D(2026, 2, 25))

    assert [(f.clock.owner_id, f.kind) for f in clocks.sweep(session, on=D(2026, 3, 4))] == [(2, "overdue")]
    assert [(f.clock.owner_id, f.kind) for f in clocks.sweep(session, on=D(2026, 3, 5))] == [(1, "near_due")]
    assert clocks.sweep(session, on=D(2026, 3, 5)) == []  # once
    assert clocks.sweep(session, on=D(2026, 3, 9)) == []  # the due day itself is not overdue
    assert [(f.clock.owner_id, f.kind) for f in clocks.sweep(session, on=D(2026, 3, 10))] == [(1, "overdue")]
    assert clocks.sweep(session, on=D(2026, 3, 11)) == []
    assert seen["flagged"] == [(2, "overdue"), (1, "near_due"), (1, "overdue")]
    assert [e.kind for e in clocks.history(session, c)] == ["start", "near_due", "overdue"]
    # An extension gives a new due day, whose flags may fire again.
    with beijing.frozen(D(2026, 3, 11)):
        clocks.extend(session, c, days=3, reason="申请人补充说明", approved_by="李科长")
    assert c.due_on == D(2026, 3, 12) and c.overdue_at is None
    assert [(f.clock.owner_id, f.kind) for f in clocks.sweep(session, on=D(2026, 3, 13))] == [(1, "overdue")]
    # Both scans are on stored, indexed columns.
    indexed = {tuple(ix.columns.keys()) for ix in LegalClock.__table__.indexes}
    assert {("state", "due_on"), ("state", "warn_on")} <= indexed
    assert session.execute(select(LegalClock).where(LegalClock.state == "running")).scalars().all()
