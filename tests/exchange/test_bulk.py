"""Subscriptions (changes since a cursor), bulk export (CSV, Parquet) and call quotas of grants."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.exchange.conftest import IDS, ITEMS, call_headers, gateway_actor
from tests.factories import PASSWORD, actor_of, login
from tongban.authz import SYSTEM
from tongban.db import make_session_factory
from tongban.exchange import bulk
from tongban.exchange.access import CallContext
from tongban.exchange.log_models import ExchangeLogEntry, ExchangeLogSubject
from tongban.identifiers import mask_resident_id
from tongban.org.models import User
from tongban.registries import ingest as registry
from tongban.sharing import service as sharing
from tongban.sharing.schemas import GrantAction

NAMES = ["王建华", "李秀英", "张伟", "刘洋", "陈静"]


def _url(world, tail: str) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/exchange/{world['resource'].code}/{tail}"


def _write(path: Path, names: dict[int, str]) -> Path:
    """The fixture's records (same values) for the given indexes, with the given names."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([i.key for i in ITEMS])
        for n, name in names.items():
            w.writerow([IDS[n], name, "男" if n % 2 == 0 else "女", f"陕西省安康市汉滨区老城街道兴安路{n + 1}号",
                        "13912345678"])
    return path


def test_subscriber_follows_changes_with_a_cursor(client: TestClient, session: Session, engine: Engine, world,
                                                  tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A subscriber keeping a synchronised copy is granted the key in plain; otherwise keys are masked
    # (test_masking.py).
    world["grant"].plain_items = ["id_number"]
    session.commit()
    h = call_headers(world, purpose="同步市场主体登记系统的人口核验库")
    first = client.get(_url(world, "changes"), params={"since": 0, "limit": 3}, headers=h).json()
    assert [c["op"] for c in first["changes"]] == ["upsert"] * 3 and first["has_more"] is True
    assert set(first["changes"][0]["data"]) == {"id_number", "name", "address"}  # granted items only
    assert first["changes"][0]["data"]["name"].endswith("*")  # masked
    second = client.get(_url(world, "changes"), params={"since": first["next_cursor"]}, headers=h).json()
    assert len(second["changes"]) == 2 and second["has_more"] is False
    seen = [c["key"] for c in first["changes"] + second["changes"]]
    assert sorted(seen) == sorted(IDS)
    cursor = second["next_cursor"]
    assert cursor == second["last_seq"]
    # Nothing new: an empty page and the same cursor.
    idle = client.get(_url(world, "changes"), params={"since": cursor}, headers=h).json()
    assert idle["changes"] == [] and idle["next_cursor"] == cursor

    # The provider reloads the registry: one person renamed, one gone, the others unchanged.
    names = {0: "王建国", 1: NAMES[1], 2: NAMES[2], 3: NAMES[3]}
    registry.ingest(factory=make_session_factory(engine), actor=SYSTEM, resource_code=world["resource"].code,
                    path=_write(tmp_path / "v2.csv", names), mode="replace", allow_mass_delete=True)
    delta = client.get(_url(world, "changes"), params={"since": cursor}, headers=h).json()
    by_key = {c["key"]: c for c in delta["changes"]}
    assert set(by_key) == {IDS[0], IDS[4]}
    assert by_key[IDS[0]]["op"] == "upsert" and by_key[IDS[0]]["data"]["name"] == "王**"
    assert by_key[IDS[4]] == {"seq": by_key[IDS[4]]["seq"], "key": IDS[4], "op": "delete"}
    assert [c["seq"] for c in delta["changes"]] == sorted(c["seq"] for c in delta["changes"])

    r = client.get(_url(world, "changes"), params={"since": delta["last_seq"] + 10}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "cursor_ahead"
    r = client.get(_url(world, "changes"), params={"since": -1}, headers=h)
    assert r.status_code == 422
    entries = session.execute(select(ExchangeLogEntry).where(ExchangeLogEntry.operation == "changes")).scalars().all()
    assert [e.result for e in entries] == ["ok", "ok", "ok", "ok", "denied"]
    assert entries[0].record_count == 3


def test_subscription_needs_a_live_grant_and_a_purpose(client: TestClient, session: Session, world, city) -> None:  # type: ignore[no-untyped-def]
    r = client.get(_url(world, "changes"), headers=call_headers(world, purpose=None))
    assert r.status_code == 422 and r.json()["code"] == "purpose_required"
    sharing.revoke_grant(session=session, actor=actor_of(city.users["hrss_data"]),
                         grant_id=world["grant"].id, action=GrantAction(reason="超范围使用"))
    r = client.get(_url(world, "changes"), headers=call_headers(world))
    assert r.status_code == 403 and r.json()["code"] == "no_grant"


def test_csv_export_streams_granted_items_masked_and_is_traceable(client: TestClient, session: Session, world,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(bulk, "EXPORT_BATCH", 2)  # three batches for five records
    r = client.get(_url(world, "export"), params={"format": "csv"},
                   headers=call_headers(world, purpose="建立企业开办核验的本地比对库"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv") and r.headers["x-record-count"] == "5"
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
    assert rows[0] == ["id_number", "name", "address"]
    assert len(rows) == 6
    assert sorted(row[0][:6] for row in rows[1:]) == ["610902"] * 5
    assert all("*" in row[0] and row[1].endswith("*") for row in rows[1:])
    assert not any(n in r.content.decode("utf-8") for n in NAMES)
    entry = session.execute(select(ExchangeLogEntry).where(ExchangeLogEntry.operation == "export")).scalar_one()
    assert entry.record_count == 5 and json.loads(entry.items) == ["id_number", "name", "address"]
    subjects = session.execute(select(ExchangeLogSubject.subject).where(
        ExchangeLogSubject.seq == entry.seq)).scalars().all()
    assert sorted(subjects) == sorted(IDS)
    # The export shows in the person's own list of uses.
    owner = session.execute(select(User).where(User.kind == "citizen")).scalars().first()
    assert owner is not None
    owner.id_number = owner.username = IDS[3]
    session.commit()
    citizen = TestClient(client.app)
    login(citizen, IDS[3], PASSWORD)
    uses = citizen.get("/api/v1/exchange/my-data-uses").json()
    assert [u["purpose"] for u in uses["items"]] == ["建立企业开办核验的本地比对库"]


def test_parquet_export(client: TestClient, session: Session, world, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(bulk, "EXPORT_BATCH", 2)
    world["grant"].plain_items = ["name"]
    session.commit()
    r = client.get(_url(world, "export"), params={"format": "parquet"}, headers=call_headers(world))
    assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(r.content))
    assert table.column_names == ["id_number", "name", "address"] and table.num_rows == 5
    assert sorted(table.column("name").to_pylist()) == sorted(NAMES)  # plain by the grant
    assert all("*" in v for v in table.column("id_number").to_pylist())
    r = client.get(_url(world, "export"), params={"format": "xml"}, headers=call_headers(world))
    assert r.status_code == 422


def test_quota_per_minute_and_per_day(client: TestClient, session: Session, world, city) -> None:  # type: ignore[no-untyped-def]
    provider = TestClient(client.app)
    t = login(provider, "hrss_data")
    grant_url = f"/api/v1/sharing/grants/{world['grant'].id}"
    r = provider.put(grant_url + "/quota", json={"calls_per_minute": 3, "calls_per_day": None},
                     headers={"X-CSRF-Token": t})
    assert r.status_code == 200 and r.json()["effective_per_minute"] == 3
    key_url = _url(world, f"records/{IDS[0]}")
    assert [client.get(key_url, headers=call_headers(world)).status_code for _ in range(3)] == [200] * 3
    r = client.get(key_url, headers=call_headers(world))
    assert r.status_code == 429 and r.json()["code"] == "quota_minute_exceeded" and "每分钟" in r.json()["message"]
    assert 1 <= int(r.headers["retry-after"]) <= 60
    last = session.execute(select(ExchangeLogEntry).order_by(ExchangeLogEntry.seq.desc())).scalars().first()
    assert last is not None and (last.result, last.status_code) == ("denied", 429)

    r = provider.put(grant_url + "/quota", json={"calls_per_minute": 0, "calls_per_day": 5},
                     headers={"X-CSRF-Token": t})
    assert r.json()["effective_per_minute"] == 0 and r.json()["effective_per_day"] == 5
    # Four calls were counted today already (three answered, one refused); the fifth is the last allowed.
    assert client.get(key_url, headers=call_headers(world)).status_code == 200
    r = client.get(key_url, headers=call_headers(world))
    assert r.status_code == 429 and r.json()["code"] == "quota_day_exceeded"

    # Only the provider or the platform sets quotas; bad values are refused.
    consumer = TestClient(client.app)
    tc = login(consumer, "amr_data")
    r = consumer.put(grant_url + "/quota", json={"calls_per_minute": 100000}, headers={"X-CSRF-Token": tc})
    assert r.status_code == 403
    r = provider.put(grant_url + "/quota", json={"calls_per_minute": -1}, headers={"X-CSRF-Token": t})
    assert r.status_code == 422


def test_quota_form_on_the_grant_page(client: TestClient, world) -> None:  # type: ignore[no-untyped-def]
    provider = TestClient(client.app)
    t = login(provider, "hrss_data")
    page = provider.get(f"/sharing/grants/{world['grant'].id}")
    assert "调用限额" in page.text and "平台默认" in page.text
    r = provider.post(f"/sharing/grants/{world['grant'].id}/quota",
                      data={"csrf_token": t, "calls_per_minute": "120", "calls_per_day": ""}, follow_redirects=True)
    assert "调用限额已保存" in r.text and "每分钟 120 次" in r.text
    r = provider.post(f"/sharing/grants/{world['grant'].id}/quota",
                      data={"csrf_token": t, "calls_per_minute": "abc", "calls_per_day": ""})
    assert r.status_code == 200 and "每分钟 120 次" in r.text and "error" in r.text


def test_a_disputed_record_is_flagged_in_every_answer(client: TestClient, session: Session, world, city) -> None:  # type: ignore[no-untyped-def]
    from tongban.disputes import service as disputes
    from tongban.disputes.schemas import DisputeCreate

    d = disputes.raise_dispute(session=session, actor=actor_of(city.users["amr_data"]), dispute_in=DisputeCreate(
        resource_id=world["resource"].id, record_key=IDS[2], items=["name"],
        description="办事人现场出示的身份证姓名为“张玮”，与共享数据不一致。"))
    h = call_headers(world)
    one = client.get(_url(world, f"records/{IDS[2]}"), headers=h).json()
    assert one["disputed"] is True and one["disputes"][0]["number"] == d.number
    assert one["disputes"][0]["items"] == ["name"]
    other = client.get(_url(world, f"records/{IDS[1]}"), headers=h).json()
    assert other["disputed"] is False and other["disputes"] == []
    found = client.get(_url(world, "records"), params={"name": "张伟"}, headers=h).json()
    assert found["disputed_rows"] == [{"row": 0, "disputes": one["disputes"]}]
    changes = client.get(_url(world, "changes"), headers=h).json()["changes"]
    assert [c["key"] for c in changes if "disputes" in c] == [mask_resident_id(IDS[2])]


def test_subscription_needs_the_key_item_in_the_grant(client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    world["grant"].items = ["name", "address"]
    session.commit()
    r = client.get(_url(world, "changes"), headers=call_headers(world))
    assert r.status_code == 422 and r.json()["code"] == "key_not_granted" and "公民身份号码" in r.json()["message"]
    # A filtered query still works, and flags rows without naming their keys.
    r = client.get(_url(world, "records"), params={"name": "张伟"}, headers=call_headers(world))
    assert r.status_code == 200 and set(r.json()["items"][0]) == {"name", "address"}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(granted=st.sets(st.sampled_from([i.key for i in ITEMS]), min_size=1),
       plain=st.sets(st.sampled_from([i.key for i in ITEMS])))
def test_subscriptions_and_exports_never_leak_an_ungranted_or_unmasked_item(
        session: Session, engine: Engine, world, granted: set[str], plain: set[str]) -> None:  # type: ignore[no-untyped-def]
    g = world["grant"]
    g.items, g.plain_items = sorted(granted), sorted(plain)
    session.commit()
    actor = gateway_actor(world)
    originals = registry.published_records(session, world["resource"].id, IDS)
    sensitive = {i.key for i in ITEMS if i.sensitivity in ("sensitive", "personal_sensitive")}

    def check(key: str, out: dict[str, str]) -> None:
        assert set(out) <= granted
        for item, value in out.items():
            if item in sensitive and item not in plain:
                assert value != originals[key][item], item
            else:
                assert value == originals[key][item], item

    if "id_number" in granted:
        # The change's key is masked like the id_number item it is made of.
        by_shown = {(k if "id_number" in plain else mask_resident_id(k)): k for k in IDS}
        for change in bulk.changes(session=session, actor=actor, code=world["resource"].code, since=0, limit=10,
                                   ctx=CallContext(purpose="属性测试"))["changes"]:
            check(by_shown[change["key"]], change["data"])
    started = bulk.start_export(session=session, factory=make_session_factory(engine), actor=actor,
                                code=world["resource"].code, fmt="csv", ctx=CallContext(purpose="属性测试"))
    rows = list(csv.reader(io.StringIO(b"".join(started.chunks).decode("utf-8"))))
    assert rows[0] == [i.key for i in ITEMS if i.key in granted]
    assert len(rows) == 6
    # Export rows come in key order, as IDS do.
    for key, row in zip(sorted(IDS), rows[1:], strict=True):
        check(key, dict(zip(rows[0], row, strict=True)))
