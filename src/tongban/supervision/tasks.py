"""Periodic job of 电子监察: the alert sweep. Registered on import; the job runner discovers this module."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tongban.jobs import periodic


@periodic("supervision.sweep", label="电子监察预警检查", working_days_at=dt.time(7, 45))
def supervision_sweep(session: Session) -> None:
    """After the cases' own deadline sweep (07:30): raise, clear and escalate the 时效 alerts."""
    from tongban.supervision import service

    service.sweep(session=session)
