"""Every exchange call is in the log however it ends, an error of the hub itself included (issue 11 item 3),
and a key typed with full-width digits finds the same record (item 4)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.exchange.conftest import IDS, call_headers
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.registries.models import RegistryRecord


def _entries(session: Session, operation: str) -> list[ExchangeLogEntry]:
    session.expire_all()
    return list(session.execute(select(ExchangeLogEntry).where(ExchangeLogEntry.operation == operation)
                                .order_by(ExchangeLogEntry.seq)).scalars())


@pytest.mark.parametrize(("operation", "path"), [
    ("get", "/records/{key}"), ("changes", "/changes?since=0"),
])
def test_an_error_of_the_hub_is_logged(app, session: Session, world, operation: str, path: str) -> None:  # type: ignore[no-untyped-def]
    # A record whose stored data is no longer an object (damaged in the database): reading it fails in the hub.
    session.execute(update(RegistryRecord).where(RegistryRecord.record_key == IDS[1]).values(data="damaged"))
    session.commit()
    client = TestClient(app, raise_server_exceptions=False)
    url = f"/api/v1/exchange/{world['resource'].code}" + path.format(key=IDS[1])
    r = client.get(url, headers=call_headers(world))
    assert r.status_code == 500 and r.json()["code"] == "internal_error"
    logged = _entries(session, operation)
    assert [(e.result, e.status_code) for e in logged] == [("error", 500)]
    assert logged[0].purpose == "企业开办登记核验法定代表人身份"
    assert logged[0].resource_id == world["resource"].id
    if operation == "get":
        assert IDS[1] in logged[0].record_keys


def test_full_width_key_finds_the_record(client: TestClient, world) -> None:  # type: ignore[no-untyped-def]
    full_width = IDS[0].translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    r = client.get(f"/api/v1/exchange/{world['resource'].code}/records/{full_width}", headers=call_headers(world))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["id_number"].startswith(IDS[0][:6])
