"""Stages with a working-day deadline (办理时限), shared by sharing requests and data-quality disputes."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from tongban.workdays.service import WorkCalendar


class Staged(Protocol):
    """Anything that moves through stages, each with an optional due date in working days."""

    status: str
    stage_started_on: dt.date
    stage_days: int
    due_on: dt.date | None
    due_assumed: bool
    overdue_flagged_at: dt.datetime | None


def start_stage(item: Staged, calendar: WorkCalendar, *, status: str, days: int | None, start: dt.date) -> None:
    """Enter a stage; a stage with a deadline gets its due date (working days after `start`)."""
    item.status = status
    item.stage_started_on = start
    item.stage_days = days or 0
    item.overdue_flagged_at = None
    if days:
        deadline = calendar.add_working_days(start, days)
        item.due_on, item.due_assumed = deadline.due, deadline.assumed
    else:
        item.due_on, item.due_assumed = None, False
