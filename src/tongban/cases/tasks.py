"""Periodic job of the cases: the deadline sweep (warnings, deemed acceptance). Registered on import; the job
runner discovers this module."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tongban.jobs import periodic


@periodic("cases.deadlines", label="办件期限检查", working_days_at=dt.time(7, 30))
def case_deadlines(session: Session) -> None:
    """逾期预警 and 视为受理, each working morning (Beijing time)."""
    from tongban.cases import deadlines

    deadlines.check_deadlines(session=session)
