"""Periodic job of electronic licences: expiry, daily just after midnight Beijing time. Registered on import."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tongban.jobs import periodic


@periodic("licences.expire", label="电子证照到期处理", daily_at=dt.time(0, 10))
def expire_licences(session: Session) -> None:
    """到期: mark licences whose validity has ended as expired (what `tongban licence expire` does)."""
    from tongban.authz import SYSTEM
    from tongban.licences import issuing

    issuing.expire_due(session=session, actor=SYSTEM)
