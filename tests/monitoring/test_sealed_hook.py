"""Monitoring learns of sealed batches through the exchange's on-sealed hook, in every process that seals.

The exchange imports nothing of monitoring (nor of disputes): monitoring registers its rollup in
`tongban.monitoring.register`, which the platform discovers in whichever process seals first.
"""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.monitoring.conftest import World, log_calls
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.monitoring.models import ExchangeStatsDaily, ExchangeStatsHourly


def test_exchange_imports_neither_monitoring_nor_disputes() -> None:
    code = ("import sys; import tongban.exchange.sealing, tongban.exchange.gateway, tongban.exchange.bulk, "
            "tongban.sharing.service; "
            "print(sorted(m for m in sys.modules if m.startswith(('tongban.monitoring', 'tongban.disputes'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_seal_run_by_the_cli_in_a_fresh_process_updates_the_monitoring_figures(
        session: Session, world: World, database_url: str) -> None:
    log_calls(session, world, 12, seed=21)  # committed, unsealed
    assert session.scalar(select(func.count()).select_from(ExchangeStatsHourly)) == 0

    env = {**os.environ, "TONGBAN_DATABASE_URL": database_url}
    proc = subprocess.run([sys.executable, "-m", "tongban.cli", "exchange", "seal"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr

    session.expire_all()
    sealed = session.scalar(select(func.count()).where(ExchangeLogEntry.sealed.is_(True)))
    assert sealed == 12
    assert session.scalar(select(func.coalesce(func.sum(ExchangeStatsHourly.calls), 0))) == 12
    assert session.scalar(select(func.coalesce(func.sum(ExchangeStatsDaily.calls), 0))) == 12
