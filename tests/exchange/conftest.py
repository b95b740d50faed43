"""Shared fixtures of the exchange tests: a population resource with five records held in the hub,
an application client of another department with an API key, and an active grant of three items."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import actor_of, app_client, published_resource
from tongban import clock
from tongban.authz import SYSTEM, Actor
from tongban.catalog.schemas import ItemIn
from tongban.db import make_session_factory
from tongban.demo.city import resident_id
from tongban.exchange import service as sharing
from tongban.exchange.schemas import ComplianceDecision, RequestCreate
from tongban.org.auth import new_api_key
from tongban.org.models import ApiKey
from tongban.registries import ingest as registry

ITEMS = [
    ItemIn(name="公民身份号码", key="id_number", data_type="resident_id", length=18, required=True, is_key=True,
           sensitivity="personal_sensitive"),
    ItemIn(name="姓名", key="name", length=50, required=True, sensitivity="sensitive"),
    ItemIn(name="性别", key="gender", length=1, sensitivity="internal"),
    ItemIn(name="户籍地址", key="address", data_type="address", length=200, sensitivity="personal_sensitive"),
    ItemIn(name="联系电话", key="phone", data_type="phone", sensitivity="personal_sensitive"),
]
IDS = [resident_id("610902", dt.date(1985, 3, 1) + dt.timedelta(days=i), 10 + i, i % 2 == 1) for i in range(5)]


@pytest.fixture
def world(tmp_path: Path, engine: Engine, session: Session, city):  # type: ignore[no-untyped-def]
    resource = published_resource(session, city.users["hrss_data"], name="户籍人口（交换测试）",
                                  share_type="unconditional", share_condition="", items=ITEMS)
    path = tmp_path / "p.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([i.key for i in ITEMS])
        for n, rid in enumerate(IDS):
            w.writerow([rid, ["王建华", "李秀英", "张伟", "刘洋", "陈静"][n], "男" if n % 2 == 0 else "女",
                        f"陕西省安康市汉滨区老城街道兴安路{n + 1}号", "13912345678"])
    registry.ingest(factory=make_session_factory(engine), actor=SYSTEM, resource_code=resource.code, path=path)
    client = app_client(session, city.amr, code="amr-register")
    secret, prefix, digest = new_api_key()
    session.add(ApiKey(client_id=client.id, key_prefix=prefix, key_hash=digest, label="test"))
    session.commit()
    consumer = actor_of(city.users["amr_data"])
    req = sharing.submit_request(session=session, actor=consumer, request_in=RequestCreate(
        resource_id=resource.id, client_id=client.id, items=["id_number", "name", "address"],
        purpose="企业开办登记核验法定代表人身份", legal_basis="《市场主体登记管理条例》", scenario="企业开办",
        period_start=clock.today(), period_end=clock.today() + dt.timedelta(days=30)))
    sharing.compliance_check(session=session, actor=actor_of(city.users["admin"]), request_id=req.id,
                             decision=ComplianceDecision(decision="pass"))
    grant = sharing.grant_for(session, req.id)
    return {"resource": resource, "client": client, "secret": secret, "grant": grant}


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
