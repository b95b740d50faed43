"""Deadlines of disputes in working days, the overdue check (逾期预警) and the refresh after a holiday notice."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import SYSTEM
from tongban.clock import today
from tongban.db import utcnow
from tongban.disputes.models import DataDispute
from tongban.workdays.service import WorkCalendar
from tongban.workdays.stages import start_stage as start_stage  # callers enter stages through this module

OBJECT_TYPE = "data_dispute"
# States whose deadline someone must meet, and who that is.
OWED_BY = {"open": "provider", "escalated": "platform"}


def close(dispute: DataDispute, status: str) -> None:
    dispute.status = status
    dispute.due_on, dispute.due_assumed = None, False
    dispute.closed_at = utcnow()


def is_overdue(dispute: DataDispute, on: dt.date) -> bool:
    return dispute.status in OWED_BY and dispute.due_on is not None and on > dispute.due_on


def flag_overdue(session: Session) -> list[DataDispute]:
    """逾期预警: mark disputes whose deadline has passed, once per stage, and audit each (for a daily cron)."""
    rows = session.execute(select(DataDispute).where(
        DataDispute.status.in_(list(OWED_BY)), DataDispute.due_on < today(),
        DataDispute.overdue_flagged_at.is_(None)).order_by(DataDispute.id)).scalars().unique().all()
    now = utcnow()
    for dispute in rows:
        dispute.overdue_flagged_at = now
        audit.record(session, actor=SYSTEM, action="dispute.overdue", object_type=OBJECT_TYPE,
                     object_id=dispute.number, purpose="数据疑义处理",
                     detail={"status": dispute.status, "owed_by": OWED_BY[dispute.status],
                             "due_on": dispute.due_on.isoformat() if dispute.due_on else None,
                             "provider_id": dispute.provider_id, "consumer_id": dispute.consumer_id})
    session.commit()
    return list(rows)


def refresh_assumed(session: Session, calendar: WorkCalendar) -> int:
    """After a holiday notice is entered, recompute deadlines that were estimated from weekends (no commit)."""
    changed = 0
    rows = session.execute(select(DataDispute).where(DataDispute.due_assumed.is_(True),
                                                     DataDispute.status.in_(list(OWED_BY)))).scalars().unique()
    for dispute in rows:
        deadline = calendar.add_working_days(dispute.stage_started_on, dispute.stage_days)
        dispute.due_on, dispute.due_assumed = deadline.due, deadline.assumed
        changed += 1
    return changed
