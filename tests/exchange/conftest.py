"""Shared fixtures of the exchange tests: a population resource with five records held in the hub,
an application client of another department with an API key, and an active grant of three items."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import population_ids, population_items, population_world
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
