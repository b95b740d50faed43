"""Search quality on the judged query sets: hit@3 and MRR per query kind, and the failing queries.

Catalog: the demo city with its catalog (tongban.demo.loader) in a fresh database (SQLite file, or
TONGBAN_BENCH_DATABASE_URL), every query of bench/catalog_search_queries.json through the catalog's real
search path — `catalog.service.browse`, the function behind the 目录 page and GET /api/v1/catalog/resources
(dictionary, suggestion, fallback, ranking) — as a staff member of another department (`amr_clerk`,
CATALOG_READ: published and retired resources of every department, like the latency bench).
A query is a hit@3 if one of its relevant resource names is among the first three results; its
reciprocal rank is 1/rank of the first relevant result (0 when none in the first 20).

Portal: bench/search_queries.json (relevant: basic item codes or "bundle:<code>") through the portal's
search path, `portal.queries.search_services` (the /services/search page), judged in the order the page
shows: its "一件事" bundles first, then its items. Also p50/p95 latency of search_services over the set
(after a first, warming pass: the one the quality figures come from).

Portal, second set: bench/search_queries_heldout.json, 36 more queries written and judged on 2026-12-03
before that day's ranking and dictionary work, to see how far changes made for the first set carry. It was
watched during that work (some words it needs — 去世, 倒闭, 房贷 — went into the dictionary then), so it is a
second set, not a blind one: the product owner's sets are the blind ones.

Prints one JSON line per set. Usage: .venv/bin/python bench/search_quality.py [--verbose]
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import fresh_database
from sqlalchemy.orm import Session

from tongban.catalog import service as catalog
from tongban.db import make_engine, make_session_factory
from tongban.demo import loader
from tongban.demo.catalog_loader import officer
from tongban.portal.queries import search_services

HERE = Path(__file__).resolve().parent
ACTOR = "amr_clerk"
DEPTH = 20


def judge(queries: list[dict[str, Any]], ranked: Callable[[str], list[str]]) -> dict[str, Any]:
    """hit@3 and MRR per kind and overall, and every query whose first relevant result is not in the top 3."""
    per_kind: dict[str, list[tuple[int, float]]] = defaultdict(list)
    failing = []
    for q in queries:
        names = ranked(q["q"])[:DEPTH]
        relevant = set(q["relevant"])
        rank = next((i + 1 for i, n in enumerate(names) if n in relevant), 0)
        hit = 1 if 0 < rank <= 3 else 0
        per_kind[q["kind"]].append((hit, 1 / rank if rank else 0.0))
        if not hit:
            failing.append({"q": q["q"], "kind": q["kind"], "rank": rank or None, "first": names[:3],
                            "relevant": q["relevant"][:3]})

    def figures(rows: list[tuple[int, float]]) -> dict[str, Any]:
        return {"queries": len(rows), "hit@3": round(sum(h for h, _ in rows) / len(rows), 3),
                "mrr": round(sum(r for _, r in rows) / len(rows), 3)}

    return {"kinds": {k: figures(v) for k, v in sorted(per_kind.items())},
            "overall": figures([x for v in per_kind.values() for x in v]), "failing": failing}


def catalog_quality(session: Session) -> dict[str, Any]:
    actor = officer(session, ACTOR)
    queries = json.loads((HERE / "catalog_search_queries.json").read_text(encoding="utf-8"))

    def ranked(q: str) -> list[str]:
        page = catalog.browse(session=session, actor=actor, q=q, size=DEPTH)
        session.rollback()  # a read: end its transaction so the next query sees a fresh snapshot
        return [i.name for i in page.items]

    return {"bench": "search_quality", "set": "catalog", "actor": ACTOR, **judge(queries, ranked)}


def portal_quality(session: Session, name: str = "search_queries.json", set_name: str = "portal") -> dict[str, Any]:
    """A portal set through `portal.queries.search_services`, judged as the page shows it: one ranking of
    bundles ("bundle:<code>") and items (basic item codes). Also the latency of search_services over the
    set (p50/p95, after the judged pass)."""
    queries = json.loads((HERE / name).read_text(encoding="utf-8"))

    def ranked(q: str) -> list[str]:
        page = search_services(session, q)
        session.rollback()
        return [f"bundle:{r.code}" if r.kind == "bundle" else r.code for r in page.results]

    result = judge(queries, ranked)
    times: list[float] = []
    for q in queries:
        t0 = time.perf_counter()
        search_services(session, q["q"])
        times.append((time.perf_counter() - t0) * 1000)
        session.rollback()
    times.sort()
    latency = {"p50_ms": round(statistics.median(times), 2),
               "p95_ms": round(times[max(0, math.ceil(0.95 * len(times)) - 1)], 2)}
    return {"bench": "search_quality", "set": set_name, "path": "portal.queries.search_services",
            **result, "latency": latency}


def main() -> None:
    verbose = "--verbose" in sys.argv
    url = fresh_database()
    engine = make_engine(url)
    session = make_session_factory(engine)()
    loader.load(session)
    session.commit()
    for result in (catalog_quality(session), portal_quality(session),
                   portal_quality(session, "search_queries_heldout.json", "portal-heldout")):
        result["database"] = engine.dialect.name
        if not verbose and "failing" in result:
            result["failing"] = [f"{f['q']} ({f['kind']}): rank {f['rank']}, first {f['first'][:1]}"
                                 for f in result["failing"]]
        print(json.dumps(result, ensure_ascii=False))
    session.close()


if __name__ == "__main__":
    main()
