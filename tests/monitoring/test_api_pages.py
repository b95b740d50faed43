"""Who sees which calls; the JSON endpoint and its OpenAPI schema; the page with its tables."""

from __future__ import annotations

import html
import json
import re
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import actor_of, login
from tests.monitoring.conftest import World, client_actor, log_calls, raw_entries
from tongban.errors import Forbidden, ValidationFailed
from tongban.exchange import sealing
from tongban.monitoring import service
from tongban.monitoring.schemas import StatsFilter


@pytest.fixture
def sealed(session: Session, world: World) -> World:
    log_calls(session, world, 240, seed=11)
    sealing.seal(session)
    return world


def test_a_department_sees_only_calls_it_made_or_answered(session: Session, sealed: World) -> None:
    raw = raw_entries(session)
    amr = sealed.city.amr.id
    mine = [e for e in raw if amr in (e.consumer_id, e.provider_id)]
    assert 0 < len(mine) < len(raw)
    for username in ("amr_admin", "amr_data"):
        stats = service.exchange_stats(session=session, actor=actor_of(sealed.city.users[username]),
                                       filters=StatsFilter())
        assert stats.scope == "department"
        assert stats.totals.calls == len(mine)
        assert stats.totals.errors == sum(e.status_code >= 500 for e in mine)
        assert {c.client_id: c.calls for c in stats.top_consumers} == dict(Counter(e.client_id for e in mine))
        assert {r.resource_id: r.calls for r in stats.resources} == dict(Counter(e.resource_id or 0 for e in mine))
    # The supervisor sees the whole platform.
    stats = service.exchange_stats(session=session, actor=actor_of(sealed.city.users["supervisor"]),
                                   filters=StatsFilter())
    assert stats.scope == "all" and stats.totals.calls == len(raw)
    # Filters narrow further, within the scope.
    hrss = sealed.city.hrss.id
    stats = service.exchange_stats(session=session, actor=actor_of(sealed.city.users["amr_admin"]),
                                   filters=StatsFilter(provider_id=hrss))
    assert stats.totals.calls == sum(1 for e in mine if e.provider_id == hrss)
    code = sealed.resources[0].code
    stats = service.exchange_stats(session=session, actor=actor_of(sealed.city.users["admin"]),
                                   filters=StatsFilter(resource_code=code, consumer_id=hrss))
    assert stats.totals.calls == sum(1 for e in raw if e.resource_id == sealed.resources[0].id and e.consumer_id == hrss)


def test_outsiders_are_refused(session: Session, sealed: World) -> None:
    for user in ("amr_clerk", "hrss_reviewer", "citizen"):
        with pytest.raises(Forbidden):
            service.exchange_stats(session=session, actor=actor_of(sealed.city.users[user]), filters=StatsFilter())
    with pytest.raises(Forbidden):  # an application system's API key does not open monitoring
        service.exchange_stats(session=session, actor=client_actor(sealed.clients[0]), filters=StatsFilter())
    with pytest.raises(ValidationFailed, match="不存在"):
        service.exchange_stats(session=session, actor=actor_of(sealed.city.users["admin"]),
                               filters=StatsFilter(resource_code="999/000001"))


def test_json_endpoint(client: TestClient, session: Session, sealed: World) -> None:
    assert client.get("/api/v1/monitoring/exchange").status_code == 401
    login(client, "amr_clerk")
    r = client.get("/api/v1/monitoring/exchange")
    assert r.status_code == 403 and "交换监测" in r.json()["message"]

    login(client, "admin")
    r = client.get("/api/v1/monitoring/exchange")
    assert r.status_code == 200, r.text
    body = r.json()
    raw = raw_entries(session)
    assert body["totals"]["calls"] == len(raw) and body["granularity"] == "hour" and len(body["series"]) == 7 * 24
    assert body["totals"]["errors"] == sum(e.status_code >= 500 for e in raw)
    assert body["series"][0]["start"].endswith("+08:00")
    r = client.get("/api/v1/monitoring/exchange", params={"granularity": "day", "provider_id": sealed.city.amr.id})
    assert r.status_code == 200 and len(r.json()["series"]) == 7
    assert r.json()["totals"]["calls"] == sum(1 for e in raw if e.provider_id == sealed.city.amr.id)

    r = client.get("/api/v1/monitoring/exchange", params={"start": "2026-01-01", "end": "2026-03-01"})
    assert r.status_code == 422 and "按小时统计最长 31 天" in r.json()["message"]
    r = client.get("/api/v1/monitoring/exchange", params={"start": "2026-03-02", "end": "2026-03-01"})
    assert r.status_code == 422 and "结束日期不能早于起始日期" in r.json()["message"]
    r = client.get("/api/v1/monitoring/exchange", params={"granularity": "week"})
    assert r.status_code == 422

    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/v1/monitoring/exchange"]["get"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ExchangeStats")
    assert {"totals", "series", "top_consumers", "resources", "providers"} <= set(
        spec["components"]["schemas"]["ExchangeStats"]["properties"])


def test_page_renders_tiles_tables_and_chart_data(client: TestClient, session: Session, sealed: World) -> None:
    login(client, "amr_clerk")
    home = client.get("/home")
    assert "/monitoring/exchange" not in home.text
    assert client.get("/monitoring/exchange", headers={"accept": "text/html"}).status_code == 403

    login(client, "admin")
    assert 'href="/monitoring/exchange"' in client.get("/home").text
    page = client.get("/monitoring/exchange")
    assert page.status_code == 200
    text = page.text
    raw = raw_entries(session)
    assert f'id="kpi-calls">{len(raw):,}<' in text
    for name in ("企业登记基本信息", "社会保险参保信息", "安康市市场监督管理局", "安康市人力资源和社会保障局"):
        assert name in text
    resources = re.search(r'<table class="table" id="table-resources">(.*?)</table>', text, re.S)
    assert resources and "企业登记基本信息" in resources.group(1)
    assert re.search(r'<table class="table" id="table-providers">.*?安康市市场监督管理局', text, re.S)
    # The charts' data travel in a JSON data block (not executed, so the CSP allows it); no inline script.
    block = re.search(r'<script type="application/json" id="monitoring-data">(.*?)</script>', text, re.S)
    assert block and json.loads(html.unescape(block.group(1)))["totals"]["calls"] == len(raw)
    assert not re.search(r"<script(?![^>]*(src=|application/json))", text)
    assert "script-src 'self'" in page.headers["content-security-policy"]

    bad = client.get("/monitoring/exchange", params={"resource_code": "999/000001"})
    assert bad.status_code == 422 and "信息资源代码 999/000001 不存在" in bad.text

    login(client, "amr_data")
    own = client.get("/monitoring/exchange", params={"granularity": "day"})
    assert own.status_code == 200 and "仅包含本部门作为使用方或提供方的调用" in own.text
    mine = sum(1 for e in raw if sealed.city.amr.id in (e.consumer_id, e.provider_id))
    assert f'id="kpi-calls">{mine:,}<' in own.text
