"""Periodic job of sharing: the deadline check of sharing requests. Registered on import; the job runner
discovers this module."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tongban.jobs import periodic


@periodic("sharing.deadlines", label="共享申请期限检查", working_days_at=dt.time(8, 0))
def sharing_deadlines(session: Session) -> None:
    """逾期预警: flag sharing requests past their stage deadline, each working morning (Beijing time)."""
    from tongban.sharing import service

    service.check_deadlines(session=session)
