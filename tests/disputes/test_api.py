"""The disputes API over real HTTP: a system raises with its API key and uploads evidence, staff answer,
escalate and coordinate; every bad input is a clear 4xx with a code and a Chinese message."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.disputes.conftest import IDS, pdf_bytes, png_bytes
from tests.factories import login
from tongban.audit.models import AuditEntry

BASE = "/api/v1/disputes"


def _key(world: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {world['secret']}"}


def _body(world: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"resource_id": world["resource"].id, "record_key": IDS[0], "items": ["address"],
            "description": "办件核验时申请人出示的户口簿地址与共享数据不一致。",
            "proposed": {"address": "陕西省安康市汉滨区江北街道滨江大道8号"}, **kw}


def _staff(client: TestClient, username: str) -> tuple[TestClient, dict[str, str]]:
    c = TestClient(client.app)
    return c, {"X-CSRF-Token": login(c, username)}


def test_system_raises_uploads_evidence_and_staff_download_it(client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    r = client.post(BASE, json=_body(world), headers=_key(world))
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["number"].startswith("JC") and d["status_label"] == "待提供方答复" and d["due_on"]
    assert d["client_name"] == "业务系统" and d["consumer_name"] == "安康市市场监督管理局"
    png, pdf = png_bytes(), pdf_bytes()
    r = client.post(f"{BASE}/{d['id']}/attachments", headers=_key(world), files=[
        ("files", ("户口簿本人页.png", png, "image/png")), ("files", ("迁移证明.PDF", pdf, "application/pdf"))])
    assert r.status_code == 201, r.text
    uploaded = r.json()
    assert [(a["filename"], a["content_type"], a["size"]) for a in uploaded] == [
        ("户口簿本人页.png", "image/png", len(png)), ("迁移证明.PDF", "application/pdf", len(pdf))]
    assert uploaded[0]["sha256"] == hashlib.sha256(png).hexdigest()
    # A web page called .png, and a text file called .pdf, are refused by their content (files/inspect.py).
    r = client.post(f"{BASE}/{d['id']}/attachments", headers=_key(world),
                    files=[("files", ("截图.png", b"<html>not an image</html>", "image/png"))])
    assert r.status_code == 422 and r.json()["code"] == "file_markup" and "PDF、JPEG 或 PNG" in r.json()["message"]
    r = client.post(f"{BASE}/{d['id']}/attachments", headers=_key(world),
                    files=[("files", ("证明.pdf", b"plain text", "application/pdf"))])
    assert r.status_code == 422 and r.json()["code"] == "file_type" and "PDF、JPEG 或 PNG" in r.json()["message"]
    r = client.post(f"{BASE}/{d['id']}/attachments", headers=_key(world),
                    files=[("files", ("大图.png", png + b"\0" * (5 * 1024 * 1024), "image/png"))])
    assert r.status_code == 422 and r.json()["code"] == "file_too_large"
    r = client.post(f"{BASE}/{d['id']}/attachments", headers=_key(world))
    assert r.status_code == 422 and r.json()["code"] == "validation_failed"
    # The provider reads the dispute and downloads the evidence, byte for byte; the download is audited.
    provider, _ = _staff(client, "hrss_data")
    detail = provider.get(f"{BASE}/{d['id']}").json()
    assert len(detail["attachments"]) == 2 and detail["record_changed"] is False
    got = provider.get(f"{BASE}/{d['id']}/attachments/{uploaded[1]['id']}")
    assert got.status_code == 200 and got.content == pdf and got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-sha256"] == hashlib.sha256(pdf).hexdigest()
    assert "attachment" in got.headers["content-disposition"]
    downloads = session.execute(select(AuditEntry).where(
        AuditEntry.action == "dispute.attachment_download")).scalars().all()
    assert [(a.object_id, a.actor_name) for a in downloads] == [(d["number"], "hrssdata")]
    # Someone unrelated sees neither the dispute nor its files.
    outsider, _ = _staff(client, "edu_data")
    assert outsider.get(f"{BASE}/{d['id']}").status_code == 404
    assert outsider.get(f"{BASE}/{d['id']}/attachments/{uploaded[0]['id']}").status_code == 404
    # The system lists what it raised.
    mine = client.get(BASE, params={"role": "raised"}, headers=_key(world)).json()
    assert mine["total"] == 1 and mine["items"][0]["number"] == d["number"]


def test_bad_inputs_are_clear_4xx(client: TestClient, world) -> None:  # type: ignore[no-untyped-def]
    consumer, h = _staff(client, "amr_data")
    cases = [
        (_body(world, record_key="610902199901010000"), 422, "record_unknown"),
        (_body(world, items=["phone"], proposed={}), 422, "items_not_granted"),
        (_body(world, items=["nope"], proposed={}), 422, "items_unknown"),
        (_body(world, resource_id=999999), 422, "resource_unknown"),
        (_body(world, items=[]), 422, "validation_failed"),
        (_body(world, description="错了"), 422, "validation_failed"),
        (_body(world, proposed={"name": "王建国"}), 422, "validation_failed"),
        ({"resource_id": "x"}, 422, "validation_failed"),
    ]
    for body, status, code in cases:
        r = consumer.post(BASE, json=body, headers=h)
        assert (r.status_code, r.json()["code"]) == (status, code), (body, r.text)
        assert r.json()["message"] and not r.json()["message"].isascii()
    r = consumer.post(BASE, content=b"{not json", headers={**h, "content-type": "application/json"})
    assert r.status_code == 422
    assert consumer.get(f"{BASE}/999999").json()["code"] == "dispute_not_found"
    assert consumer.get(f"{BASE}/abc").status_code == 422
    assert consumer.get(BASE, params={"role": "everyone"}).status_code == 422
    assert consumer.get(BASE, params={"role": "raised", "status": "lost"}).json()["code"] == "bad_status"
    assert consumer.post(BASE, json=_body(world)).status_code == 403  # no CSRF token with a session
    outsider, ho = _staff(client, "edu_data")
    r = outsider.post(BASE, json=_body(world), headers=ho)
    assert r.status_code == 403 and r.json()["code"] == "no_grant"
    anonymous = TestClient(client.app)
    assert anonymous.get(BASE).status_code == 401


def test_answer_escalate_coordinate_over_http(client: TestClient, world) -> None:  # type: ignore[no-untyped-def]
    consumer, hc = _staff(client, "amr_data")
    d = consumer.post(BASE, json=_body(world), headers=hc).json()
    again = consumer.post(BASE, json=_body(world), headers=hc)
    assert again.status_code == 409 and again.json()["code"] == "duplicate_dispute"
    provider, hp = _staff(client, "hrss_data")
    inbox = provider.get(BASE, params={"role": "against", "status": "open"}).json()
    assert [x["number"] for x in inbox["items"]] == [d["number"]]
    r = provider.post(f"{BASE}/{d['id']}/answer", json={"decision": "rejected"}, headers=hp)
    assert r.status_code == 422 and "不予更正须写明理由" in r.json()["message"]
    r = consumer.post(f"{BASE}/{d['id']}/answer", json={"decision": "corrected"}, headers=hc)
    assert r.status_code == 403 and r.json()["code"] == "not_provider"
    r = provider.post(f"{BASE}/{d['id']}/answer", json={"decision": "rejected",
                                                       "note": "经核对户籍档案，该地址登记无误，迁移手续尚未办结。"}, headers=hp)
    assert r.status_code == 200 and r.json()["status"] == "rejected" and r.json()["escalation_deadline"]
    r = consumer.post(f"{BASE}/{d['id']}/escalate", json={"reason": "短"}, headers=hc)
    assert r.status_code == 422
    r = consumer.post(f"{BASE}/{d['id']}/escalate", json={"reason": "申请人出示的户口簿原件显示已迁入，请平台协调。"},
                      headers=hc)
    assert r.status_code == 200 and r.json()["status_label"] == "平台协调中"
    r = consumer.post(f"{BASE}/{d['id']}/withdraw", headers=hc)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = consumer.post(f"{BASE}/{d['id']}/withdraw", headers=hc)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition" and "已撤回" in r.json()["message"]
    # A second dispute goes all the way to the platform.
    d2 = consumer.post(BASE, json=_body(world, record_key=IDS[1]), headers=hc).json()
    provider.post(f"{BASE}/{d2['id']}/answer", json={"decision": "rejected", "note": "经核对户籍档案，该地址登记无误。"},
                  headers=hp)
    consumer.post(f"{BASE}/{d2['id']}/escalate", json={"reason": "申请人出示的户口簿原件显示已迁入，请平台协调。"}, headers=hc)
    platform, hpl = _staff(client, "admin")
    queue = platform.get(BASE, params={"role": "platform", "status": "escalated"}).json()
    assert [x["number"] for x in queue["items"]] == [d2["number"]]
    r = provider.post(f"{BASE}/{d2['id']}/coordinate", json={"decision": "uphold", "note": "维持原数据，理由见答复。"},
                      headers=hp)
    assert r.status_code == 403 and r.json()["code"] == "not_platform"
    r = platform.post(f"{BASE}/{d2['id']}/coordinate", json={"decision": "uphold", "note": "经核查公安户籍系统，维持原数据。"},
                      headers=hpl)
    assert r.status_code == 200 and r.json()["status_label"] == "协调结论：维持原数据"
    steps = [s["action"] for s in consumer.get(f"{BASE}/{d2['id']}/timeline").json()]
    assert steps == ["dispute.raise", "dispute.reject", "dispute.escalate", "dispute.coordinate_uphold"]
