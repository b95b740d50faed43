"""The population register at real scale (5.3 million records), two measurements on one database:

1. Ingest (`tongban ingest`: validation, staging, one-transaction publish) against a plain bulk
   insert of the same file into a table of text columns. The ingest runs as the real command in
   its own process, so its peak memory (maxrss) is its own.
2. Keyed queries through the full exchange path (API key, grant, item filter, masking, quota
   counter, exchange log) against the bare lookup of the same records through the same HTTP stack
   (bench/_bare_app.py), 32 concurrent clients on loopback, phases alternated (bare, full, bare, full).

    .venv/bin/python bench/registries_at_scale.py [--rows 5300000] [--seconds 20]

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from _common import free_port, fresh_database, percentile
from sqlalchemy import select, text, update

from tongban.catalog.models import InformationResource
from tongban.db import make_engine, make_session_factory
from tongban.demo import loader, registry_data
from tongban.sharing.models import Grant


def plain_bulk_insert(url: str, path: Path, columns: tuple[str, ...]) -> float:
    """Rows per second of reading the CSV and inserting it as-is (no validation, no JSON, no merge)."""
    engine = make_engine(url)
    cols = ", ".join(f"{c} TEXT" for c in columns)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_plain"))
        conn.execute(text(f"CREATE TABLE bench_plain ({cols})"))
    started = time.perf_counter()
    rows = 0
    with engine.begin() as conn, path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        if engine.dialect.name == "postgresql":
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY bench_plain ({', '.join(columns)}) FROM STDIN") as copy:
                for row in reader:
                    copy.write_row(row)
                    rows += 1
        else:
            marks = ", ".join("?" * len(columns))
            batch: list[tuple[str, ...]] = []
            for row in reader:
                batch.append(tuple(row))
                if len(batch) == 10_000:
                    conn.exec_driver_sql(f"INSERT INTO bench_plain VALUES ({marks})", batch)  # type: ignore[arg-type]
                    rows += len(batch)
                    batch = []
            if batch:
                conn.exec_driver_sql(f"INSERT INTO bench_plain VALUES ({marks})", batch)  # type: ignore[arg-type]
                rows += len(batch)
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_plain"))
    engine.dispose()
    return rows / seconds


async def _phase(base: str, paths: list[str], headers: dict[str, str], seconds: float,
                 clients: int = 32) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:
        async def worker(seed: int) -> None:
            nonlocal errors
            rnd = random.Random(seed)
            while time.perf_counter() < stop:
                t = time.perf_counter()
                r = await client.get(rnd.choice(paths))
                latencies.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    errors += 1
        await asyncio.gather(*(worker(n) for n in range(clients)))
    return len(latencies), latencies, errors


def query_phases(url: str, code: str, api_key: str, rows: int, seconds: float) -> dict[str, object]:
    """Bare and full keyed queries, alternated, against a 2-worker server on loopback."""
    port = free_port()
    env = {**os.environ, "TONGBAN_DATABASE_URL": url, "TONGBAN_ENV": "test",
           "PYTHONPATH": str(Path(__file__).resolve().parent)}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "_bare_app:create", "--port", str(port),
                               "--workers", "2", "--log-level", "warning", "--no-access-log"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        rnd = random.Random(7)
        keys = [registry_data.person_at(rnd.randrange(rows))["id_number"] for _ in range(5000)]
        bare = [f"/bench/bare/{code}/records/{k}" for k in keys]
        full = [f"/api/v1/exchange/{code}/records/{k}" for k in keys]
        auth = {"Authorization": f"Bearer {api_key}", "X-Purpose": quote("一网通办办件时核验申请人身份"),
                "X-End-User": keys[0], "X-Case-Number": "BENCH0001"}
        asyncio.run(_phase(base, bare, {}, 3))  # warm both workers' caches
        asyncio.run(_phase(base, full, auth, 3))
        totals: dict[str, list[float]] = {"bare": [], "full": []}
        counts = {"bare": 0, "full": 0}
        failed = {"bare": 0, "full": 0}
        for kind in ("bare", "full", "bare", "full"):
            n, lat, err = asyncio.run(_phase(base, bare if kind == "bare" else full,
                                             {} if kind == "bare" else auth, seconds))
            counts[kind] += n
            totals[kind] += lat
            failed[kind] += err
    finally:
        server.terminate()
        server.wait(timeout=20)
    span = 2 * seconds
    bare_rps, full_rps = counts["bare"] / span, counts["full"] / span
    return {
        "clients": 32, "server_workers": 2, "bare_rps": round(bare_rps), "full_rps": round(full_rps),
        "throughput_ratio": round(full_rps / bare_rps, 3),
        **{f"{kind}_p{p}_ms": round(percentile(totals[kind], p), 2) for kind in ("bare", "full") for p in (50, 99)},
        "errors": failed,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_300_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each query phase")
    args = parser.parse_args()
    url = fresh_database()
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        summary = loader.load(session)
        resource = session.execute(select(InformationResource).where(
            InformationResource.name == "户籍人口基本信息")).scalar_one()
        code = resource.code
        # Quotas are counted on every call but set high enough never to refuse one here.
        session.execute(update(Grant).where(Grant.resource_id == resource.id).values(
            calls_per_minute=1_000_000, calls_per_day=100_000_000))
        session.commit()
    engine.dispose()
    tmp = Path(tempfile.mkdtemp())
    path = tmp / "population.csv"
    started = time.perf_counter()
    registry_data.write_csv(registry_data.population(args.rows), path, registry_data.POPULATION_COLUMNS)
    generate_s = time.perf_counter() - started

    baseline = plain_bulk_insert(url, path, registry_data.POPULATION_COLUMNS)

    env = {**os.environ, "TONGBAN_DATABASE_URL": url, "TONGBAN_ENV": "test"}
    started = time.perf_counter()
    # The generated register replaces the demo's whole population register: confirmed deliberately.
    proc = subprocess.Popen([sys.executable, "-m", "tongban.cli", "ingest", code, str(path), "--mode", "replace",
                             "--allow-mass-delete"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    output = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise SystemExit(output)
    last_line = output.strip().splitlines()[-1] if output.strip() else ""
    rate = args.rows / seconds
    queries = query_phases(url, code, summary.demo_api_key, args.rows, args.seconds)
    print(json.dumps({
        "bench": "registry_ingest", "database": make_engine(url).dialect.name, "rows": args.rows,
        "file_mb": round(path.stat().st_size / 2**20, 1), "generate_s": round(generate_s, 1),
        "plain_insert_rows_per_s": round(baseline), "ingest_rows_per_s": round(rate), "ingest_s": round(seconds, 1),
        "ratio": round(rate / baseline, 3), "ingest_peak_rss_mb": round(usage.ru_maxrss / 1024),
        "command_output": last_line, **queries,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
