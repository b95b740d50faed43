"""Periodic job of data-quality disputes: the deadline check each working morning. Registered on import."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tongban.jobs import periodic


@periodic("disputes.deadlines", label="数据疑义期限检查", working_days_at=dt.time(8, 0))
def dispute_deadlines(session: Session) -> None:
    """逾期预警: flag disputes past their answer or coordination deadline (Beijing working mornings)."""
    from tongban.disputes import service

    service.check_deadlines(session=session)
