"""Job runner: throughput of one worker draining no-op jobs, and the cost of enqueueing inside a use-case.

The use-case is a small audited write (one audit row, the chain head updated, commit), run N times as is
and N times with one `enqueue` (with a dedupe key) in the same transaction: the ratio is what the outbox
adds to a use-case. Throughput: N no-op jobs drained by `run_pending` (claim in batches, one transaction
per job that runs the handler and marks it done, one run-history row per attempt).

Runs on a fresh SQLite file (or on TONGBAN_BENCH_DATABASE_URL, e.g. PostgreSQL, whose schema it resets).
Prints one JSON line. Usage: .venv/bin/python bench/jobs.py [N]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

from _common import fresh_database
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import SYSTEM
from tongban.db import make_engine, make_session_factory
from tongban.jobs import enqueue, job, run_pending

N = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 2000


@job("bench.noop", label="基准：空任务", max_attempts=1)
def noop(session: Session, payload: dict[str, Any]) -> None:
    """Nothing: measures the runner itself."""


def use_case(session: Session, i: int, *, with_job: bool) -> None:
    audit.record(session, actor=SYSTEM, action="bench.use_case", object_type="bench", object_id=i, detail={})
    if with_job:
        enqueue(session, "bench.noop", {"i": i}, dedupe_key=f"bench-{i}")
    session.commit()


def main() -> None:
    url = fresh_database()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    bare: list[float] = []
    with_job: list[float] = []
    with factory() as session:
        for i in range(50):  # warm-up: connections, statement caches
            use_case(session, 10 * N + i, with_job=True)
        # Interleaved, and compared by medians: this machine is shared, and load drifts during a run.
        for i in range(N):
            t = time.perf_counter()
            use_case(session, 2 * i, with_job=False)
            bare.append(time.perf_counter() - t)
            t = time.perf_counter()
            use_case(session, 2 * i + 1, with_job=True)
            with_job.append(time.perf_counter() - t)
    t = time.perf_counter()
    ran = run_pending(factory)
    drain = time.perf_counter() - t
    bare_ms, job_ms = statistics.median(bare) * 1000, statistics.median(with_job) * 1000
    print(json.dumps({
        "bench": "jobs", "database": engine.dialect.name, "n": N,
        "use_case_median_ms": round(bare_ms, 3), "use_case_with_enqueue_median_ms": round(job_ms, 3),
        "enqueue_cost_ratio": round(job_ms / bare_ms, 2),
        "jobs_run": ran, "jobs_per_s": round(ran / drain, 1),
    }))


if __name__ == "__main__":
    main()
