"""The exchange log at Jiangsu's cumulative volume (30 million calls): “who used my data” and the chain.

1. 30 million entries (and one subject each, over 5.3 million persons) are written by the database
   itself (INSERT … SELECT over a generated series), then a citizen's list of uses is timed through
   the platform's own service function (`gateway.data_uses`: count, page, names), for 300 different
   persons, against the bare indexed lookup of the same subject's entry numbers.
2. Sealing and verification rates of the batched HMAC chain, on a fresh log of `--chain` entries that
   carry the row MAC each call writes (the rate does not depend on the table's size: the sealer reads
   unsealed rows by index and both walk the chain in order by its unique index).

    .venv/bin/python bench/exchange_log_scale.py [--entries 30000000] [--chain 1000000]

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from _common import fresh_database, percentile
from sqlalchemy import select, text

from tongban.authz import Actor
from tongban.db import make_engine, make_session_factory
from tongban.demo import loader
from tongban.exchange import gateway, sealing
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.org.models import User

PERSONS = 5_300_000
CHUNK = 2_000_000


def _subject(n: int) -> str:
    return f"61090219{n:010d}"


def fill(url: str, entries: int, chain: int) -> float:
    """Write `entries` log entries and their subjects with the database's own row generator.

    The first `chain` entries are left unsealed for the sealer; the others are flagged sealed, which only
    the "who used my data" part reads (it is never verified).
    """
    engine = make_engine(url)
    pg = engine.dialect.name == "postgresql"
    started = time.perf_counter()
    series = ("SELECT g AS n FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g" if pg else
              "WITH RECURSIVE s(n) AS (SELECT :lo UNION ALL SELECT n + 1 FROM s WHERE n < :hi) SELECT n FROM s")
    ts = ("(timestamp '2024-01-01' + (n * interval '2 seconds'))" if pg else
          "datetime('2024-01-01', '+' || (n * 2) || ' seconds')")
    subject = ("'61090219' || lpad(((n * 7919) % {p})::text, 10, '0')" if pg else
               "'61090219' || substr('0000000000' || ((n * 7919) % {p}), -10, 10)").format(p=PERSONS)
    sealed = f"(n > {int(chain)})"
    for lo in range(1, entries + 1, CHUNK):
        hi = min(entries, lo + CHUNK - 1)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO exchange_log (seq, occurred_at, client_id, consumer_id, provider_id, resource_id, "
                "resource_code, operation, items, record_keys, record_count, end_user, purpose, case_number, result, "
                "status_code, latency_ms, sealed) "
                f"SELECT n, {ts}, 1 + n % 97, 1 + n % 89, 1 + n % 13, 1 + n % 400, '101/000001', 'get', "
                "'[\"id_number\",\"name\",\"gender\",\"reg_address\"]', '[\"' || " + subject + " || '\"]', 1, "
                + subject + ", '企业开办登记时核验法定代表人身份', 'QYKB' || n, 'ok', 200, 3 + n % 17, " + sealed +
                f" FROM ({series}) AS t"), {"lo": lo, "hi": hi})
            conn.execute(text(
                f"INSERT INTO exchange_log_subjects (seq, subject) SELECT n, {subject} FROM ({series}) AS t"),
                {"lo": lo, "hi": hi})
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def stamp(url: str, chain: int) -> None:
    """Give the unsealed entries the row MAC a real call writes (the sealer rejects rows without one).

    Not timed: it stands for the MAC each call computed when it logged, not for work of the sealer.
    """
    engine = make_engine(url)
    entry = ExchangeLogEntry
    # Typed columns (not raw SQL), so SQLite hands back datetimes as the MAC expects.
    columns = [entry.seq, *(getattr(entry, f) for f in sealing._ROW_FIELDS)]  # what log_call writes
    with engine.begin() as conn:
        for lo in range(1, chain + 1, 50_000):
            hi = min(chain, lo + 49_999)
            rows = conn.execute(select(*columns).where(entry.seq.between(lo, hi))).mappings().all()
            subjects = dict(conn.execute(text("SELECT seq, subject FROM exchange_log_subjects "
                                              "WHERE seq BETWEEN :lo AND :hi"), {"lo": lo, "hi": hi}).all())
            conn.execute(text("UPDATE exchange_log SET row_mac = :mac WHERE seq = :seq"),
                         [{"seq": r["seq"], "mac": sealing.row_mac(dict(r), [subjects[r["seq"]]])} for r in rows])
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=30_000_000)
    parser.add_argument("--chain", type=int, default=1_000_000)
    args = parser.parse_args()
    url = fresh_database()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        loader.load(session, with_catalog=False)
        citizen = session.execute(select(User).where(User.kind == "citizen")).scalars().first()
        assert citizen is not None
    fill_s = fill(url, args.entries, args.chain)
    stamp(url, args.chain)

    rnd = random.Random(3)
    persons = [(rnd.randrange(1, args.entries + 1) * 7919) % PERSONS for _ in range(300)]  # persons with uses
    service_ms: list[float] = []
    bare_ms: list[float] = []
    uses = 0
    with factory() as session:
        user = session.get(User, citizen.id)
        assert user is not None
        actor = Actor(kind="citizen", id=user.id, name=user.display_name, username=user.username)
        for p in persons:
            user.id_number = _subject(p)  # the same account stands for each person in turn (not committed)
            session.flush()
            t = time.perf_counter()
            page = gateway.data_uses(session=session, actor=actor)
            service_ms.append((time.perf_counter() - t) * 1000)
            uses += page["total"]
            t = time.perf_counter()
            session.execute(text("SELECT seq FROM exchange_log_subjects WHERE subject = :s ORDER BY seq DESC LIMIT 50"),
                            {"s": _subject(p)}).all()
            bare_ms.append((time.perf_counter() - t) * 1000)
        session.rollback()

    engine.dispose()

    # Sealing and verification on a log of `chain` entries written by calls (each with its row MAC).
    # Their rates do not depend on the table's size: both walk the chain by index, and the sealer
    # reads only unsealed rows. (A synthetic 30-million-entry log cannot be "sealed earlier" without
    # sealing it: the verifier rightly refuses sealed rows outside the chain.)
    url = fresh_database()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    fill(url, args.chain, args.chain)
    stamp(url, args.chain)
    with factory() as session:
        t = time.perf_counter()
        sealed = 0
        while (n := sealing.seal(session)) > 0:
            sealed += n
        seal_s = time.perf_counter() - t
    with factory() as session:
        t = time.perf_counter()
        result = sealing.verify(session)
        verify_s = time.perf_counter() - t
    print(json.dumps({
        "bench": "exchange_log_scale", "database": engine.dialect.name, "entries": args.entries,
        "fill_s": round(fill_s), "persons_queried": len(persons), "uses_per_person": round(uses / len(persons), 1),
        "who_used_p50_ms": round(percentile(service_ms, 50), 2),
        "who_used_p95_ms": round(percentile(service_ms, 95), 2),
        "who_used_max_ms": round(max(service_ms), 2), "bare_lookup_p50_ms": round(percentile(bare_ms, 50), 2),
        "chain_entries": sealed, "seal_per_s": round(sealed / seal_s), "verify_per_s": round(result.checked / verify_s),
        "verify_ok": result.ok,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
