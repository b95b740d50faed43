"""The calendar page's read model, called directly: who may open it and what it shows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tests.factories import actor_of
from tongban import clock
from tongban.errors import Forbidden
from tongban.workdays import queries
from tongban.workdays import service as workdays


def test_only_calendar_managers_open_the_page(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    for user in ("amr_admin", "supervisor", "hrss_data"):
        with pytest.raises(Forbidden):
            queries.calendar_page(session, actor_of(city.users[user]), 2027)


def test_the_page_shows_a_registered_year(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    admin = actor_of(city.users["admin"])
    workdays.save_year(session=session, actor=admin, year_in=workdays.YearIn(
        year=2031, notice="国务院办公厅关于2031年部分节假日安排的通知",
        holidays=workdays.parse_lines("2031-01-01 元旦"), workdays=[]))
    page = queries.calendar_page(session, admin, 2031)
    assert page.year == 2031 and 2031 in page.years and page.view.official
    assert page.view.holidays == [(dt.date(2031, 1, 1), "元旦")] and page.form == {}
    assert [n for n, _ in page.checks] == [2, 5, 10, 20] and page.today == clock.today()
    assert all(d.due > page.today for _, d in page.checks)
    unknown = queries.calendar_page(session, admin, 2099)
    assert unknown.year == 2099 and not unknown.view.official
    # A year outside the calendar's range opens the default year instead.
    assert queries.calendar_page(session, admin, 1900).year == queries.default_year()
