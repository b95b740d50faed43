"""The request path at the speed of its stack (issue 16): what each kind of request costs the platform, as a
share of the physical limit measured on the same machine in the same run.

The physical limit is bench/_minimal_app.py: a raw ASGI app looking up one person among `--rows` (300,000) in
the population register with the database driver and answering with orjson. The platform is served as in
production (uvicorn, 2 workers, bench/_bare_app.py adding one bench-only route: the same lookup through the
platform's stack without API key, grant, masking, quota or log). Load comes from wrk (closed loop, 32
connections) and bench/openloop.c (open loop at fixed offered rates, latency counted from each request's
intended send time), both in their own processes: see bench/_loadgen.py.

    .venv/bin/python bench/request_path.py [--rows 300000] [--seconds 10]
    TONGBAN_BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/request_path.py

Prints a Markdown table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from _common import free_port, fresh_database
from _loadgen import closed_loop, ensure_tools, open_loop
from sqlalchemy import select, update

from tongban.authz import SYSTEM
from tongban.catalog.models import InformationResource
from tongban.db import make_engine, make_session_factory
from tongban.demo import loader, registry_data
from tongban.registries import ingest as registry_ingest
from tongban.sharing.models import Grant

BENCH = Path(__file__).resolve().parent
PASSWORD = "Tongban@2026"
# What residents type into the portal's search box (bench/search_queries.json has the judged set).
PORTAL_QUERIES = ["营业执照", "开饭店", "生孩子", "公积金提取", "退休", "身份证丢了", "个体户", "出生医学证明"]


@dataclass
class Fixture:
    url: str
    code: str
    resource_id: int
    api_key: str
    keys: list[str]


def prepare(url: str, rows: int) -> Fixture:
    """The demo city, with its population register replaced by `rows` generated residents."""
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        summary = loader.load(session)
        resource = session.execute(select(InformationResource).where(
            InformationResource.name == "户籍人口基本信息")).scalar_one()
        code, resource_id = resource.code, resource.id
        # Quotas are counted on every call but set high enough never to refuse one here.
        session.execute(update(Grant).where(Grant.resource_id == resource_id).values(
            calls_per_minute=100_000_000, calls_per_day=1_000_000_000))
        session.commit()
    path = Path(tempfile.mkdtemp()) / "population.csv"
    registry_data.write_csv(registry_data.population(rows), path, registry_data.POPULATION_COLUMNS)
    registry_ingest.ingest(factory=factory, actor=SYSTEM, resource_code=code, path=path, mode="replace",
                           allow_mass_delete=True)
    rnd = random.Random(16)
    keys = [registry_data.person_at(rnd.randrange(rows))["id_number"] for _ in range(2000)]
    return Fixture(url, code, resource_id, summary.demo_api_key, keys)


class Server:
    """uvicorn with 2 workers serving `factory` (a module in bench/), as `tongban serve --workers 2` would."""

    def __init__(self, factory: str, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkdtemp()) / "server.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", factory, "--port", str(self.port), "--workers", "2",
                 "--log-level", "warning", "--no-access-log"],
                env={**os.environ, "PYTHONPATH": str(BENCH), "TONGBAN_ENV": "test", **env},
                stdout=out, stderr=subprocess.STDOUT)

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"server did not start: {self.log.read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


def login_cookie(base: str, username: str) -> str:
    with httpx.Client(base_url=base) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        if r.status_code not in (200, 303):
            raise RuntimeError(f"login failed: {r.status_code} {r.text[:300]}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def static_path(base: str) -> str:
    """The favicon as the pages link it (with its content hash when the platform names files so)."""
    page = httpx.get(base + "/login").text
    found = re.search(r'href="(/static/[^"]*favicon[^"]*)"', page)
    return found.group(1) if found else "/static/favicon.svg"


def run(args: argparse.Namespace) -> dict[str, Any]:
    ensure_tools()
    url = fresh_database()
    started = time.perf_counter()
    fx = prepare(url, args.rows)
    prepare_s = time.perf_counter() - started
    dialect = make_engine(url).dialect.name
    seconds = args.seconds
    results: dict[str, Any] = {}

    def measure(name: str, base: str, paths: list[str], headers: dict[str, str]) -> None:
        if args.only and name not in args.only and name != "minimal":
            return
        closed_loop(base, paths, headers, connections=32, seconds=2)  # warm both workers
        results[name] = closed_loop(base, paths, headers, connections=32, seconds=seconds)

    minimal = Server("_minimal_app:create", {"BENCH_DATABASE_URL": url, "BENCH_RESOURCE_ID": str(fx.resource_id)})
    try:
        minimal.wait(f"/p/{fx.keys[0]}")
        minimal_paths = [f"/p/{k}" for k in fx.keys]
        measure("minimal", minimal.base, minimal_paths, {})
        for rate in args.rates:
            results[f"minimal@{rate}"] = open_loop(minimal.base, minimal_paths, {}, rate=rate, seconds=seconds)
    finally:
        minimal.stop()
    for name, factory in (("fastapi", "create_fastapi"), ("fastapi_sync", "create_fastapi_sync")):
        if args.only and name not in args.only:
            continue
        ceiling = Server(f"_minimal_app:{factory}", {"BENCH_DATABASE_URL": url,
                                                     "BENCH_RESOURCE_ID": str(fx.resource_id)})
        try:
            ceiling.wait(f"/p/{fx.keys[0]}")
            measure(name, ceiling.base, minimal_paths, {})
        finally:
            ceiling.stop()

    platform = Server("_bare_app:create", {"TONGBAN_DATABASE_URL": url})
    try:
        platform.wait("/healthz")
        exchange_headers = {"Authorization": f"Bearer {fx.api_key}",
                            "X-Purpose": quote("一网通办办件时核验申请人身份"),
                            "X-End-User": fx.keys[0], "X-Case-Number": "BENCH0001"}
        exchange_paths = [f"/api/v1/exchange/{fx.code}/records/{k}" for k in fx.keys]
        cookie = login_cookie(platform.base, "dsj_data")
        measure("healthz", platform.base, ["/healthz"], {})
        measure("static", platform.base, [static_path(platform.base)], {})
        measure("bare", platform.base, [f"/bench/bare/{fx.code}/records/{k}" for k in fx.keys], {})
        measure("bare_session", platform.base, [f"/bench/bare-session/{fx.code}/records/{k}" for k in fx.keys], {})
        measure("exchange", platform.base, exchange_paths, exchange_headers)
        measure("officer_home", platform.base, ["/home"], {"Cookie": cookie})
        measure("portal_search", platform.base, [f"/services/search?q={quote(q)}" for q in PORTAL_QUERIES], {})
        for rate in args.rates if not args.only or "exchange" in args.only else []:
            results[f"exchange@{rate}"] = open_loop(platform.base, exchange_paths, exchange_headers, rate=rate,
                                                    seconds=seconds)
    finally:
        platform.stop()

    limit = results["minimal"]["rps"]
    for row in results.values():
        if "rps" in row:
            row["share_of_minimal"] = round(row["rps"] / limit, 3)
    return {"bench": "request_path", "database": dialect, "rows": args.rows, "seconds": seconds,
            "prepare_s": round(prepare_s, 1), "results": results}


def table(summary: dict[str, Any]) -> str:
    labels = {"minimal": "minimal ASGI app (sqlite3/psycopg + orjson)",
              "fastapi": "bare FastAPI, one `async def` route, same lookup (the framework's ceiling)",
              "fastapi_sync": "bare FastAPI, one `def` route (thread pool), same lookup", "healthz": "`/healthz`",
              "static": "static file (favicon)", "bare": "bare lookup through the platform (async, loop read)",
              "bare_session": "bare lookup, synchronous handler with the request's ORM session",
              "exchange": "full exchange call", "officer_home": "data officer's home (logged in)",
              "portal_search": "portal search"}
    lines = ["| path | requests/s | share of minimal | p50 ms | p95 ms | p99 ms | errors |",
             "|---|---|---|---|---|---|---|"]
    for name, label in labels.items():
        if name not in summary["results"]:
            continue
        r = summary["results"][name]
        errors = sum(r["errors"].values()) if isinstance(r.get("errors"), dict) else r.get("errors", 0)
        lines.append(f"| {label} | {r['rps']:,.0f} | {r['share_of_minimal']:.3f} | {r['p50_ms']:.1f} | "
                     f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {errors} |")
    lines += ["", "| open loop, offered | minimal p50 / p99 / max ms | exchange p50 / p99 / max ms | "
                  "exchange achieved/s |", "|---|---|---|---|"]
    for name in summary["results"]:
        if name.startswith("exchange@"):
            rate = name.split("@")[1]
            m, e = summary["results"][f"minimal@{rate}"], summary["results"][name]
            lines.append(f"| {rate}/s | {m['p50_ms']:.1f} / {m['p99_ms']:.1f} / {m['max_ms']:.1f} | "
                         f"{e['p50_ms']:.1f} / {e['p99_ms']:.1f} / {e['max_ms']:.1f} | {e['achieved_rps']:,.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measurement")
    parser.add_argument("--rates", type=int, nargs="*", default=[100, 500, 1000], help="open-loop offered rates")
    parser.add_argument("--only", nargs="*", default=[], help="measure only these rows (the minimal app always): "
                        "fastapi fastapi_sync healthz static bare bare_session exchange officer_home portal_search")
    args = parser.parse_args()
    summary = run(args)
    print(table(summary))
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
