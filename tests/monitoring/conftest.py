"""A city whose systems have called the exchange a few hundred times over the last week.

Calls go through `tongban.exchange.access.log_call` (the path every real call takes). Each entry is
then moved back to a chosen time and given a chosen latency while it is still unsealed (the sealer
hashes entries as they are when it seals them), so that the week has hours, days and latencies to
count; the tests compute what they expect from the raw log themselves.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.factories import SmallCity, app_client, published_resource
from tongban.authz import Actor
from tongban.catalog.models import InformationResource
from tongban.db import utcnow
from tongban.exchange import access, sealing
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.org.models import AppClient

OUTCOMES = [("ok", 200)] * 14 + [("not_found", 404)] * 2 + [("denied", 403)] * 2 + [("error", 500), ("error", 502)]


@dataclass
class World:
    city: SmallCity
    resources: list[InformationResource]
    clients: list[AppClient]
    actors: list[Actor] = field(default_factory=list)


def client_actor(c: AppClient) -> Actor:
    return Actor(kind="client", id=c.id, name=c.name, department_id=c.department_id, client_id=c.id,
                 client_ip="127.0.0.1")


def log_calls(session: Session, world: World, n: int, *, seed: int, hours_back: int = 140,
              at: dt.datetime | None = None, latency: int | None = None) -> None:
    """n calls by the world's systems (one in ten to an unknown resource code), committed unsealed."""
    rng = random.Random(seed)
    now = utcnow()
    for _ in range(n):
        actor = rng.choice(world.actors)
        resource = rng.choice([*world.resources, *world.resources, *world.resources, None])
        result, status = rng.choice(OUTCOMES)
        if resource is None:
            result, status = "denied", 404
        code = resource.code if resource is not None else "999/999999"
        access.log_call(session, actor, access.CallContext(purpose="核验身份"), operation="get", resource=resource,
                        code=code, items=[], records=[], keys=[], result=result, status=status)
        seq = session.execute(select(ExchangeLogEntry.seq).order_by(ExchangeLogEntry.seq.desc()).limit(1)).scalar()
        when = at or now - dt.timedelta(minutes=rng.randint(0, hours_back * 60))
        ms = latency if latency is not None else int(10 ** rng.uniform(0, 4.5)) - 1  # 0 ms … ~30 s, log-spread
        session.execute(update(ExchangeLogEntry).where(ExchangeLogEntry.seq == seq, ExchangeLogEntry.sealed.is_(False))
                        .values(occurred_at=when, latency_ms=ms))
        sealing.restamp(session, seq)  # the backdated row is still one the platform wrote
        session.commit()


def raw_entries(session: Session) -> list[Any]:
    """The sealed raw log, read without the monitoring code."""
    return list(session.execute(select(ExchangeLogEntry).where(ExchangeLogEntry.sealed.is_(True))).scalars())


@pytest.fixture
def world(session: Session, city: SmallCity) -> World:
    amr_resource = published_resource(session, city.users["amr_data"], name="企业登记基本信息")
    hrss_resource = published_resource(session, city.users["hrss_data"], name="社会保险参保信息")
    clients = [app_client(session, city.hrss, code="hrss-social"), app_client(session, city.amr, code="amr-reg"),
               app_client(session, city.data_bureau, code="dsj-portal")]
    session.commit()
    w = World(city=city, resources=[amr_resource, hrss_resource], clients=clients)
    w.actors = [client_actor(c) for c in clients]
    return w
