"""Jobs used by the job-runner tests. Their visible effect is a row of the `tests.effect` job (never run),
so a test counts effects in the outbox itself, in the same transaction as the handler."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tongban.jobs import enqueue, job, periodic


@job("tests.effect", label="测试：记录一次效果", max_attempts=1)
def effect(session: Session, payload: dict[str, Any]) -> None:
    """Marker rows only; tests never run them (their run_at is far in the future)."""


def _mark(session: Session, key: str) -> None:
    enqueue(session, "tests.effect", {"key": key}, run_at=dt.datetime(2999, 1, 1))


@job("tests.record", label="测试：记录", max_attempts=3)
def record(session: Session, payload: dict[str, Any]) -> None:
    """Write one effect row; if `block` names an existing file, signal `started` and hang (to be killed)."""
    _mark(session, payload["key"])
    session.flush()
    block = payload.get("block")
    if block and Path(block).exists():
        Path(payload["started"]).write_text("started")
        while True:  # the test kills this process with SIGKILL
            time.sleep(1)


@job("tests.fail", label="测试：总是失败", max_attempts=3)
def fail(session: Session, payload: dict[str, Any]) -> None:
    """Write an effect, then fail: the effect must roll back with the attempt."""
    _mark(session, payload["key"])
    session.flush()
    raise RuntimeError("供应商网关暂时不可用")


@periodic("tests.morning", label="测试：工作日早晨", working_days_at=dt.time(8, 0))
def morning(session: Session) -> None:
    """A working-morning job like the deadline checks."""
    _mark(session, "morning")
