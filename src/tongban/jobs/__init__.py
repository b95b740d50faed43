"""任务运行: periodic and one-off jobs from a transactional outbox.

    from tongban.jobs import job, periodic, enqueue

    @job("notifications.deliver", max_attempts=5)
    def deliver(session, payload): ...          # idempotent; its own transaction, committed by the runner

    enqueue(session, "notifications.deliver", {"message_id": 5}, dedupe_key="msg-5")  # caller's transaction

    @periodic("exchange.seal", every=dt.timedelta(minutes=1))   # or working_days_at=dt.time(8, 0) (Beijing)
    def seal_tick(session): ...

Tests drain due jobs synchronously with `run_pending(session_factory)`.
"""

from __future__ import annotations

from tongban.jobs.outbox import enqueue
from tongban.jobs.registry import discover, job, periodic
from tongban.jobs.runner import run_pending

__all__ = ["discover", "enqueue", "job", "periodic", "run_pending"]
