"""Shared set-up for benchmarks: a fresh database (SQLite file or TONGBAN_BENCH_DATABASE_URL) and a live server."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

os.environ.setdefault("TONGBAN_AUDIT_KEY", "bench-audit-key-0123456789abcdef0123456789")
os.environ.setdefault("TONGBAN_SECRET_KEY", "bench-secret-key-0123456789abcdef0123456789")

from tongban.cli import upgrade_database
from tongban.db import make_engine


def fresh_database() -> str:
    url = os.environ.get("TONGBAN_BENCH_DATABASE_URL")
    if url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    upgrade_database(url)
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """`tongban serve` in its own process, as in production."""

    def __init__(self, url: str) -> None:
        self.port = free_port()
        env = {**os.environ, "TONGBAN_DATABASE_URL": url, "TONGBAN_ENV": "test"}
        #: The server's output (errors with their incident numbers), kept for reading after a run.
        self.log = Path(tempfile.mkdtemp()) / "server.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tongban.cli", "serve", "--port", str(self.port)], env=env,
                stdout=out, stderr=subprocess.STDOUT, cwd=str(Path(__file__).resolve().parents[1]))
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def login(self, client: httpx.Client, username: str, password: str) -> None:
        page = client.get(self.base + "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = client.post(self.base + "/login", data={"username": username, "password": password, "csrf_token": token})
        assert r.status_code in (200, 303), r.text

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(fn: Any, repeat: int) -> dict[str, float]:
    """p50, p95 and max in ms of `repeat` calls of `fn`, after one warm-up call."""
    fn()  # warm
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "max_ms": round(max(times), 2)}
