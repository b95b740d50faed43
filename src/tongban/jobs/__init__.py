"""任务运行: periodic and one-off jobs from a transactional outbox.

    from tongban.jobs import job, periodic, enqueue

    @job("notifications.deliver", label="发送消息", max_attempts=5)
    def deliver(session, payload): ...          # idempotent; its own transaction, committed by the runner

    enqueue(session, "notifications.deliver", {"message_id": 5}, dedupe_key="msg-5")  # caller's transaction

    @periodic("exchange.seal", label="交换日志封存", every=dt.timedelta(minutes=1))  # or working_days_at=dt.time(8, 0)
    def seal_tick(session): ...

Tests drain due jobs synchronously with `run_pending(session_factory)`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tongban.jobs.outbox import enqueue
    from tongban.jobs.registry import discover, job, periodic
    from tongban.jobs.runner import run_pending

__all__ = ["discover", "enqueue", "job", "periodic", "run_pending"]

# Imported on first use (PEP 562), not with the package: `tongban --help` imports tongban.jobs.cli, and
# these modules bring in SQLAlchemy and the models (tests/test_cli.py keeps the CLI import-light).
_LAZY = {"enqueue": "tongban.jobs.outbox", "discover": "tongban.jobs.registry", "job": "tongban.jobs.registry",
         "periodic": "tongban.jobs.registry", "run_pending": "tongban.jobs.runner"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers and menu entries of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_router("tongban.jobs.pages:router", order=220)
    platform.add_nav("任务运行", "/admin/jobs", order=100, any_of=(P.JOBS_MANAGE,))
