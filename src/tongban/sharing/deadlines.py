"""Deadlines of sharing requests, in working days, on the legal clocks (workdays.clocks).

Each request has one clock, restarted at every step that someone owes an answer by a deadline. The
request's own `due_on` / `due_assumed` columns mirror the clock so lists sort and filter by them; the clock
is the source (the calendar recounts it and calls `_deadline.mirror`, the sweep calls `_flagged`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tongban import notifications
from tongban.audit import service as audit
from tongban.authz import SYSTEM
from tongban.clock import today
from tongban.db import utcnow
from tongban.sharing.models import SharingRequest
from tongban.workdays import clocks
from tongban.workdays.models import LegalClock

OWNER = "sharing_request"
# States whose deadline someone must meet, and who that is.
OWED_BY = {"submitted": "platform", "pending_provider": "provider", "objected": "platform"}
# Near due when one working day is left (the compliance check has only two).
WARN_DAYS = 1


_deadline = clocks.StagedDeadline(OWNER, SharingRequest, owed_by=OWED_BY, warn_days=WARN_DAYS)
start_stage = _deadline.start_stage
stop = _deadline.stop
is_overdue = _deadline.is_overdue


def _flagged(session: Session, clock: LegalClock, kind: str) -> None:
    """A request became near due or overdue: audit it (逾期预警) and mark overdue requests."""
    request = session.get(SharingRequest, clock.owner_id)
    if request is None or request.status not in OWED_BY:
        return
    if kind == clocks.OVERDUE:
        request.overdue_flagged_at = utcnow()
    if clock.due_on is not None:
        _warn(session, clock, request, overdue=kind == clocks.OVERDUE)
    audit.record(session, actor=SYSTEM, action=f"sharing.{kind}", object_type="sharing_request",
                 object_id=request.number,
                 detail={"status": request.status, "owed_by": OWED_BY[request.status],
                         "due_on": request.due_on.isoformat() if request.due_on else None,
                         "provider_id": request.provider_id, "consumer_id": request.consumer_id})


def _warn(session: Session, clock: LegalClock, request: SharingRequest, *, overdue: bool) -> None:
    """期限临近提醒 or 逾期提醒 (each once per step) to whoever owes the step: the provider's data
    officers, or the platform's staff."""
    assert clock.due_on is not None
    notice = notifications.deadline_passed if overdue else notifications.deadline_near
    notice(session, owed_by=OWED_BY[request.status], department_id=request.provider_id,
           what="共享申请", number=request.number, title=request.resource.name,
           due_on=clock.due_on, link=f"/sharing/requests/{request.id}")


clocks.register_owner(OWNER, on_change=_deadline.mirror, on_flag=_flagged)


def flag_overdue(session: Session, day: dt.date | None = None) -> list[SharingRequest]:
    """Sweep the requests' clocks: near-due and overdue flags fire once per step; returns the overdue ones.

    Commits nothing: it runs inside the caller's use-case (service.check_deadlines, the job's scope)."""
    flags = clocks.sweep(session, on=day or today(), owner_types=[OWNER])
    overdue = [session.get(SharingRequest, f.clock.owner_id) for f in flags if f.kind == clocks.OVERDUE]
    return [r for r in overdue if r is not None]
