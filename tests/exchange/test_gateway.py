"""The exchange API: only granted items, masking, purpose required, grant states, logging, who used my data."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import actor_of, app_client, published_resource
from tongban import clock
from tongban.authz import SYSTEM
from tongban.catalog.schemas import ItemIn
from tongban.db import make_session_factory
from tongban.demo.city import resident_id
from tongban.exchange import gateway
from tongban.exchange import service as sharing
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.exchange.models import Grant
from tongban.exchange.schemas import ComplianceDecision, GrantAction, RequestCreate
from tongban.org.auth import new_api_key
from tongban.org.models import ApiKey, User
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


def _h(world, purpose: str | None = "企业开办登记核验法定代表人身份", **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    h = {"Authorization": f"Bearer {world['secret']}"}
    if purpose is not None:
        h["X-Purpose"] = quote(purpose)
    h.update({k: quote(v) for k, v in extra.items()})
    return h


def _url(world, key: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/exchange/{world['resource'].code}/records" + (f"/{key}" if key else "")


def test_keyed_query_returns_only_granted_items_masked(client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    r = client.get(_url(world, IDS[0]), headers=_h(world, **{"X-End-User": IDS[0], "X-Case-Number": "QY2026001"}))
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert set(data) == {"id_number", "name", "address"}  # gender and phone were not granted
    assert data["id_number"] == IDS[0][:6] + "********" + IDS[0][14:]
    assert data["name"] == "王**" and data["address"].endswith("****") and "兴安路" not in data["address"]
    prov = r.json()["provenance"]
    assert prov["resource_code"] == world["resource"].code and prov["data_version"] == 1 and prov["updated_at"]
    entry = session.execute(select(ExchangeLogEntry)).scalars().one()
    assert (entry.result, entry.end_user, entry.case_number, entry.record_count) == ("ok", IDS[0], "QY2026001", 1)
    assert json.loads(entry.items) == ["id_number", "name", "address"]
    # The grant may allow a plain value.
    world["grant"].plain_items = ["id_number"]
    session.commit()
    assert client.get(_url(world, IDS[0]), headers=_h(world)).json()["data"]["id_number"] == IDS[0]


def test_call_without_purpose_is_refused_and_logged(client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    r = client.get(_url(world, IDS[0]), headers=_h(world, purpose=None))
    assert r.status_code == 422 and r.json()["code"] == "purpose_required" and "X-Purpose" in r.json()["message"]
    entry = session.execute(select(ExchangeLogEntry)).scalars().one()
    assert entry.result == "denied" and entry.record_count == 0
    r = client.get(_url(world, IDS[0]), headers=_h(world, **{"X-End-User": "123"}))
    assert r.status_code == 422 and r.json()["code"] == "bad_end_user"


def test_revoked_suspended_and_expired_grants_are_refused(client: TestClient, session: Session, world, city) -> None:  # type: ignore[no-untyped-def]
    provider = actor_of(city.users["hrss_data"])
    sharing.suspend_grant(session=session, actor=provider, grant_id=world["grant"].id,
                          action=GrantAction(reason="核查调用情况"))
    r = client.get(_url(world, IDS[0]), headers=_h(world))
    assert r.status_code == 403 and "暂停" in r.json()["message"]
    sharing.revoke_grant(session=session, actor=provider, grant_id=world["grant"].id,
                         action=GrantAction(reason="超范围使用"))
    r = client.get(_url(world, IDS[0]), headers=_h(world))
    assert r.status_code == 403 and "撤销" in r.json()["message"]
    g = session.get(Grant, world["grant"].id)
    assert g is not None
    g.status, g.valid_until = "active", clock.today() - dt.timedelta(days=1)
    session.commit()
    r = client.get(_url(world, IDS[0]), headers=_h(world))
    assert r.status_code == 403 and "过期" in r.json()["message"]


def test_filter_query_and_refusals(client: TestClient, world) -> None:  # type: ignore[no-untyped-def]
    r = client.get(_url(world), params={"name": "张伟"}, headers=_h(world))
    assert r.status_code == 200 and r.json()["total"] == 1 and r.json()["items"][0]["name"] == "张*"
    r = client.get(_url(world), params={"gender": "男"}, headers=_h(world))
    assert r.status_code == 422 and r.json()["code"] == "filter_not_granted"
    r = client.get(_url(world, "610902199901010000"), headers=_h(world))
    assert r.status_code == 404
    # Staff sessions do not use the exchange; systems do.
    from tests.factories import login

    staff = TestClient(client.app)
    login(staff, "amr_data")
    assert staff.get(_url(world, IDS[0]), headers={"X-Purpose": "x"}).json()["code"] == "clients_only"


def test_citizen_sees_exactly_the_uses_of_their_own_records(client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import PASSWORD, login

    client.get(_url(world, IDS[0]), headers=_h(world, **{"X-Case-Number": "QY2026001"}))
    client.get(_url(world, IDS[1]), headers=_h(world))
    client.get(_url(world), params={"name": "王建华"}, headers=_h(world, purpose="核验股东身份"))
    owner = session.execute(select(User).where(User.kind == "citizen")).scalars().first()
    assert owner is not None
    owner.id_number = owner.username = IDS[0]
    session.commit()
    citizen = TestClient(client.app)
    login(citizen, IDS[0], PASSWORD)
    uses = citizen.get("/api/v1/exchange/my-data-uses").json()
    assert uses["total"] == 2
    assert {u["purpose"] for u in uses["items"]} == {"企业开办登记核验法定代表人身份", "核验股东身份"}
    assert all(u["department"] == "安康市市场监督管理局" and u["provider"] == "安康市人力资源和社会保障局"
               for u in uses["items"])
    assert "QY2026001" in {u["case_number"] for u in uses["items"]}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(granted=st.sets(st.sampled_from([i.key for i in ITEMS]), min_size=1),
       plain=st.sets(st.sampled_from([i.key for i in ITEMS])), which=st.integers(0, 4))
def test_no_call_returns_an_item_outside_its_grant_or_a_masked_item_in_plain(
        session: Session, world, granted: set[str], plain: set[str], which: int) -> None:  # type: ignore[no-untyped-def]
    g = world["grant"]
    g.items, g.plain_items = sorted(granted), sorted(plain)
    session.commit()
    actor = gateway_actor(world)
    out = gateway.get_record(session=session, actor=actor, code=world["resource"].code, key=IDS[which],
                             ctx=gateway.CallContext(purpose="属性测试"))["data"]
    assert set(out) <= granted
    original = registry.published_records(session, world["resource"].id, [IDS[which]])[IDS[which]]
    sensitive = {i.key for i in ITEMS if i.sensitivity in ("sensitive", "personal_sensitive")}
    for key, value in out.items():
        if key in sensitive and key not in plain:
            assert value != original[key], key
        else:
            assert value == original[key], key


def gateway_actor(world):  # type: ignore[no-untyped-def]
    from tongban.authz import Actor

    c = world["client"]
    return Actor(kind="client", id=c.id, name=c.name, username=c.code, department_id=c.department_id,
                 client_id=c.id, client_ip="127.0.0.1")
