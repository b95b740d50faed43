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


@job("tests.region", label="测试：调用用例新建区划", max_attempts=1)
def region(session: Session, payload: dict[str, Any]) -> None:
    """Call a real use-case (org.create_region) from a job: it nests in the job's scope as a savepoint.

    `again`: call it a second time with the same code and handle the Conflict (only that inner part is
    undone); `fail`: fail after the use-case succeeded (the whole attempt rolls back)."""
    from tongban.authz import SYSTEM
    from tongban.errors import Conflict
    from tongban.org import service
    from tongban.org.schemas import RegionCreate

    region_in = RegionCreate(code=payload["code"], name=f"测试区{payload['code']}", level="county")
    service.create_region(session=session, actor=SYSTEM, region_in=region_in)
    if payload.get("again"):
        try:
            service.create_region(session=session, actor=SYSTEM, region_in=region_in)
        except Conflict:
            _mark(session, f"conflict-{payload['code']}")
    if payload.get("fail"):
        raise RuntimeError("用例之后的步骤失败")


@job("tests.steal", label="测试：执行中失去租约", max_attempts=1)
def steal(session: Session, payload: dict[str, Any]) -> None:
    """Another worker takes the job over while this attempt runs (as after an expired lease), then the
    attempt writes its effect: the effect must not commit."""
    from sqlalchemy import update
    from sqlalchemy.orm import sessionmaker

    from tongban.jobs.models import Job
    from tongban.transactions import Why, separate

    # Before this attempt writes anything (on SQLite the other session would wait for our write lock).
    with separate(sessionmaker(bind=session.get_bind()), Why.JOB_RUNNER) as other:
        other.execute(update(Job).where(Job.name == "tests.steal").values(locked_by="thief:1"))
    _mark(session, payload["key"])
