"""Systems acting for end users (一网通办平台): the exchange itself serves them only the end user's own records,
for a draft or 补正 case of that end user, and never subscriptions or exports; every refusal is a 403 with a
stable code and a Chinese message, logged as denied. Other systems are unaffected.

cases/prefill.py already asks only for the applicant's own data; these tests call the exchange the way a
faulty or misused 一网通办平台 would, over HTTP with the system's own API key.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.exchange.conftest import ProviderProcess
from tests.exchange.provider_app import RECORDS
from tests.factories import (
    SmallCity,
    actor_of,
    applicant_case,
    population_ids,
    population_items,
    population_world,
    published_resource,
    staff,
)
from tongban import clock
from tongban.cases import prefill
from tongban.cases.models import Case
from tongban.config import get_settings
from tongban.exchange import endpoints
from tongban.exchange.log_models import ExchangeLogEntry, ExchangeLogSubject
from tongban.exchange.queries import my_data_uses
from tongban.org.auth import new_api_key
from tongban.org.models import ApiKey, AppClient, User
from tongban.sharing import service as sharing
from tongban.sharing.schemas import ComplianceDecision, ProviderDecision, RequestCreate

IDS = population_ids()  # 王建华 (A), 李秀英 (B), … in the population register
CASE_A, CASE_B, CASE_SUBMITTED = "BJ2026000201", "BJ2026000202", "BJ2026000203"
PURPOSE = "一网通办办件预填申请表"


def _citizen(session: Session, rid: str, name: str) -> User:
    u = User(username=rid, display_name=name, kind="citizen", id_number=rid, password_hash="x")
    session.add(u)
    session.commit()
    return u


def _platform_system(session: Session, city: SmallCity, resource_id: int,
                     items: list[str] | None = None) -> tuple[AppClient, str]:
    """一网通办平台 as cases/prefill.py registers it, granted on the sharing path, with an API key."""
    if "dsj_data" not in city.users:
        city.users["dsj_data"] = staff(session, "dsj_data", city.data_bureau, "data_officer", name="韩雪")
        session.commit()
    system = prefill.ensure_platform_system(session=session, actor=actor_of(city.users["admin"]))
    req = sharing.submit_request(session=session, actor=actor_of(city.users["dsj_data"]), request_in=RequestCreate(
        resource_id=resource_id, client_id=system.id, items=items or ["id_number", "name", "gender", "address"],
        purpose="一网通办办件时预填申请表、调取申请材料", legal_basis="《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》",
        scenario="一网通办", period_start=clock.today(), period_end=clock.today() + dt.timedelta(days=365)))
    req = sharing.compliance_check(session=session, actor=actor_of(city.users["admin"]), request_id=req.id,
                                   decision=ComplianceDecision(decision="pass"))
    if req.status == "pending_provider":
        sharing.provider_decide(session=session, actor=actor_of(city.users["hrss_data"]), request_id=req.id,
                                decision=ProviderDecision(decision="approve"))
    assert sharing.grant_for(session, req.id) is not None
    secret, prefix, digest = new_api_key()
    session.add(ApiKey(client_id=system.id, key_prefix=prefix, key_hash=digest, label="test"))
    session.commit()
    return system, secret


@pytest.fixture
def hub(tmp_path: Path, engine: Engine, session: Session, city: SmallCity):  # type: ignore[no-untyped-def]
    """户籍人口 held in the hub; an ordinary system (amr-register) and 一网通办平台 granted; A with a draft and a
    submitted case, B with a draft."""
    world = population_world(session, engine, city, tmp_path, name="户籍人口（代办事人调用测试）",
                             granted=["id_number", "name", "address"])
    system, secret = _platform_system(session, city, world["resource"].id)
    a, b = _citizen(session, IDS[0], "王建华"), _citizen(session, IDS[1], "李秀英")
    applicant_case(session, a, CASE_A)
    applicant_case(session, b, CASE_B)
    applicant_case(session, a, CASE_SUBMITTED, status="submitted")
    return {**world, "system": system, "platform_secret": secret, "a": a, "b": b}


def _h(secret: str, end_user: str | None = IDS[0], case: str | None = CASE_A) -> dict[str, str]:
    h = {"Authorization": f"Bearer {secret}", "X-Purpose": quote(PURPOSE)}
    if end_user is not None:
        h["X-End-User"] = end_user
    if case is not None:
        h["X-Case-Number"] = case
    return h


def _url(hub, tail: str) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/exchange/{hub['resource'].code}/{tail}"


def _log(session: Session) -> list[ExchangeLogEntry]:
    session.expire_all()
    return list(session.execute(select(ExchangeLogEntry).order_by(ExchangeLogEntry.seq)).scalars())


def _refused(r: Any, code: str) -> None:
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["code"] == code and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body


# ---------------------------------------------------------------- records held in the hub


def test_the_applicants_own_record_is_served(client: TestClient, session: Session, hub) -> None:  # type: ignore[no-untyped-def]
    h = _h(hub["platform_secret"])
    r = client.get(_url(hub, f"records/{IDS[0]}"), headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["name"] == "王**"
    r = client.get(_url(hub, "records"), params={"id_number": IDS[0]}, headers=h)
    assert r.status_code == 200 and r.json()["total"] == 1
    # 补正 is a state in which data may be fetched too.
    session.execute(update(Case).where(Case.number == CASE_A).values(status="supplement"))
    session.commit()
    assert client.get(_url(hub, f"records/{IDS[0]}"), headers=h).status_code == 200
    entries = _log(session)
    assert [(e.result, e.client_id, e.end_user, e.case_number) for e in entries] == \
        [("ok", hub["system"].id, IDS[0], CASE_A)] * 3
    assert [u.case_number for u in my_data_uses(session, actor_of(hub["a"])).rows] == [CASE_A] * 3


def test_another_persons_record_is_refused_and_logged(client: TestClient, session: Session, hub) -> None:  # type: ignore[no-untyped-def]
    h = _h(hub["platform_secret"])
    r = client.get(_url(hub, f"records/{IDS[1]}"), headers=h)
    _refused(r, "not_end_users_record")
    assert "本人" in r.json()["message"]
    # Any filter that does not name the end user: another's ID, a name, an address.
    for params in ({"id_number": IDS[1]}, {"name": "李秀英"}, {"address": "陕西省安康市汉滨区老城街道兴安路2号"}):
        _refused(client.get(_url(hub, "records"), params=params, headers=h), "not_end_users_record")
    # The end user's own filter with another's on top finds nothing of anyone else.
    r = client.get(_url(hub, "records"), params={"id_number": IDS[0], "name": "李秀英"}, headers=h)
    assert r.status_code == 200 and r.json()["total"] == 0
    # B as the end user on A's case: not B's case.
    _refused(client.get(_url(hub, f"records/{IDS[1]}"), headers=_h(hub["platform_secret"], IDS[1], CASE_A)),
             "not_end_users_case")

    entries = _log(session)
    denied = [e for e in entries if e.result == "denied"]
    assert len(denied) == 5 and all(e.status_code == 403 and e.client_id == hub["system"].id for e in denied)
    assert all(e.record_count == 0 and e.items == "[]" for e in denied)
    subjects = set(session.execute(select(ExchangeLogSubject.subject)).scalars())
    assert IDS[1] not in subjects  # nothing of B was read
    assert my_data_uses(session, actor_of(hub["b"])).rows == []


def test_the_case_must_be_the_end_users_own_open_case(client: TestClient, session: Session, hub) -> None:  # type: ignore[no-untyped-def]
    url = _url(hub, f"records/{IDS[0]}")
    secret = hub["platform_secret"]
    for case in (None, CASE_B, CASE_SUBMITTED, "BJ2099999999", " "):
        _refused(client.get(url, headers=_h(secret, IDS[0], case)), "not_end_users_case")
    _refused(client.get(url, headers=_h(secret, None, CASE_A)), "end_user_required")
    # The case number in the query parameters is checked the same way.
    r = client.get(url, params={"case_number": CASE_B}, headers=_h(secret, IDS[0], None))
    _refused(r, "not_end_users_case")
    assert [e.result for e in _log(session)] == ["denied"] * 7


def test_subscriptions_and_exports_are_refused(client: TestClient, session: Session, hub) -> None:  # type: ignore[no-untyped-def]
    h = _h(hub["platform_secret"])
    _refused(client.get(_url(hub, "changes"), headers=h), "end_user_bulk_refused")
    _refused(client.get(_url(hub, "export"), params={"format": "csv"}, headers=h), "end_user_bulk_refused")
    entries = _log(session)
    assert [(e.operation, e.result, e.status_code) for e in entries] == [("changes", "denied", 403),
                                                                         ("export", "denied", 403)]


def test_ordinary_systems_are_unaffected(client: TestClient, session: Session, hub) -> None:  # type: ignore[no-untyped-def]
    """An ordinary consumer reads whom its grant and purpose cover: any person, no case, changes and exports."""
    secret = hub["secret"]
    assert client.get(_url(hub, f"records/{IDS[1]}"), headers=_h(secret, None, None)).status_code == 200
    assert client.get(_url(hub, f"records/{IDS[1]}"), headers=_h(secret, IDS[0], "QT-1")).status_code == 200
    r = client.get(_url(hub, "records"), params={"name": "李秀英"}, headers=_h(secret, None, None))
    assert r.status_code == 200 and r.json()["total"] == 1
    assert client.get(_url(hub, "changes"), headers=_h(secret, None, None)).status_code == 200
    r = client.get(_url(hub, "export"), params={"format": "csv"}, headers=_h(secret, None, None))
    assert r.status_code == 200 and IDS[1][:6] in r.text
    assert {e.result for e in _log(session)} == {"ok"}


@pytest.fixture
def flagged(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """amr-register declared a system acting for end users, beside 一网通办平台."""
    monkeypatch.setenv("TONGBAN_EXCHANGE_END_USER_SYSTEMS", "ywtb-platform, amr-register")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("TONGBAN_EXCHANGE_END_USER_SYSTEMS")
    get_settings.cache_clear()


def test_any_system_named_in_the_setting_is_held_to_its_end_user(client: TestClient, session: Session, hub,  # type: ignore[no-untyped-def]
                                                                   flagged: None) -> None:
    secret = hub["secret"]
    _refused(client.get(_url(hub, f"records/{IDS[1]}"), headers=_h(secret)), "not_end_users_record")
    assert client.get(_url(hub, f"records/{IDS[0]}"), headers=_h(secret)).status_code == 200
    _refused(client.get(_url(hub, "export"), headers=_h(secret)), "end_user_bulk_refused")


# ---------------------------------------------------------------- 接口 resources (forwarded to the provider)


class _Liar(BaseHTTPRequestHandler):
    """A provider system that answers every query with the second person's record."""

    def do_GET(self) -> None:
        body = json.dumps({"items": [RECORDS[1]]}, ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def liar() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Liar)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_forwarded_calls_serve_only_the_end_users_record(client: TestClient, session: Session, city: SmallCity,  # type: ignore[no-untyped-def]
                                                          provider: ProviderProcess, liar: str) -> None:
    resource = published_resource(session, city.users["hrss_data"], name="户籍人口（代办事人接口测试）",
                                  share_type="unconditional", share_condition="", share_methods=["interface"],
                                  data_on_platform=False, items=population_items())
    endpoints.register_endpoint(session=session, actor=actor_of(city.users["hrss_data"]), resource_id=resource.id,
                                endpoint_in=endpoints.EndpointIn(url=provider.url + "/population", timeout_ms=3000))
    _, secret = _platform_system(session, city, resource.id)
    mine, theirs = RECORDS[0]["id_number"], RECORDS[1]["id_number"]
    applicant_case(session, _citizen(session, mine, RECORDS[0]["name"]), CASE_A)
    url = f"/api/v1/exchange/{resource.code}/invoke"
    h = _h(secret, mine, CASE_A)

    r = client.get(url, params={"id_number": mine}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 1
    before = len(provider.seen())
    _refused(client.get(url, params={"id_number": theirs}, headers=h), "not_end_users_record")
    _refused(client.get(url, params={"name": RECORDS[1]["name"]}, headers=h), "not_end_users_record")
    assert len(provider.seen()) == before  # refused before the provider was asked

    # A provider answering with someone else's record, whatever was asked: stopped before it leaves the hub.
    endpoints.register_endpoint(session=session, actor=actor_of(city.users["hrss_data"]), resource_id=resource.id,
                                endpoint_in=endpoints.EndpointIn(url=liar + "/population", timeout_ms=3000))
    _refused(client.get(url, params={"id_number": mine}, headers=h), "not_end_users_record")
    entries = _log(session)
    assert [(e.result, e.status_code) for e in entries] == [("ok", 200)] + [("denied", 403)] * 3
    subjects = set(session.execute(select(ExchangeLogSubject.subject)).scalars())
    assert subjects == {mine}


# ---------------------------------------------------------------- a key that names no person; disputes


def test_a_key_naming_no_person_answers_the_same_for_another_persons_record_and_a_missing_one(  # type: ignore[no-untyped-def]
        client: TestClient, session: Session, engine: Engine, city: SmallCity, hub, tmp_path: Path) -> None:
    """就业创业证 keyed by its number: B's licence and a number that does not exist answer the same 404, so a
    system acting for A cannot learn that B's record exists; the refusal is logged, nothing of B read."""
    import csv

    from tongban.authz import SYSTEM
    from tongban.catalog.schemas import ItemIn
    from tongban.db import make_session_factory
    from tongban.registries import ingest as registry

    resource = published_resource(session, city.users["hrss_data"], name="就业创业证（代办事人键查询测试）",
                                  share_type="unconditional", share_condition="", items=[
        ItemIn(name="证号", key="licence_no", length=16, required=True, is_key=True, sensitivity="internal"),
        ItemIn(name="持证人身份号码", key="holder_id", data_type="resident_id", length=18,
               sensitivity="personal_sensitive"),
        ItemIn(name="持证人", key="holder_name", length=50, sensitivity="sensitive")])
    path = tmp_path / "licences.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["licence_no", "holder_id", "holder_name"])
        w.writerow(["JY0001", IDS[0], "王建华"])
        w.writerow(["JY0002", IDS[1], "李秀英"])
    registry.ingest(factory=make_session_factory(engine), actor=SYSTEM, resource_code=resource.code, path=path)
    _, secret = _platform_system(session, city, resource.id, ["licence_no", "holder_id", "holder_name"])
    url = f"/api/v1/exchange/{resource.code}/records/"
    h = _h(secret)
    before = len(_log(session))
    assert client.get(url + "JY0001", headers=h).status_code == 200
    theirs, missing = client.get(url + "JY0002", headers=h), client.get(url + "JY9999", headers=h)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json() and theirs.json()["code"] == "record_not_found"
    entries = _log(session)[before:]
    assert [(e.result, e.status_code) for e in entries] == [("ok", 200), ("denied", 404), ("not_found", 404)]
    assert entries[1].record_count == 0 and entries[1].items == "[]"  # the refusal, with nothing of B
    subjects = set(session.execute(select(ExchangeLogSubject.subject)).scalars())
    assert IDS[1] not in subjects
    # Nothing of B shows in B's “谁用了我的数据”.
    assert my_data_uses(session, actor_of(hub["b"])).rows == []


def _dispute(resource_id: int, key: str) -> dict[str, Any]:
    return {"resource_id": resource_id, "record_key": key, "items": ["address"],
            "description": "办事人反映户籍地址与户口簿不一致，请核实更正。"}


def test_disputes_only_on_the_end_users_own_record(client: TestClient, session: Session, hub) -> None:  # type: ignore[no-untyped-def]
    """数据疑义 by a system acting for end users: raised and read only on the end user's own record; another
    person's record answers like a missing one (audited as access.denied); no end user, no dispute."""
    from tongban.audit.models import AuditEntry

    rid, secret = hub["resource"].id, hub["platform_secret"]
    auth = {"Authorization": f"Bearer {secret}"}
    mine = client.post("/api/v1/disputes", json=_dispute(rid, IDS[0]), headers=_h(secret))
    assert mine.status_code == 201, mine.text
    number = mine.json()["id"]
    theirs = client.post("/api/v1/disputes", json=_dispute(rid, IDS[1]), headers=_h(secret))
    absent = client.post("/api/v1/disputes", json=_dispute(rid, "610902199001011234"), headers=_h(secret))
    assert theirs.status_code == absent.status_code == 422
    assert theirs.json()["code"] == absent.json()["code"] == "record_unknown"
    assert theirs.json()["message"].replace(IDS[1], "X") == absent.json()["message"].replace("610902199001011234", "X")
    r = client.post("/api/v1/disputes", json=_dispute(rid, IDS[0]), headers=auth)
    _refused(r, "end_user_required")
    r = client.post("/api/v1/disputes", json=_dispute(rid, IDS[1]), headers=_h(secret, IDS[1], CASE_A))
    _refused(r, "end_user_required")  # B is not the end user of A's case
    session.expire_all()
    denied = session.execute(select(AuditEntry).where(AuditEntry.action == "access.denied",
                                                      AuditEntry.object_type == "resource")).scalars().all()
    assert len(denied) >= 1

    # Reading: the dispute on A's record with A as end user; as B (B's own case) it does not exist.
    assert client.get(f"/api/v1/disputes/{number}", headers=_h(secret)).status_code == 200
    assert client.get(f"/api/v1/disputes/{number}", headers=_h(secret, IDS[1], CASE_B)).status_code == 404
    assert client.get(f"/api/v1/disputes/{number}/timeline", headers=_h(secret, IDS[1], CASE_B)).status_code == 404
    _refused(client.get(f"/api/v1/disputes/{number}", headers=auth), "end_user_required")
    listed = client.get("/api/v1/disputes", params={"resource_id": rid, "record_key": IDS[0]}, headers=_h(secret))
    assert listed.status_code == 200 and listed.json()["total"] == 1
    other = client.get("/api/v1/disputes", params={"resource_id": rid, "record_key": IDS[0]},
                       headers=_h(secret, IDS[1], CASE_B))
    assert other.status_code == 200 and other.json()["total"] == 0
    assert client.get("/api/v1/disputes", headers=_h(secret)).status_code == 422  # one record at a time
    # An ordinary system (amr-register) raises on anyone's record under its grant, as before.
    r = client.post("/api/v1/disputes", json=_dispute(rid, IDS[1]), headers={"Authorization": f"Bearer {hub['secret']}"})
    assert r.status_code == 201, r.text
