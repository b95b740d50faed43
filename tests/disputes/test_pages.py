"""Dispute pages: the raise form with file upload, the lists per role, the detail page with its forms."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.disputes.conftest import IDS, pdf_bytes, png_bytes
from tests.factories import csrf_from, login
from tongban.disputes.models import DataDispute

HTML = {"accept": "text/html"}


def _form(world: dict[str, Any], token: str, **kw: Any) -> dict[str, Any]:
    return {"csrf_token": token, "resource_id": str(world["resource"].id), "record_key": IDS[0],
            "items": ["address", "name"], "proposed_address": "陕西省安康市汉滨区江北街道滨江大道8号",
            "proposed_name": "", "description": "办件核验时申请人出示的户口簿地址与共享数据不一致。",
            "evidence": "户口簿本人页照片", **kw}


def _count(session: Session) -> int:
    session.expire_all()
    return int(session.execute(select(func.count()).select_from(DataDispute)).scalar_one())


def test_raise_form_with_evidence_then_answer_escalate_coordinate(client: TestClient, session: Session,
                                                                  world) -> None:  # type: ignore[no-untyped-def]
    consumer = TestClient(client.app)
    token = login(consumer, "amr_data")
    assert 'href="/disputes"' in consumer.get("/home", headers=HTML).text
    page = consumer.get(f"/disputes/new?resource={world['resource'].id}&key={IDS[0]}", headers=HTML)
    assert page.status_code == 200 and IDS[0] in page.text and 'enctype="multipart/form-data"' in page.text
    assert "户籍地址" in page.text and "联系电话" not in page.text  # only granted items can be disputed
    # A fake image is refused, the form comes back filled in, nothing is stored.
    r = consumer.post("/disputes/new", headers=HTML, data=_form(world, token),
                      files=[("files", ("户口簿.png", b"MZ\x90\x00 not an image", "image/png"))])
    assert r.status_code == 422 and "不是 PDF、JPEG 或 PNG 文件" in r.text and "户口簿本人页照片" in r.text
    assert _count(session) == 0
    r = consumer.post("/disputes/new", headers=HTML, follow_redirects=False, data=_form(world, token),
                      files=[("files", ("户口簿.png", png_bytes(), "image/png")),
                             ("files", ("迁移证明.pdf", pdf_bytes(), "application/pdf"))])
    assert r.status_code == 303, r.text
    detail = consumer.get(r.headers["location"], headers=HTML)
    assert detail.status_code == 200 and "疑义已提交" in detail.text and "待提供方答复" in detail.text
    assert "户口簿.png" in detail.text and "迁移证明.pdf" in detail.text and "滨江大道8号" in detail.text
    assert "提出疑义" in detail.text and "撤回疑义" in detail.text and "<h2>提供方答复</h2>" not in detail.text
    dispute_url = r.headers["location"].split("?")[0]

    provider = TestClient(client.app)
    tp = login(provider, "hrss_data")
    inbox = provider.get("/disputes?tab=against", headers=HTML)
    assert inbox.status_code == 200 and "针对我方" in inbox.text and IDS[0] in inbox.text
    page = provider.get(dispute_url, headers=HTML)
    assert "<h2>提供方答复</h2>" in page.text and "撤回疑义" not in page.text
    r = provider.post(f"{dispute_url}/answer", headers=HTML, data={"csrf_token": tp, "decision": "rejected", "note": ""})
    assert r.status_code == 422 and "不予更正须写明理由" in r.text
    r = provider.post(f"{dispute_url}/answer", headers=HTML, follow_redirects=False, data={
        "csrf_token": tp, "decision": "rejected", "note": "经核对户籍档案，该地址登记无误，迁移手续尚未办结。"})
    assert r.status_code == 303

    page = consumer.get(dispute_url, headers=HTML)
    assert "提供方不予更正" in page.text and "<h2>申请平台协调</h2>" in page.text
    r = consumer.post(f"{dispute_url}/escalate", headers=HTML, follow_redirects=False, data={
        "csrf_token": token, "note": "申请人出示的户口簿原件显示已迁入，请平台协调。"})
    assert r.status_code == 303

    platform = TestClient(client.app)
    ta = login(platform, "admin")
    queue = platform.get("/disputes?tab=platform&status=escalated", headers=HTML)
    assert "平台协调中" in queue.text and IDS[0] in queue.text
    r = platform.post(f"{dispute_url}/coordinate", headers=HTML, follow_redirects=False, data={
        "csrf_token": ta, "decision": "correct", "note": "以公安户籍最新登记为准，请提供部门更正。"})
    assert r.status_code == 303
    final = consumer.get(dispute_url, headers=HTML).text
    assert "协调结论：予以更正" in final and "以公安户籍最新登记为准" in final
    for step in ("提出疑义", "上传证明材料", "提供方答复：不予更正", "申请平台协调", "平台协调结论：予以更正"):
        assert step in final


def test_pages_refuse_outsiders_and_forms_without_csrf(client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    consumer = TestClient(client.app)
    token = login(consumer, "amr_data")
    r = consumer.post("/disputes/new", headers=HTML, data={k: v for k, v in _form(world, token).items()
                                                          if k != "csrf_token"})
    assert r.status_code == 403 and _count(session) == 0
    r = consumer.post("/disputes/new", headers=HTML, follow_redirects=False, data=_form(world, token))
    assert r.status_code == 303
    url = r.headers["location"].split("?")[0]
    clerk = TestClient(client.app)
    login(clerk, "amr_clerk")
    assert 'href="/disputes"' not in clerk.get("/home", headers=HTML).text
    assert clerk.get("/disputes", headers=HTML).status_code == 403
    assert clerk.get(url, headers=HTML).status_code == 404
    # A department without a grant is told so on the form, which offers to request the data instead.
    outsider = TestClient(client.app)
    login(outsider, "edu_data")
    page = outsider.get(f"/disputes/new?resource={world['resource'].id}", headers=HTML)
    assert page.status_code == 200 and "没有该资源的有效授权" in page.text and "申请共享该资源" in page.text
    assert outsider.get(url, headers=HTML).status_code == 404
    # The raiser withdraws from the detail page.
    page = consumer.get(url, headers=HTML)
    r = consumer.post(f"{url}/withdraw", headers=HTML, follow_redirects=False,
                      data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 303
    assert "已撤回" in consumer.get("/disputes?tab=raised", headers=HTML).text
