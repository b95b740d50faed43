"""Periodic job of the file store: the daily sweep of files no row names (sweep.py). Registered on import;
the job runner discovers this module."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tongban.jobs.registry import periodic


@periodic("files.sweep", label="清理无引用的文件", daily_at=dt.time(4, 10))
def sweep_unreferenced(session: Session) -> None:
    """Remove stored files older than the grace period that no row names; the count and bytes go to the log
    (tongban.files). A refusal (a kind of file without a referrer) is logged as an error and removes nothing."""
    from tongban.files import sweep

    sweep.sweep(session)
