"""Deadlines of disputes in working days, on the legal clocks (workdays.clocks), and the overdue check (逾期预警).

A dispute has one clock, restarted when it is raised (the provider answers) and when it is escalated (the
platform coordinates). The dispute's `due_on` / `due_assumed` columns mirror the clock so lists sort and
filter by them; the calendar recounts the clock and calls `_deadline.mirror`, the sweep calls `_flagged`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tongban import notifications
from tongban.audit import service as audit
from tongban.authz import SYSTEM
from tongban.clock import today
from tongban.db import utcnow
from tongban.disputes.models import DataDispute
from tongban.workdays import clocks
from tongban.workdays.models import LegalClock

OBJECT_TYPE = "data_dispute"
# States whose deadline someone must meet, and who that is.
OWED_BY = {"open": "provider", "escalated": "platform"}
WARN_DAYS = 1  # near due when one working day is left


_deadline = clocks.StagedDeadline(OBJECT_TYPE, DataDispute, owed_by=OWED_BY, warn_days=WARN_DAYS)
start_stage = _deadline.start_stage
is_overdue = _deadline.is_overdue


def close(dispute: DataDispute, status: str) -> None:
    """The dispute ends (corrected, withdrawn, upheld …): its clock stops."""
    dispute.status = status
    dispute.closed_at = utcnow()
    _deadline.stop(dispute)


def _flagged(session: Session, clock: LegalClock, kind: str) -> None:
    """A dispute became near due or overdue: audit it and mark overdue disputes."""
    dispute = session.get(DataDispute, clock.owner_id)
    if dispute is None or dispute.status not in OWED_BY:
        return
    if kind == clocks.OVERDUE:
        dispute.overdue_flagged_at = utcnow()
    if clock.due_on is not None:
        _warn(session, clock, dispute, overdue=kind == clocks.OVERDUE)
    audit.record(session, actor=SYSTEM, action=f"dispute.{kind}", object_type=OBJECT_TYPE,
                 object_id=dispute.number, purpose="数据疑义处理",
                 detail={"status": dispute.status, "owed_by": OWED_BY[dispute.status],
                         "due_on": dispute.due_on.isoformat() if dispute.due_on else None,
                         "provider_id": dispute.provider_id, "consumer_id": dispute.consumer_id})


def _warn(session: Session, clock: LegalClock, dispute: DataDispute, *, overdue: bool) -> None:
    """期限临近提醒 or 逾期提醒 (each once per step) to whoever owes the step: the provider's data
    officers, or the platform's staff."""
    assert clock.due_on is not None
    notice = notifications.deadline_passed if overdue else notifications.deadline_near
    notice(session, owed_by=OWED_BY[dispute.status], department_id=dispute.provider_id,
           what="数据疑义", number=dispute.number, title=dispute.resource.name,
           due_on=clock.due_on, link=f"/disputes/{dispute.id}")


clocks.register_owner(OBJECT_TYPE, on_change=_deadline.mirror, on_flag=_flagged)


def flag_overdue(session: Session) -> list[DataDispute]:
    """逾期预警: sweep the disputes' clocks (near-due and overdue flags fire once per step); the overdue ones.

    Commits nothing: it runs inside the caller's use-case (service.check_deadlines, the job's scope)."""
    flags = clocks.sweep(session, on=today(), owner_types=[OBJECT_TYPE])
    overdue = [session.get(DataDispute, f.clock.owner_id) for f in flags if f.kind == clocks.OVERDUE]
    return [d for d in overdue if d is not None]
