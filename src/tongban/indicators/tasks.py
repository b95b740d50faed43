"""Periodic jobs of the indicators: the incremental pass every ten minutes, the nightly pass. Registered on
import."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tongban.jobs import periodic


@periodic("indicators.refresh", label="绩效指标增量汇总", every=dt.timedelta(minutes=10))
def refresh_indicators(session: Session) -> None:
    """Recompute today and the days whose facts changed since the last pass; today's catalog snapshot."""
    from tongban.indicators import rollup

    rollup.refresh(session)


@periodic("indicators.nightly", label="绩效指标夜间汇总", daily_at=dt.time(1, 30))
def nightly_indicators(session: Session) -> None:
    """The incremental pass plus yesterday recomputed in full."""
    from tongban.indicators import rollup

    rollup.nightly(session)
