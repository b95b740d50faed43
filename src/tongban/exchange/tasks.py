"""Periodic job of the exchange: log sealing (with the monitoring rollup and a checkpoint). Registered on
import; the job runner discovers this module."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from tongban.jobs import periodic

log = logging.getLogger("tongban.exchange")


@periodic("exchange.seal", label="交换日志封存与监测统计", every=dt.timedelta(minutes=1))
def seal_tick(session: Session) -> None:
    """Seal new exchange-log entries (the sealer also rolls them up for monitoring), prune old quota
    counters, and write a checkpoint of both chain heads — what `tongban exchange seal` does."""
    from tongban.audit import anchors
    from tongban.exchange import quotas, sealing

    rejected: list[int] = []
    while sealing.seal(session, rejected_out=rejected) > 0:
        pass
    quotas.prune(session)
    anchors.take(session)
    if rejected:  # already removed from the log and recorded in the audit chain (exchange_log.reject)
        log.warning("exchange log: %d entries without a valid row MAC were refused", len(rejected))
