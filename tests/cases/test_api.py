"""The cases API over HTTP: a case's whole life (applicant, window clerk, reviewer), fetched materials and the
applicant's “谁用了我的数据”, refusals (disguised executable, 409, IDOR) and bad input (422, never 500)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.cases.conftest import LICENCE_DATA, CasesWorld, _impl
from tests.cases.test_prefill import IDS, _citizen, _grant, _system
from tests.factories import SmallCity, actor_of, population_world
from tests.files.test_inspect import pdf
from tongban.items import service as items
from tongban.items.schemas import BasicItemIn
from tongban.licences import issuing
from tongban.licences.models import Licence

PDF = pdf(1)
HUKOU = {"name": "申请人户籍信息", "source": "shared", "ref": "户籍人口基本信息:id_number,name,address"}


def _ok(r: Any, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return r.json()  # type: ignore[no-any-return]


def _material(detail: dict[str, Any], name: str) -> int:
    return next(m["id"] for m in detail["materials"] if m["name"] == name)


def _draft(c: TestClient, impl_id: int, form: dict[str, Any] | None = None) -> dict[str, Any]:
    return _ok(c.post("/api/v1/cases", json={"implementation_id": impl_id, "form_data": form or {}}), 201)


def _upload(c: TestClient, case_id: int, material_id: int, content: bytes = PDF, name: str = "申请书.pdf") -> Any:
    return c.post(f"/api/v1/cases/{case_id}/materials/{material_id}/file",
                  files={"file": (name, content, "application/pdf")})


def test_the_whole_life_of_a_case_through_the_api(session: Session, world: CasesWorld, as_user, client) -> None:  # type: ignore[no-untyped-def]
    firm = as_user(world.enterprise)
    clerk, reviewer = as_user(world.city.users["amr_clerk"]), as_user(world.city.users["amr_reviewer"])
    draft = _draft(firm, world.company.id)
    case_id = draft["summary"]["id"]
    assert draft["summary"]["status"] == "draft" and draft["summary"]["number"] is None
    _ok(firm.put(f"/api/v1/cases/{case_id}/form", json={"form_data": {"licence": LICENCE_DATA}}))
    form_id = _material(draft, "申请书")
    refused = firm.post(f"/api/v1/cases/{case_id}/submit")
    assert refused.status_code == 422 and refused.json()["code"] == "materials_missing"
    _ok(_upload(firm, case_id, form_id))
    submitted = _ok(firm.post(f"/api/v1/cases/{case_id}/submit"))
    number, check_code = submitted["case"]["summary"]["number"], submitted["check_code"]
    client.get("/login")  # an anonymous browser: the lookup form's CSRF cookie, sent back as the header
    public = _ok(client.post("/api/v1/case-lookup", json={"number": number, "check_code": check_code},
                             headers={"X-CSRF-Token": client.cookies.get("tongban_csrf") or ""}))
    assert public["status_label"] == "已提交待受理" and "applicant" not in public

    queue = _ok(clerk.get("/api/v1/cases/queue"))
    assert [c["number"] for c in queue["items"]] == [number]
    _ok(clerk.post(f"/api/v1/cases/{case_id}/supplement-request", json={
        "items": [{"material_id": form_id, "how": "upload", "note": "缺少法定代表人签字"}]}))
    _ok(_upload(firm, case_id, form_id, name="申请书（已签字）.pdf"))
    _ok(firm.post(f"/api/v1/cases/{case_id}/supplement"))
    accepted = _ok(clerk.post(f"/api/v1/cases/{case_id}/accept"))
    assert accepted["summary"]["status"] == "accepted" and accepted["summary"]["promised_due_on"]
    [task] = _ok(reviewer.get("/api/v1/cases/tasks"))
    assert (task["task"], task["case"]["number"]) == ("review", number)
    _ok(reviewer.post(f"/api/v1/cases/{case_id}/review", json={"opinion": "材料齐全，符合法定条件"}))
    decided = _ok(reviewer.post(f"/api/v1/cases/{case_id}/decide", json={"decision": "approve"}))
    assert decided["decision"] == "approve" and decided["licence_id"]
    _ok(clerk.post(f"/api/v1/cases/{case_id}/close"))
    _ok(clerk.post(f"/api/v1/cases/{case_id}/deliver", json={"method": "电子送达"}))

    mine = _ok(firm.get(f"/api/v1/cases/{case_id}"))
    assert mine["summary"]["status_label"] == "已送达"
    assert [e["title"] for e in mine["timeline"]][-5:] == ["受理", "审查", "准予许可", "办结", "送达（电子送达）"]
    notices = _ok(firm.get(f"/api/v1/cases/{case_id}/notices"))
    assert [n["title"] for n in notices] == ["补正材料通知书", "受理通知书", "准予行政许可决定书"]
    for n in notices:
        download = firm.get(n["pdf_url"])
        assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
        verdict = _ok(client.post("/api/v1/verify", files={"file": ("n.pdf", download.content, "application/pdf")}))
        assert (verdict["outcome"], verdict["number"], verdict["type_name"]) == ("valid", n["number"], n["title"])
    licence = session.get(Licence, decided["licence_id"])
    assert licence is not None and licence.holder_code == world.enterprise.credit_code

    # The licence the first case produced is fetched for the next one: asked, previewed, confirmed.
    second = _draft(firm, world.company.id, {"licence": LICENCE_DATA})
    second_id = second["summary"]["id"]
    options = {o["name"]: o for o in _ok(firm.get(f"/api/v1/cases/{second_id}/materials/fetchable"))}
    assert options["营业执照"]["fetchable"] and not options["申请书"]["fetchable"]
    licence_material = options["营业执照"]["material_id"]
    preview = _ok(firm.post(f"/api/v1/cases/{second_id}/materials/{licence_material}/fetch", json={}))
    assert preview["available"] and preview["token"] == f"licence:{licence.id}:{licence.version}"
    assert preview["licence_number"] == licence.number
    assert _ok(firm.get(f"/api/v1/cases/{second_id}"))["materials"][1]["provided"] == "none"  # not stored yet
    confirmed = _ok(firm.post(f"/api/v1/cases/{second_id}/materials/{licence_material}/confirm",
                              json={"token": preview["token"]}))
    row = next(m for m in confirmed["materials"] if m["id"] == licence_material)
    assert (row["provided"], row["confirmed_by_applicant"]) == ("licence", True)
    back = _ok(firm.post(f"/api/v1/cases/{second_id}/materials/{licence_material}/upload-instead"))
    assert next(m for m in back["materials"] if m["id"] == licence_material)["provided"] == "none"
    _ok(firm.post(f"/api/v1/cases/{second_id}/materials/{licence_material}/confirm", json={"token": preview["token"]}))
    _ok(_upload(firm, second_id, _material(second, "申请书")))

    # Between confirming and submitting the licence was revoked: the submission is refused, nothing changes.
    issuing.change_status(session=session, actor=actor_of(world.city.users["amr_reviewer"]), licence_id=licence.id,
                          action="revoke", reason="申请人以欺骗手段取得登记")
    session.commit()
    stale = firm.post(f"/api/v1/cases/{second_id}/submit")
    assert stale.status_code == 422 and stale.json()["code"] == "licence_no_longer_valid"
    assert "营业执照" in stale.json()["message"]
    assert _ok(firm.get(f"/api/v1/cases/{second_id}"))["summary"]["status"] == "draft"


def test_a_disguised_executable_is_refused(world: CasesWorld, as_user) -> None:  # type: ignore[no-untyped-def]
    firm = as_user(world.enterprise)
    draft = _draft(firm, world.company.id)
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
    r = _upload(firm, draft["summary"]["id"], _material(draft, "申请书"), exe, "营业执照.pdf")
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "file_executable" and "不予接收" in body["message"]
    detail = _ok(firm.get(f"/api/v1/cases/{draft['summary']['id']}"))
    assert all(m["provided"] == "none" for m in detail["materials"] if m["source"] == "upload")


def _submit(c: TestClient, world: CasesWorld, impl_id: int | None = None) -> dict[str, Any]:
    draft = _draft(c, impl_id or world.company.id, {"licence": LICENCE_DATA})
    for m in draft["materials"]:
        if m["source"] == "upload":
            _ok(_upload(c, draft["summary"]["id"], m["id"]))
    return _ok(c.post(f"/api/v1/cases/{draft['summary']['id']}/submit"))["case"]  # type: ignore[no-any-return]


def test_a_disallowed_action_is_409_in_chinese(world: CasesWorld, as_user) -> None:  # type: ignore[no-untyped-def]
    firm, clerk = as_user(world.enterprise), as_user(world.city.users["amr_clerk"])
    case_id = _submit(firm, world)["summary"]["id"]
    _ok(clerk.post(f"/api/v1/cases/{case_id}/reject", json={"reason": "不属于本部门职权范围"}))
    again = clerk.post(f"/api/v1/cases/{case_id}/accept")
    assert again.status_code == 409 and again.json()["code"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in again.json()["message"])
    closing = clerk.post(f"/api/v1/cases/{case_id}/close")
    assert closing.status_code == 409 and closing.json()["code"] == "case_not_decided"
    late = firm.post(f"/api/v1/cases/{case_id}/materials/1/fetch", json={})
    assert late.status_code in (404, 409)
    hrss = as_user(world.city.users["hrss_clerk"])
    social = _submit(firm, world, world.social.id)["summary"]["id"]
    immediate = hrss.post(f"/api/v1/cases/{social}/accept")
    assert immediate.status_code == 409 and immediate.json()["code"] == "case_immediate"


def test_another_applicant_and_another_department_are_refused(world: CasesWorld, as_user) -> None:  # type: ignore[no-untyped-def]
    firm, other = as_user(world.enterprise), as_user(world.other)
    case = _submit(firm, world)
    case_id, material_id = case["summary"]["id"], case["materials"][0]["id"]
    draft = _draft(firm, world.company.id)
    draft_id, draft_material = draft["summary"]["id"], draft["materials"][1]["id"]
    for method, path, body in (
            ("GET", f"/api/v1/cases/{case_id}", None),
            ("GET", f"/api/v1/cases/{case_id}/notices", None),
            ("POST", f"/api/v1/cases/{case_id}/withdraw", {}),
            ("PUT", f"/api/v1/cases/{draft_id}/form", {"form_data": {}}),
            ("POST", f"/api/v1/cases/{draft_id}/prefill", None),
            ("GET", f"/api/v1/cases/{draft_id}/materials/fetchable", None),
            ("POST", f"/api/v1/cases/{draft_id}/materials/{draft_material}/fetch", {}),
            ("POST", f"/api/v1/cases/{draft_id}/materials/{draft_material}/confirm", {"token": "licence:1:1"}),
            ("POST", f"/api/v1/cases/{draft_id}/materials/{draft_material}/upload-instead", None),
            ("POST", f"/api/v1/cases/{draft_id}/submit", None)):
        r = other.request(method, path, json=body)
        assert r.status_code == 404 and r.json()["code"] == "case_not_found", (path, r.text)
    hrss_clerk, hrss_reviewer = as_user(world.city.users["hrss_clerk"]), as_user(world.city.users["hrss_reviewer"])
    refused = hrss_clerk.post(f"/api/v1/cases/{case_id}/accept")
    assert refused.status_code in (403, 404) and refused.json()["code"] in ("case_other_department", "case_not_found")
    assert hrss_reviewer.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert hrss_clerk.get(f"/api/v1/cases/{case_id}/notices").status_code == 404
    assert _ok(hrss_clerk.get("/api/v1/cases/queue"))["items"] == []
    # Staff do not fetch as an applicant (the window clerk types a walk-in form instead).
    amr_clerk = as_user(world.city.users["amr_clerk"])
    r = amr_clerk.post(f"/api/v1/cases/{draft_id}/materials/{draft_material}/fetch", json={})
    assert r.status_code == 404
    assert _ok(firm.get(f"/api/v1/cases/{case_id}"))["summary"]["status"] == "submitted"
    assert material_id


@pytest.fixture
def citizens(tmp_path: Path, engine: Engine, session: Session, city: SmallCity, world: CasesWorld):  # type: ignore[no-untyped-def]
    """户籍人口基本信息 in the hub, 一网通办平台 granted on it, two registered citizens, an item taking it."""
    registry = population_world(session, engine, city, tmp_path, name="户籍人口基本信息", granted=["id_number"])
    system = _system(session, city)
    _grant(session, city, system, registry["resource"].id, ["id_number", "name", "gender", "address"], "hrss_data")
    a, b = _citizen(session, IDS[0], "王建华"), _citizen(session, IDS[1], "李秀英")
    items.create_basic_item(session=session, actor=actor_of(city.users["admin"]), item_in=BasicItemIn(
        code="011000000003", name="就业登记", item_type="公共服务", legal_basis="《中华人民共和国就业促进法》",
        levels=["市级"]))
    impl = _impl(session, city, "hrss_admin", basic_code="011000000003", service_objects=["自然人"],
                 materials=[{"name": "申请书", "source": "upload"}, HUKOU])
    return {"a": a, "b": b, "impl": impl, "system": system}


def test_fetched_materials_appear_in_the_applicants_data_uses(citizens, as_user) -> None:  # type: ignore[no-untyped-def]
    a, b = as_user(citizens["a"]), as_user(citizens["b"])
    draft = _draft(a, citizens["impl"].id)
    case_id, hukou = draft["summary"]["id"], _material(draft, "申请人户籍信息")
    prefilled = _ok(a.post(f"/api/v1/cases/{case_id}/prefill"))
    number = prefilled["case"]["summary"]["number"]
    assert prefilled["available"], prefilled["message"]
    assert number and prefilled["case"]["summary"]["status"] == "draft"  # the number came before the call
    by_key = {f["key"]: f for f in prefilled["fields"]}
    assert by_key["name"]["masked"] and by_key["name"]["value"] == "王**"
    form = prefilled["case"]["form_data"]
    assert form["gender"] == "男" and "name" not in form  # a masked value is shown, not taken as an answer
    assert [f["key"] for f in form["_prefill"]["fields"]] == list(by_key)
    # Saving the form keeps the provenance; the applicant cannot write it.
    saved = _ok(a.put(f"/api/v1/cases/{case_id}/form", json={"form_data": {"gender": "男", "phone": "13800000000"}}))
    assert saved["form_data"]["_prefill"] == form["_prefill"]
    forged = a.put(f"/api/v1/cases/{case_id}/form", json={"form_data": {"_prefill": {}}})
    assert forged.status_code == 422

    preview = _ok(a.post(f"/api/v1/cases/{case_id}/materials/{hukou}/fetch", json={}))
    assert preview["available"] and preview["token"].startswith("exchange:")
    assert {f["key"] for f in preview["fields"]} == {"id_number", "name", "address"}
    # B cannot confirm with A's token on a case of her own (the log entry is A's and A's case's).
    b_draft = _draft(b, citizens["impl"].id)
    b_hukou = _material(b_draft, "申请人户籍信息")
    stolen = b.post(f"/api/v1/cases/{b_draft['summary']['id']}/materials/{b_hukou}/confirm",
                    json={"token": preview["token"]})
    assert stolen.status_code == 422 and stolen.json()["code"] == "material_token_invalid"
    done = _ok(a.post(f"/api/v1/cases/{case_id}/materials/{hukou}/confirm", json={"token": preview["token"]}))
    assert next(m for m in done["materials"] if m["id"] == hukou)["provided"] == "shared"
    _ok(_upload(a, case_id, _material(draft, "申请书")))
    submitted = _ok(a.post(f"/api/v1/cases/{case_id}/submit"))
    assert submitted["case"]["summary"]["number"] == number  # submission keeps the number the calls named

    uses = _ok(a.get("/api/v1/exchange/my-data-uses"))["items"]
    assert len(uses) == 2 and {u["case_number"] for u in uses} == {number}
    assert all(u["system"] == "一网通办平台" for u in uses)
    assert any("预填申请表" in u["purpose"] for u in uses)
    assert any("申请人户籍信息" in u["purpose"] for u in uses)
    assert _ok(b.get("/api/v1/exchange/my-data-uses"))["items"] == []


def test_bad_input_is_422_never_500(world: CasesWorld, as_user) -> None:  # type: ignore[no-untyped-def]
    firm, clerk = as_user(world.enterprise), as_user(world.city.users["amr_clerk"])
    draft = _draft(firm, world.company.id)
    case_id, material_id = draft["summary"]["id"], draft["materials"][1]["id"]
    huge = "办" * 100_000
    for c, method, path, body in (
            (firm, "POST", "/api/v1/cases", {"implementation_id": "one"}),
            (firm, "POST", "/api/v1/cases", {"implementation_id": 2**40}),
            (firm, "POST", "/api/v1/cases", {"implementation_id": world.company.id, "bundle_code": "KBQY"}),
            (firm, "POST", "/api/v1/cases", {"implementation_id": world.company.id, "unknown": 1}),
            (firm, "POST", "/api/v1/cases", {"bundle_code": huge}),
            (firm, "POST", "/api/v1/cases", {"implementation_id": world.company.id, "form_data": {"x": huge}}),
            (firm, "POST", "/api/v1/cases", {"implementation_id": world.company.id, "form_data": []}),
            (firm, "PUT", f"/api/v1/cases/{case_id}/form", {"form_data": "text"}),
            (firm, "PUT", f"/api/v1/cases/{case_id}/form", {"form_data": {}, "status": "decided"}),
            (firm, "PUT", f"/api/v1/cases/{case_id}/form", {"form_data": {"a\u0000": 1}}),
            (firm, "POST", f"/api/v1/cases/{case_id}/materials/{material_id}/fetch", {"licence_id": -1}),
            (firm, "POST", f"/api/v1/cases/{case_id}/materials/{material_id}/fetch", {"licence": 1}),
            (firm, "POST", f"/api/v1/cases/{case_id}/materials/{material_id}/confirm", {"token": "licence:x"}),
            (firm, "POST", f"/api/v1/cases/{case_id}/materials/{material_id}/confirm", {"token": huge}),
            (firm, "POST", f"/api/v1/cases/{case_id}/materials/{material_id}/confirm", {}),
            (firm, "POST", f"/api/v1/cases/{case_id}/withdraw", {"reason": huge}),
            (firm, "POST", "/api/v1/cases/99999999999/submit", None),
            (firm, "GET", "/api/v1/cases/mine?page=0", None),
            (clerk, "POST", f"/api/v1/cases/{case_id}/reject", {"reason": 5}),
            (clerk, "POST", f"/api/v1/cases/{case_id}/reject", {"reason": "理" * 501}),
            (clerk, "POST", f"/api/v1/cases/{case_id}/decide", {"decision": "refuse"}),
            (clerk, "POST", f"/api/v1/cases/{case_id}/decide", {"decision": "maybe"}),
            (clerk, "POST", f"/api/v1/cases/{case_id}/supplement-request", {"items": []}),
            (clerk, "POST", f"/api/v1/cases/{case_id}/supplement-request",
             {"items": [{"material_id": material_id, "how": "upload", "note": huge}]}),
            (clerk, "POST", f"/api/v1/cases/{case_id}/suspend", {"reason": "午休"}),
            (clerk, "GET", "/api/v1/cases/queue?status=decided", None)):
        r = c.request(method, path, json=body)
        assert r.status_code == 422, (method, path, str(body)[:80], r.status_code, r.text[:300])
        assert r.json()["code"] and r.json()["message"], r.text[:300]
    # The malformed confirmations reached no state: the draft is as it was.
    assert _ok(firm.get(f"/api/v1/cases/{case_id}"))["materials"] == draft["materials"]
