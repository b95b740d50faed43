"""Periodic jobs of 好差评: the default rating (off unless settings.rating_default_after_days > 0) and the overdue
rectification warning. Registered on import."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tongban.jobs import periodic


@periodic("ratings.default", label="好差评默认评价", daily_at=dt.time(2, 30))
def default_ratings(session: Session) -> None:
    """默认评价: rate the cases left unrated the configured number of days after their result."""
    from tongban.ratings import service

    service.apply_default_ratings(session=session)


@periodic("ratings.overdue", label="差评整改逾期提醒", working_days_at=dt.time(8, 10))
def overdue_rectifications(session: Session) -> None:
    """整改逾期: each working morning, warn the department head of a rectification past its deadline, then the
    supervisor if it stays overdue (once each; service.warn_overdue_rectifications)."""
    from tongban.ratings import service

    service.warn_overdue_rectifications(session=session)
