"""Shared fixtures of the exchange tests: a population resource with five records held in the hub,
an application client of another department with an API key, and an active grant of three items."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import population_ids, population_items, population_world
from tests.processes import ROOT, ServerProcess, uvicorn_argv
from tongban.authz import Actor

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


class ProviderProcess(ServerProcess):
    """tests/exchange/provider_app.py: a provider department's own system."""

    name = "provider process"

    def __init__(self) -> None:
        super().__init__(uvicorn_argv("tests.exchange.provider_app:app"))

    def seen(self, call_id: str = "") -> list[dict[str, str]]:
        r = httpx.get(self.url + "/_seen", params={"call_id": call_id}, timeout=5, trust_env=False)
        return r.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderProcess]:
    p = ProviderProcess()
    yield p
    p.stop()


class TrickleProcess(ServerProcess):
    """trickle_server.py in its own process: a provider that never finishes an answer."""

    name = "trickle server"

    def __init__(self) -> None:
        super().__init__([sys.executable, str(ROOT / "tests" / "exchange" / "trickle_server.py"), "{port}"])

    def ready(self) -> bool:
        self.open()
        return True

    def open(self) -> int:
        """How many never-ending answers are in progress."""
        return int(httpx.get(self.url + "/_open", timeout=5, trust_env=False).json()["open"])

    def close_all(self) -> int:
        return int(httpx.get(self.url + "/_close", timeout=5, trust_env=False).json()["closed"])


@pytest.fixture(scope="module")
def trickle() -> Iterator[TrickleProcess]:
    p = TrickleProcess()
    yield p
    p.stop()


@pytest.fixture
def synced_files(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The inodes of the files fsync'd from now on, in order (the real fsync runs)."""
    synced: list[int] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(os.fstat(fd).st_ino)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    return synced
