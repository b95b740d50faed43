"""The exchange API: only granted items, masking, purpose required, grant states, logging, who used my data."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.exchange.conftest import IDS, ITEMS, call_headers, gateway_actor
from tests.factories import actor_of
from tongban import clock
from tongban.exchange import gateway
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.org.models import User
from tongban.registries import ingest as registry
from tongban.sharing import service as sharing
from tongban.sharing.models import Grant
from tongban.sharing.schemas import GrantAction

_h = call_headers


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


def test_headers_are_percent_encoded_utf8_and_anything_else_is_refused_and_logged(
        client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {world['secret']}"}
    # Raw UTF-8 bytes in a header would be read as Latin-1 and stored as mojibake (æ ¸éª…): refused.
    for name, raw in (("X-Purpose", "核验身份"), ("X-End-User", IDS[0][:-1] + "Ｘ"), ("X-Case-Number", "QY-汉滨-1")):
        headers = {**_h(world), **auth, name: raw.encode("utf-8")}
        r = client.get(_url(world, IDS[0]), headers=headers)
        assert r.status_code == 422 and r.json()["code"] == "header_not_encoded", (name, r.text)
        assert name in r.json()["message"] and "百分号编码" in r.json()["message"]
    # Percent-encoding of bytes that are not UTF-8, and control characters, are refused too.
    r = client.get(_url(world, IDS[0]), headers={**auth, "X-Purpose": "%E6%A0%B8%FF"})
    assert r.status_code == 422 and r.json()["code"] == "header_bad_encoding" and "UTF-8" in r.json()["message"]
    r = client.get(_url(world, IDS[0]), headers={**auth, "X-Purpose": "%E6%A0%B8%E9%AA%8C%00%0A"})
    assert r.status_code == 422 and r.json()["code"] == "header_control_characters"
    entries = session.execute(select(ExchangeLogEntry).order_by(ExchangeLogEntry.seq)).scalars().all()
    assert [(e.result, e.status_code) for e in entries] == [("denied", 422)] * 5
    assert all(e.purpose == "" and e.end_user == "" and e.case_number == "" for e in entries)
    # The documented encoding is stored as sent; a query parameter is decoded once (a “%” stays a “%”).
    r = client.get(_url(world, IDS[0]), headers=_h(world, purpose="核验身份", **{"X-Case-Number": "QY-汉滨-1"}))
    assert r.status_code == 200, r.text
    r = client.get(_url(world, IDS[0]), params={"purpose": "核验 100% 持股股东身份"}, headers=auth)
    assert r.status_code == 200, r.text
    session.expire_all()
    ok = session.execute(select(ExchangeLogEntry).where(ExchangeLogEntry.result == "ok")
                         .order_by(ExchangeLogEntry.seq)).scalars().all()
    assert [(e.purpose, e.case_number) for e in ok] == [("核验身份", "QY-汉滨-1"), ("核验 100% 持股股东身份", "")]
