"""The cases' clocks on the legal-clock sweep: warnings to the handlers as a deadline nears or passes, and
deemed acceptance (视为受理) of cases not told of 补正 within five working days."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.cases import common, handling
from tongban.cases.models import SUBMITTED, Case
from tongban.clock import today
from tongban.notifications import service as notifications
from tongban.notifications.message_templates import DEADLINE_NEAR, DEADLINE_OVERDUE
from tongban.transactions import use_case
from tongban.workdays import clocks
from tongban.workdays import service as workdays
from tongban.workdays.models import LegalClock

SYSTEM = Actor(kind="system", id=None, name="通办平台（期限检查）")
HANDLERS = ("window_clerk", "reviewer")


def _flagged(session: Session, clock: LegalClock, kind: str) -> None:
    """Warn the handling department's clerks and reviewers (提醒 near due, 报警 overdue)."""
    if clock.name == common.ACCEPT:
        return  # an overdue acceptance is not a warning: the case is deemed accepted (check_deadlines)
    case = session.get(Case, clock.owner_id)
    if case is None or clock.due_on is None:
        return
    what = common.CLOCK_LABELS.get(clock.name, "办件期限")
    values: dict[str, object] = {"what": f"办件{what}", "number": case.number or "", "title": case.item_name,
                                 "due_on": clock.due_on.isoformat()}
    calendar = workdays.load(session)
    if kind == clocks.NEAR_DUE:
        template = DEADLINE_NEAR.code
        values["days_left"] = calendar.working_days_between(today(), clock.due_on)
    else:
        template = DEADLINE_OVERDUE.code
        values["days_over"] = max(calendar.working_days_between(clock.due_on, today()), 1)
    recipients = notifications.department_staff(session, case.department_id, roles=HANDLERS)
    notifications.notify(session, template=template, recipients=recipients, personalisation=values,
                         reference=case.number or "", link=f"/cases/{case.number}")
    common.event(session, case, SYSTEM, f"clock_{kind}", f"{what}{'临近' if kind == clocks.NEAR_DUE else '已逾期'}",
                 due_on=clock.due_on.isoformat())


clocks.register_owner(common.OWNER, on_change=common.mirror, on_flag=_flagged)


@use_case
def check_deadlines(*, session: Session, day: dt.date | None = None) -> list[Case]:
    """The daily sweep: flag the cases' clocks, then accept every submitted case whose five working days for
    a 补正 notice have passed (行政许可法 Art. 32). Returns the cases deemed accepted."""
    day = day or today()
    clocks.sweep(session, on=day, owner_types=[common.OWNER])
    due = session.scalars(select(Case).where(Case.status == SUBMITTED, Case.accept_due_on < day)
                          .order_by(Case.accept_due_on, Case.id).limit(500)).all()
    return [case for case in due if handling.deem_accepted(session, SYSTEM, case)]
