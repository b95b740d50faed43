"""接口 resources: the hub forwards queries to the provider's own system (a real second process on loopback).

Same grant, purpose, masking and exchange log as records held in the hub; clear 502/503/504 when the
provider is missing, down, slow or broken; endpoint registration by the provider's staff only.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.exchange.conftest import ProviderProcess, TrickleProcess
from tests.exchange.provider_app import RECORDS
from tests.factories import actor_of, app_client, csrf_from, login, published_resource
from tongban import clock
from tongban.audit.models import AuditEntry
from tongban.catalog.schemas import ItemIn
from tongban.errors import Conflict
from tongban.exchange import endpoints
from tongban.exchange.endpoint_models import ProviderEndpoint
from tongban.exchange.log_models import ExchangeLogEntry, ExchangeLogSubject
from tongban.org.auth import new_api_key
from tongban.org.models import ApiKey
from tongban.sharing import service as sharing
from tongban.sharing.schemas import ComplianceDecision, RequestCreate

PURPOSE = "企业开办登记核验法定代表人身份"
ITEMS = [
    ItemIn(name="公民身份号码", key="id_number", data_type="resident_id", length=18, required=True, is_key=True,
           sensitivity="personal_sensitive"),
    ItemIn(name="姓名", key="name", length=50, required=True, sensitivity="sensitive"),
    ItemIn(name="性别", key="gender", length=1, sensitivity="internal"),
    ItemIn(name="户籍地址", key="address", data_type="address", length=200, sensitivity="personal_sensitive"),
    ItemIn(name="联系电话", key="phone", data_type="phone", sensitivity="personal_sensitive"),
]
ID0 = RECORDS[0]["id_number"]


# ---------------------------------------------------------------- a 接口 resource, a granted client, an endpoint


@pytest.fixture
def world(session: Session, city, provider: ProviderProcess):  # type: ignore[no-untyped-def]
    resource = published_resource(session, city.users["hrss_data"], name="户籍人口（接口转发测试）",
                                  share_type="unconditional", share_condition="", share_methods=["interface"],
                                  data_on_platform=False, items=ITEMS)
    client = app_client(session, city.amr, code="amr-register")
    secret, prefix, digest = new_api_key()
    session.add(ApiKey(client_id=client.id, key_prefix=prefix, key_hash=digest, label="test"))
    session.commit()
    req = sharing.submit_request(session=session, actor=actor_of(city.users["amr_data"]), request_in=RequestCreate(
        resource_id=resource.id, client_id=client.id, items=["id_number", "name", "address"],
        purpose=PURPOSE, legal_basis="《市场主体登记管理条例》", scenario="企业开办",
        period_start=clock.today(), period_end=clock.today() + dt.timedelta(days=30)))
    sharing.compliance_check(session=session, actor=actor_of(city.users["admin"]), request_id=req.id,
                             decision=ComplianceDecision(decision="pass"))
    assert sharing.grant_for(session, req.id) is not None
    return {"resource": resource, "client": client, "secret": secret, "provider": provider, "city": city}


def _register(session: Session, world, path: str = "/population", timeout_ms: int = 2000,  # type: ignore[no-untyped-def]
              base: str | None = None) -> ProviderEndpoint:
    return endpoints.register_endpoint(
        session=session, actor=actor_of(world["city"].users["hrss_data"]), resource_id=world["resource"].id,
        endpoint_in=endpoints.EndpointIn(url=(base or world["provider"].url) + path, timeout_ms=timeout_ms))


def _h(world, purpose: str | None = PURPOSE, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    h = {"Authorization": f"Bearer {world['secret']}"}
    if purpose is not None:
        h["X-Purpose"] = quote(purpose)
    h.update({k: quote(v) for k, v in extra.items()})
    return h


def _invoke(world) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/exchange/{world['resource'].code}/invoke"


def _log(session: Session) -> list[ExchangeLogEntry]:
    session.expire_all()
    return list(session.execute(select(ExchangeLogEntry).order_by(ExchangeLogEntry.seq)).scalars())


# ---------------------------------------------------------------- forwarded calls


def test_forwarded_keyed_query_returns_only_granted_items_masked(client: TestClient, session: Session,
                                                                  world) -> None:  # type: ignore[no-untyped-def]
    _register(session, world)
    r = client.get(_invoke(world), params={"id_number": ID0},
                   headers=_h(world, **{"X-End-User": ID0, "X-Case-Number": "QY2026001"}))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 1
    rec = body["items"][0]
    assert set(rec) == {"id_number", "name", "address"}  # gender and phone came from the provider, not granted
    assert rec["id_number"] == ID0[:6] + "********" + ID0[14:]
    assert rec["name"] == "王**" and rec["address"].endswith("****") and "巴山路" not in rec["address"]
    prov = body["provenance"]
    assert prov["resource_code"] == world["resource"].code and prov["source"] == "provider_system"
    assert prov["masked_items"] == ["address", "id_number", "name"] and len(prov["call_id"]) == 32
    [entry] = _log(session)
    assert (entry.operation, entry.result, entry.status_code, entry.record_count) == ("proxy", "ok", 200, 1)
    assert (entry.end_user, entry.case_number, entry.purpose) == (ID0, "QY2026001", PURPOSE)
    assert json.loads(entry.record_keys) == [ID0] and json.loads(entry.items) == ["id_number", "name", "address"]
    subjects = session.execute(select(ExchangeLogSubject.subject).where(ExchangeLogSubject.seq == entry.seq)).scalars()
    assert list(subjects) == [ID0]


def test_filter_query_is_forwarded(client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    _register(session, world)
    r = client.get(_invoke(world), params={"name": "张伟"}, headers=_h(world))
    assert r.status_code == 200, r.text
    assert [x["name"] for x in r.json()["items"]] == ["张*"]
    r = client.get(_invoke(world), params={"name": "没有这个人"}, headers=_h(world))
    assert r.status_code == 200 and (r.json()["items"], r.json()["total"]) == ([], 0)


def test_purpose_end_user_and_consumer_reach_the_provider(client: TestClient, session: Session,
                                                          world) -> None:  # type: ignore[no-untyped-def]
    _register(session, world)
    r = client.get(_invoke(world), params={"id_number": ID0},
                   headers=_h(world, **{"X-End-User": ID0, "X-Case-Number": "QY-2026-汉滨-001"}))
    assert r.status_code == 200, r.text
    [seen] = world["provider"].seen(r.json()["provenance"]["call_id"])
    assert seen["purpose"] == PURPOSE and seen["end_user"] == ID0 and seen["case_number"] == "QY-2026-汉滨-001"
    assert seen["consumer_department"] == "city-amr" and seen["consumer_system"] == "amr-register"
    assert seen["query"] == f"id_number={ID0}"


def test_filter_outside_the_grant_and_missing_purpose_are_refused_without_calling(
        client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    _register(session, world)
    before = len(world["provider"].seen())
    r = client.get(_invoke(world), params={"gender": "男"}, headers=_h(world))
    assert r.status_code == 422 and r.json()["code"] == "filter_not_granted" and "gender" in r.json()["message"]
    r = client.get(_invoke(world), params={"id_number": ID0}, headers=_h(world, purpose=None))
    assert r.status_code == 422 and r.json()["code"] == "purpose_required"
    r = client.get(_invoke(world), headers=_h(world))
    assert r.status_code == 422 and r.json()["code"] == "filter_required"
    assert len(world["provider"].seen()) == before  # nothing was forwarded
    assert [(e.operation, e.result, e.status_code) for e in _log(session)] == [("proxy", "denied", 422)] * 3


def _ends(call: Callable[[], httpx.Response]) -> httpx.Response:
    """The call's answer. A failsafe, not a measurement: a call that never ends fails the test instead of
    hanging the run (the provider it waits on never finishes, so only the hub's own deadline ends it)."""
    out: list[httpx.Response] = []
    worker = threading.Thread(target=lambda: out.append(call()), daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive() and out, "the call never ended: the endpoint's timeout does not bound it"
    return out[0]


def test_provider_down_never_finishing_broken_and_unregistered(client: TestClient, session: Session, world,  # type: ignore[no-untyped-def]
                                                               trickle: TrickleProcess) -> None:
    q = {"id_number": ID0}
    # Not registered yet.
    r = client.get(_invoke(world), params=q, headers=_h(world))
    assert r.status_code == 503 and r.json()["code"] == "provider_not_registered", r.text
    # Never finishing, a byte at a time: in the status line and headers, or in the body. Each byte comes
    # well within any per-read timeout; only a deadline over the whole call ends it.
    for path in ("/headers", "/body"):
        _register(session, world, path, timeout_ms=300, base=trickle.url)
        # A client of its own: should the call never end, the test's client can still shut down.
        r = _ends(lambda: TestClient(client.app).get(_invoke(world), params=q, headers=_h(world)))
        assert r.status_code == 504 and r.json()["code"] == "provider_timeout", (path, r.text)
        assert "300 毫秒" in r.json()["message"]
    # 500, HTML, JSON of the wrong shape, and JSON nested deeper than a parser can follow.
    for path in ("/broken", "/not-json", "/wrong-shape", "/nested"):
        _register(session, world, path)
        r = client.get(_invoke(world), params=q, headers=_h(world))
        assert r.status_code == 502 and r.json()["code"] == "provider_error", (path, r.text)
    # Unknown record: the provider's 404.
    _register(session, world, "/population")
    r = client.get(_invoke(world), params={"id_number": "610902199901010014"}, headers=_h(world))
    assert r.status_code == 404 and r.json()["code"] == "record_not_found"
    # Disabled by the provider.
    endpoints.set_enabled(session=session, actor=actor_of(world["city"].users["hrss_data"]),
                          resource_id=world["resource"].id, enabled=False)
    r = client.get(_invoke(world), params=q, headers=_h(world))
    assert r.status_code == 503 and r.json()["code"] == "provider_not_registered"
    assert [(e.operation, e.result, e.status_code) for e in _log(session)] == [
        ("proxy", "error", 503), ("proxy", "error", 504), ("proxy", "error", 504), ("proxy", "error", 502),
        ("proxy", "error", 502), ("proxy", "error", 502), ("proxy", "error", 502), ("proxy", "not_found", 404),
        ("proxy", "error", 503)]
    assert all(json.loads(e.record_keys) == [q["id_number"]] for e in _log(session)[:7])


def test_provider_stopped_answers_502(client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    own = ProviderProcess()
    try:
        _register(session, world, base=own.url)
        r = client.get(_invoke(world), params={"id_number": ID0}, headers=_h(world))
        assert r.status_code == 200, r.text
    finally:
        own.stop()
    r = client.get(_invoke(world), params={"id_number": ID0}, headers=_h(world))
    assert r.status_code == 502 and r.json()["code"] == "provider_unreachable", r.text
    assert "无法连接" in r.json()["message"]
    assert [(e.result, e.status_code) for e in _log(session)] == [("ok", 200), ("error", 502)]


def test_records_routes_are_not_shadowed(client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    _register(session, world)
    r = client.get(f"/api/v1/exchange/{world['resource'].code}/records/{ID0}", headers=_h(world))
    assert r.status_code == 404 and r.json()["code"] == "record_not_found"  # the hub holds no records of it
    assert _log(session)[-1].operation == "get"


# ---------------------------------------------------------------- registration


def test_only_the_providers_staff_register_and_urls_are_checked(client: TestClient, session: Session,
                                                                world) -> None:  # type: ignore[no-untyped-def]
    rid = world["resource"].id
    url = f"/api/v1/exchange/endpoints/{rid}"
    body = {"url": world["provider"].url + "/population", "timeout_ms": 1500}
    other = TestClient(client.app)
    t = login(other, "amr_data")  # holds endpoint.manage, but in another department
    r = other.put(url, json=body, headers={"X-CSRF-Token": t})
    assert r.status_code == 403 and r.json()["code"] == "endpoint_forbidden"
    reviewer = TestClient(client.app)
    t = login(reviewer, "hrss_reviewer")  # the provider department, without endpoint.manage
    assert reviewer.put(url, json=body, headers={"X-CSRF-Token": t}).status_code == 403
    r = client.put(url, json=body, headers=_h(world))  # an API-key client is not staff
    assert r.status_code == 403

    owner = TestClient(client.app)
    t = login(owner, "hrss_data")
    for bad, code in (("ftp://10.1.2.3/population", "endpoint_url_scheme"),
                      ("http://svc:secret@10.1.2.3/population", "endpoint_url_credentials"),
                      ("https://10.1.2.3/population#top", "endpoint_url_fragment"),
                      ("https:///population", "endpoint_url_host"),
                      ("http://10.1.2.3:99999/population", "endpoint_url_invalid"),
                      ("", "endpoint_url_required")):
        r = owner.put(url, json={"url": bad}, headers={"X-CSRF-Token": t})
        assert r.status_code == 422 and r.json()["code"] == code, (bad, r.text)
    r = owner.put(url, json={**body, "timeout_ms": 100}, headers={"X-CSRF-Token": t})
    assert r.status_code == 422 and r.json()["code"] == "endpoint_timeout_range" and "毫秒" in r.json()["message"]
    assert owner.get(url).status_code == 404

    r = owner.put(url, json=body, headers={"X-CSRF-Token": t})
    assert r.status_code == 200, r.text
    assert r.json()["url"] == body["url"] and r.json()["timeout_ms"] == 1500 and r.json()["enabled"] is True
    assert owner.get(url).json()["url"] == body["url"]
    assert other.get(url).status_code == 403
    r = owner.post(url + "/check", headers={"X-CSRF-Token": t})
    assert r.status_code == 200 and r.json()["last_check_ok"] is True and r.json()["last_check_status"] == 200
    assert world["provider"].seen()[-1]["health_check"] == "1"
    r = owner.put(url, json={**body, "url": world["provider"].url + "/broken"}, headers={"X-CSRF-Token": t})
    assert r.json()["last_check_at"] is None  # a new address has not been tested
    r = owner.post(url + "/check", headers={"X-CSRF-Token": t})
    assert r.json()["last_check_ok"] is False and r.json()["last_check_status"] == 500
    listed = owner.get("/api/v1/exchange/endpoints").json()
    assert [x["resource_id"] for x in listed] == [rid] and listed[0]["endpoint"]["url"].endswith("/broken")

    # The platform admin may act for any department.
    admin = TestClient(client.app)
    t = login(admin, "admin")
    r = admin.put(url, json={**body, "enabled": False}, headers={"X-CSRF-Token": t})
    assert r.status_code == 200 and r.json()["enabled"] is False

    actions = session.execute(select(AuditEntry.action, AuditEntry.actor_name).where(
        AuditEntry.action.like("endpoint.%")).order_by(AuditEntry.seq)).all()
    assert [a for a, _ in actions] == ["endpoint.register", "endpoint.check", "endpoint.update", "endpoint.check",
                                       "endpoint.update"]


def test_only_published_interface_resources_take_an_endpoint(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    city = world["city"]
    table_only = published_resource(session, city.users["hrss_data"], name="参保人员（库表）", share_methods=["table"])
    with pytest.raises(Conflict) as exc:
        endpoints.register_endpoint(session=session, actor=actor_of(city.users["hrss_data"]),
                                    resource_id=table_only.id,
                                    endpoint_in=endpoints.EndpointIn(url="https://10.1.2.3/x"))
    assert exc.value.code == "resource_not_interface"


# ---------------------------------------------------------------- the page


def test_endpoints_page_registers_checks_and_disables(client: TestClient, session: Session,
                                                      world) -> None:  # type: ignore[no-untyped-def]
    rid = world["resource"].id
    t = login(client, "hrss_data")
    page = client.get("/sharing/endpoints", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert 'href="/sharing/endpoints"' in page.text and "户籍人口（接口转发测试）" in page.text and "尚未登记" in page.text
    r = client.post(f"/sharing/endpoints/{rid}", data={"url": "ftp://x/y", "timeout_ms": "3000", "csrf_token": t})
    assert r.status_code == 422 and "http:// 或 https://" in r.text and 'value="ftp://x/y"' in r.text
    r = client.post(f"/sharing/endpoints/{rid}", data={"url": world["provider"].url + "/population",
                                                       "timeout_ms": "2500"})
    assert r.status_code == 403  # no CSRF token
    r = client.post(f"/sharing/endpoints/{rid}", data={"url": world["provider"].url + "/population",
                                                       "timeout_ms": "2500", "csrf_token": csrf_from(page.text)},
                    follow_redirects=False)
    assert r.status_code == 303
    ep = session.execute(select(ProviderEndpoint).where(ProviderEndpoint.resource_id == rid)).scalar_one()
    assert ep.timeout_ms == 2500 and ep.enabled and ep.registered_by == world["city"].users["hrss_data"].id
    r = client.post(f"/sharing/endpoints/{rid}/check", data={"csrf_token": t})
    assert r.status_code == 200 and "连通性测试通过" in r.text and "连接正常" in r.text
    r = client.post(f"/sharing/endpoints/{rid}/disable", data={"csrf_token": t})
    assert r.status_code == 200 and "已停用" in r.text and "启用" in r.text
    # The forwarded call now meets a disabled endpoint.
    call = TestClient(client.app).get(_invoke(world), params={"id_number": ID0}, headers=_h(world))
    assert call.status_code == 503

    clerk = TestClient(client.app)
    login(clerk, "hrss_clerk")
    assert 'href="/sharing/endpoints"' not in clerk.get("/home").text
    assert clerk.get("/sharing/endpoints", headers={"accept": "text/html"}).status_code == 403
    other = TestClient(client.app)
    t2 = login(other, "amr_data")
    assert "户籍人口（接口转发测试）" not in other.get("/sharing/endpoints").text
    r = other.post(f"/sharing/endpoints/{rid}/enable", data={"csrf_token": t2}, headers={"accept": "text/html"})
    assert r.status_code == 403


def test_providers_that_never_finish_do_not_starve_the_server(live_server: str, session: Session, world,  # type: ignore[no-untyped-def]
                                                              trickle: TrickleProcess) -> None:
    """More held calls than the server has worker threads (40), each waiting on a provider that never
    finishes, under the longest timeout an endpoint may have: the rest of the site still answers."""
    _register(session, world, "/headers", timeout_ms=30_000, base=trickle.url)
    held = 45
    answers: list[httpx.Response] = []

    def call() -> None:
        answers.append(httpx.get(live_server + _invoke(world), params={"id_number": ID0}, headers=_h(world),
                                 timeout=120, trust_env=False))

    callers = [threading.Thread(target=call, daemon=True) for _ in range(held)]
    for t in callers:
        t.start()
    # Wait until every call is being held by the provider (a failsafe bounds the wait, it measures nothing).
    for _ in range(600):
        if trickle.open() >= held:
            break
        threading.Event().wait(0.1)
    assert trickle.open() == held, "not every call reached the provider"
    # An unrelated page and an unrelated API call are served while all of them are held...
    page = httpx.get(live_server + "/login", headers={"accept": "text/html"}, timeout=60, trust_env=False)
    health = httpx.get(live_server + "/healthz", timeout=60, trust_env=False)
    assert page.status_code == 200 and health.status_code == 200
    # ...which they still are: the answers above did not wait for the provider calls to end.
    assert trickle.open() == held and not answers
    # The provider finally drops the connections: every call ends, as a provider error, and is logged.
    assert trickle.close_all() == held
    for t in callers:
        t.join(timeout=120)
    assert len(answers) == held and {r.status_code for r in answers} == {502}, {r.text for r in answers}
    assert [(e.result, e.status_code) for e in _log(session)] == [("error", 502)] * held
