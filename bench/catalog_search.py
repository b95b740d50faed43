"""Catalog search at real scale (5,000 resources, 64,000 items) through the HTTP API vs the bare full-text query.

Platform paths: the search function itself, `catalog.service.browse` in-process (query understanding with
the dictionary, the shared index, suggestion/fallback, visibility rules, facets, ranking, one page) — the
figure held to p95 < 20 ms — and GET /api/v1/catalog/resources?q=… on a live `tongban serve` process
(adds HTTP, the session and JSON), both as a staff member of another department (amr_clerk).
Baseline: the bare full-text query (FTS5 MATCH / tsvector @@, ranked, top 20) on the same database in
the same run. Prints one JSON line.
Usage: .venv/bin/python bench/catalog_search.py [resources] [items] [queries]
"""

from __future__ import annotations

import json
import random
import sys
import time

import httpx
from _common import LiveServer, fresh_database, percentile
from sqlalchemy import text

from tongban.catalog import service as catalog
from tongban.catalog.search import bare_query_param, bare_query_sql
from tongban.db import make_engine, make_session_factory
from tongban.demo import catalog_loader, loader
from tongban.demo.catalog_loader import officer

RESOURCES = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
ITEMS = int(sys.argv[2]) if len(sys.argv) > 2 else 64000
QUERIES = int(sys.argv[3]) if len(sys.argv) > 3 else 300

WORDS = ["户籍", "人口", "身份证", "营业执照", "社保", "养老保险", "不动产", "公积金", "婚姻登记", "低保", "学籍",
         "出生医学证明", "纳税", "信用", "企业", "法定代表人", "排污许可", "驾驶证", "机动车", "医保", "就业",
         "失业登记", "退役军人", "食品经营许可", "药品", "建设工程", "安全生产", "疫苗接种", "残疾人", "殡葬",
         "行政处罚", "执业", "律师", "建筑面积", "注册资本", "经营范围", "参保", "缴费基数", "死亡", "收养"]


def main() -> None:
    url = fresh_database()
    engine = make_engine(url)
    session = make_session_factory(engine)()
    loader.load(session, with_catalog=False)
    generated = catalog_loader.load_scale(session, resources=RESOURCES, items=ITEMS)
    session.close()
    rng = random.Random(7)
    queries = [rng.choice(WORDS) if rng.random() < 0.7 else f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
               for _ in range(QUERIES)]

    dialect = engine.dialect.name
    bare_ms: list[float] = []
    with engine.connect() as conn:
        sql = text(bare_query_sql(dialect))
        for q in queries[:20]:
            conn.execute(sql, {"q": bare_query_param(dialect, q)}).all()  # warm-up
        for q in queries:
            t0 = time.perf_counter()
            conn.execute(sql, {"q": bare_query_param(dialect, q)}).all()
            bare_ms.append((time.perf_counter() - t0) * 1000)

    fn_ms: list[float] = []
    session = make_session_factory(engine)()
    actor = officer(session, "amr_clerk")
    for q in queries[:20]:
        catalog.browse(session=session, actor=actor, q=q)
        session.rollback()
    for q in queries:
        t0 = time.perf_counter()
        catalog.browse(session=session, actor=actor, q=q)
        fn_ms.append((time.perf_counter() - t0) * 1000)
        session.rollback()  # a read: end its transaction, as a request does
    session.close()

    server = LiveServer(url)
    api_ms: list[float] = []
    hits = 0
    try:
        with httpx.Client(timeout=30) as client:
            server.login(client, "amr_clerk", loader.DEMO_PASSWORD)
            for q in queries[:20]:
                client.get(server.base + "/api/v1/catalog/resources", params={"q": q})
            for q in queries:
                t0 = time.perf_counter()
                r = client.get(server.base + "/api/v1/catalog/resources", params={"q": q})
                api_ms.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, r.text
                hits += 1 if r.json()["total"] else 0
    finally:
        server.stop()
    print(json.dumps({
        "bench": "catalog_search", "database": dialect, "resources": generated.resources, "items": generated.items,
        "queries": len(queries), "queries_with_hits": hits,
        "search_p50_ms": round(percentile(fn_ms, 50), 2), "search_p95_ms": round(percentile(fn_ms, 95), 2),
        "ratio_p95_search_to_bare": round(percentile(fn_ms, 95) / max(percentile(bare_ms, 95), 1e-6), 1),
        "api_p50_ms": round(percentile(api_ms, 50), 2), "api_p95_ms": round(percentile(api_ms, 95), 2),
        "bare_p50_ms": round(percentile(bare_ms, 50), 2), "bare_p95_ms": round(percentile(bare_ms, 95), 2),
        "ratio_p95_api_to_bare": round(percentile(api_ms, 95) / max(percentile(bare_ms, 95), 1e-6), 1),
        "generate_seconds": round(generated.seconds, 1),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
