"""Working days across Chinese holidays and make-up days, and the fallback beyond known years."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tests.factories import actor_of
from tongban.errors import Forbidden, ValidationFailed
from tongban.workdays import service as workdays

D = dt.date


def test_national_day_2026_with_make_up_days(session: Session) -> None:
    cal = workdays.load(session)
    assert not cal.is_workday(D(2026, 10, 1)) and not cal.is_workday(D(2026, 10, 7))
    assert cal.is_workday(D(2026, 9, 20))  # Sunday, 国庆节调休
    assert cal.is_workday(D(2026, 10, 10))  # Saturday, 国庆节调休
    assert cal.names[D(2026, 10, 1)] == "国庆节"
    # Submitted Wednesday 30 September: two working days skip the whole holiday.
    assert cal.add_working_days(D(2026, 9, 30), 2) == workdays.Deadline(D(2026, 10, 9), False)
    # Five working days from Friday 9 October count Saturday 10 October (调休).
    assert cal.add_working_days(D(2026, 10, 9), 5).due == D(2026, 10, 15)
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 9)) == 2


def test_spring_festival_2026(session: Session) -> None:
    cal = workdays.load(session)
    # 2026 春节: 15–23 February off, with Saturday 14 and Saturday 28 February worked.
    off = [d for d in (D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20),
                       D(2026, 2, 23)) if not cal.is_workday(d)]
    assert len(off) == 6
    assert cal.is_workday(D(2026, 2, 14)) and cal.is_workday(D(2026, 2, 28))


def test_beyond_known_years_falls_back_to_weekends_and_says_so(session: Session) -> None:
    cal = workdays.load(session)
    deadline = cal.add_working_days(D(2026, 12, 29), 5)
    assert deadline.assumed and deadline.due == D(2027, 1, 5)  # 1 January 2027 is a weekday, counted
    assert "尚未公布" in deadline.note()
    assert not cal.add_working_days(D(2026, 12, 1), 5).assumed


def test_admin_enters_next_years_notice(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    admin = actor_of(city.users["admin"])
    year_in = workdays.YearIn(year=2027, notice="国务院办公厅关于2027年部分节假日安排的通知",
                              holidays=[(D(2027, 1, 1), "元旦")], workdays=[])
    workdays.save_year(session=session, actor=admin, year_in=year_in)
    cal = workdays.load(session)
    deadline = cal.add_working_days(D(2026, 12, 29), 5)
    assert not deadline.assumed and deadline.due == D(2027, 1, 6)
    with pytest.raises(ValidationFailed, match="周末"):
        workdays.save_year(session=session, actor=admin, year_in=workdays.YearIn(
            year=2027, notice="x", holidays=[(D(2027, 1, 2), "元旦")], workdays=[]))
    with pytest.raises(Forbidden):
        workdays.save_year(session=session, actor=actor_of(city.users["amr_admin"]), year_in=year_in)
