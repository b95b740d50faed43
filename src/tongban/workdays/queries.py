"""Read models of the workdays pages: one function per page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from tongban import clock
from tongban.authz import Actor, Permission
from tongban.workdays import clocks, service
from tongban.workdays.service import Deadline


@dataclass(frozen=True)
class CalendarPage:
    view: service.YearView
    #: The years with a registered holiday notice (the page's tabs).
    years: list[int]
    year: int
    today: dt.date
    #: Deadlines of 2, 5, 10 and 20 working days from today, as a check of the registered calendar.
    checks: list[tuple[int, Deadline]]
    #: Open clocks counted across a year with no notice (weekends assumed).
    assumed_open: int
    form: dict[str, str] = field(default_factory=dict)


def default_year() -> int:
    """The year the page opens on: next year from November (when the State Council publishes it)."""
    today = clock.today()
    return today.year + (1 if today.month >= 11 else 0)


def calendar_page(session: Session, actor: Actor, year: int | None = None) -> CalendarPage:
    """节假日设置: one year's registered holidays and make-up working days (calendar managers only)."""
    actor.require(Permission.CALENDAR_MANAGE)
    year = year if year and 2000 <= year <= 2100 else default_year()
    calendar = service.load(session)
    start = clock.today()
    return CalendarPage(view=service.year_view(session=session, year=year),
                        years=service.known_years(session=session), year=year, today=start,
                        checks=[(n, calendar.add_working_days(start, n)) for n in (2, 5, 10, 20)],
                        assumed_open=clocks.open_assumed(session))
