"""Shared fixtures of the exchange tests: a population resource with five records held in the hub,
an application client of another department with an API key, and an active grant of three items."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import population_ids, population_items, population_world
from tongban.authz import Actor

ROOT = Path(__file__).resolve().parents[2]
ITEMS = population_items()
IDS = population_ids()


@pytest.fixture
def world(tmp_path: Path, engine: Engine, session: Session, city):  # type: ignore[no-untyped-def]
    return population_world(session, engine, city, tmp_path, name="户籍人口（交换测试）",
                            granted=["id_number", "name", "address"])


def call_headers(world, purpose: str | None = "企业开办登记核验法定代表人身份", **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    h = {"Authorization": f"Bearer {world['secret']}"}
    if purpose is not None:
        h["X-Purpose"] = quote(purpose)
    h.update({k: quote(v) for k, v in extra.items()})
    return h


def gateway_actor(world):  # type: ignore[no-untyped-def]

    c = world["client"]
    return Actor(kind="client", id=c.id, name=c.name, username=c.code, department_id=c.department_id,
                 client_id=c.id, client_ip="127.0.0.1")


# ---------------------------------------------------------------- the provider's system, a real process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ProviderProcess:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tests.exchange.provider_app:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("provider process exited: " + (self.proc.stderr.read() or b"").decode())  # type: ignore[union-attr]
            try:
                if httpx.get(self.url + "/health", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("provider process did not answer within 30 s")
            time.sleep(0.1)

    def seen(self, call_id: str = "") -> list[dict[str, str]]:
        r = httpx.get(self.url + "/_seen", params={"call_id": call_id}, timeout=5, trust_env=False)
        return r.json()  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stderr is not None:
            self.proc.stderr.close()


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderProcess]:
    p = ProviderProcess()
    yield p
    p.stop()


class TrickleProcess:
    """trickle_server.py in its own process: a provider that never finishes an answer."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "exchange" / "trickle_server.py"),
                                      str(self.port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("trickle server exited: " + (self.proc.stderr.read() or b"").decode())  # type: ignore[union-attr]
            try:
                self.open()
                break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("trickle server did not answer within 30 s")
            time.sleep(0.1)

    def open(self) -> int:
        """How many never-ending answers are in progress."""
        return int(httpx.get(self.url + "/_open", timeout=5, trust_env=False).json()["open"])

    def close_all(self) -> int:
        return int(httpx.get(self.url + "/_close", timeout=5, trust_env=False).json()["closed"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        if self.proc.stderr is not None:
            self.proc.stderr.close()


@pytest.fixture(scope="module")
def trickle() -> Iterator[TrickleProcess]:
    p = TrickleProcess()
    yield p
    p.stop()
