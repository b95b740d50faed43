"""Deadlines of sharing requests, in working days, and the overdue check."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import SYSTEM
from tongban.db import utcnow
from tongban.exchange.models import SharingRequest
from tongban.workdays.service import WorkCalendar
from tongban.workdays.stages import start_stage as start_stage  # callers enter stages through this module

# States whose deadline someone must meet, and who that is.
OWED_BY = {"submitted": "platform", "pending_provider": "provider", "objected": "platform"}


def is_overdue(request: SharingRequest, today: dt.date) -> bool:
    return request.status in OWED_BY and request.due_on is not None and today > request.due_on


def refresh_assumed(session: Session, calendar: WorkCalendar) -> int:
    """After a holiday notice is entered, recompute deadlines that were estimated from weekends."""
    changed = 0
    rows = session.execute(select(SharingRequest).where(SharingRequest.due_assumed.is_(True),
                                                        SharingRequest.status.in_(list(OWED_BY)))).scalars()
    for request in rows:
        deadline = calendar.add_working_days(request.stage_started_on, request.stage_days)
        request.due_on, request.due_assumed = deadline.due, deadline.assumed
        changed += 1
    return changed


def flag_overdue(session: Session, today: dt.date) -> list[SharingRequest]:
    """Mark requests whose stage deadline has passed, once per stage, and audit each (逾期预警)."""
    rows = session.execute(select(SharingRequest).where(
        SharingRequest.status.in_(list(OWED_BY)), SharingRequest.due_on < today,
        SharingRequest.overdue_flagged_at.is_(None))).scalars().all()
    now = utcnow()
    for request in rows:
        request.overdue_flagged_at = now
        audit.record(session, actor=SYSTEM, action="sharing.overdue", object_type="sharing_request",
                     object_id=request.number,
                     detail={"status": request.status, "owed_by": OWED_BY[request.status],
                             "due_on": request.due_on.isoformat() if request.due_on else None,
                             "provider_id": request.provider_id, "consumer_id": request.consumer_id})
    session.commit()
    return list(rows)
