"""Audit chain: append rate through the service against a bare insert of the same rows, and verify rate.

Runs on a fresh SQLite file (or on TONGBAN_BENCH_DATABASE_URL, e.g. PostgreSQL, whose schema it
resets). Prints one JSON line. Usage: .venv/bin/python bench/audit_chain.py [N]
"""

from __future__ import annotations

import json
import os
import sys
import time

from _common import fresh_database
from sqlalchemy import text

os.environ.setdefault("TONGBAN_AUDIT_KEY", "bench-audit-key-0123456789abcdef0123456789")

from tongban.audit import service as audit
from tongban.authz import Actor
from tongban.db import make_engine, make_session_factory, utcnow

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
BATCH = 100  # entries per transaction, as a busy service commits many small use-cases
ACTOR = Actor(kind="staff", id=42, name="基准测试", department_id=3, roles=frozenset({"platform_admin"}),
              client_ip="127.0.0.1")


def main() -> None:
    url = fresh_database()
    engine = make_engine(url)
    factory = make_session_factory(engine)

    # Baseline: the same rows inserted with no chain (no lock, no HMAC), same batch size.
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bare_log AS SELECT * FROM audit_log WHERE 1 = 0"))
    rows = [{"seq": i + 1, "occurred_at": utcnow(), "actor_kind": "staff", "actor_id": "42", "actor_name": "基准测试",
             "department_id": 3, "action": "user.update", "object_type": "user", "object_id": str(i),
             "purpose": "基准", "result": "success", "client_ip": "127.0.0.1", "detail": "{}",
             "prev_hash": "0" * 64, "hash": "0" * 64} for i in range(N)]
    bare_sql = text(
        "INSERT INTO bare_log (seq, occurred_at, actor_kind, actor_id, actor_name, department_id, action, "
        "object_type, object_id, purpose, result, client_ip, detail, prev_hash, hash) VALUES (:seq, :occurred_at, "
        ":actor_kind, :actor_id, :actor_name, :department_id, :action, :object_type, :object_id, :purpose, "
        ":result, :client_ip, :detail, :prev_hash, :hash)")
    t0 = time.perf_counter()
    for start in range(0, N, BATCH):
        with engine.begin() as conn:
            for row in rows[start:start + BATCH]:
                conn.execute(bare_sql, row)
    bare = time.perf_counter() - t0

    t0 = time.perf_counter()
    for start in range(0, N, BATCH):
        session = factory()
        for i in range(start, min(start + BATCH, N)):
            audit.record(session, actor=ACTOR, action="user.update", object_type="user", object_id=i,
                         purpose="基准", detail={})
        session.commit()
        session.close()
    chained = time.perf_counter() - t0

    session = factory()
    t0 = time.perf_counter()
    result = audit.verify(session)
    verify_s = time.perf_counter() - t0
    assert result.ok and result.checked == N
    print(json.dumps({
        "bench": "audit_chain", "database": engine.dialect.name, "entries": N, "batch": BATCH,
        "bare_insert_per_s": round(N / bare), "chained_append_per_s": round(N / chained),
        "ratio_chained_to_bare": round(bare / chained, 3), "verify_per_s": round(N / verify_s),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
