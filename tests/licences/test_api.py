"""JSON API of seals and licences, the public verification API and the licence library."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import actor_of, app_client, login, staff
from tests.licences.conftest import LicenceWorld
from tongban import clock
from tongban.audit.models import AuditEntry
from tongban.licences import library
from tongban.licences.models import LicenceVersion


def _body(world: LicenceWorld) -> dict[str, object]:
    return {"type_id": world.licence_type.id, "holder_name": "安康汉水云科技有限公司", "holder_code": world.holder_code,
            "data": {"entity_type": "有限责任公司", "legal_representative": "王建国", "registered_capital": "伍佰万元整",
                     "established_on": "2021-03-15", "address": "安康市汉滨区兴安中路 88 号",
                     "business_scope": "软件开发"}}


def test_issue_read_download_and_verify_over_http(client: TestClient, session: Session, world: LicenceWorld) -> None:
    csrf = login(client, "amr_reviewer")
    r = client.post("/api/v1/licences", json=_body(world), headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    licence = r.json()
    assert licence["status"] == "valid" and licence["version"] == 1
    assert licence["verify_url"].endswith("/verify/" + licence["identifier"])
    pdf = client.get(f"/api/v1/licences/{licence['id']}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    listing = client.get("/api/v1/licences").json()
    assert listing["total"] == 1
    anonymous = TestClient(client.app)
    verdict = anonymous.post("/api/v1/verify", files={"file": ("licence.pdf", pdf.content, "application/pdf")})
    assert verdict.status_code == 200 and verdict.json()["outcome"] == "valid"
    altered = bytearray(pdf.content)
    altered[len(altered) // 2] ^= 0x20
    verdict = anonymous.post("/api/v1/verify", files={"file": ("licence.pdf", bytes(altered), "application/pdf")})
    assert verdict.json()["outcome"] == "altered"
    by_id = anonymous.get(f"/api/v1/verify/{licence['identifier']}").json()
    assert by_id["outcome"] == "valid" and by_id["issuer_name"] == "安康市市场监督管理局"
    wrong = licence["identifier"][:-1] + ("A" if licence["identifier"][-1] != "A" else "B")
    r = anonymous.get(f"/api/v1/verify/{wrong}")
    assert r.status_code == 422 and r.json()["code"] == "licence_identifier_check"
    trust = anonymous.get("/api/v1/ca/trust.pem")
    assert trust.status_code == 200 and trust.text.count("BEGIN CERTIFICATE") == 4
    # Reading and downloading someone's licence is audited with purpose.
    actions = set(session.execute(select(AuditEntry.action)).scalars())
    assert {"licence.issue", "seal.use", "licence.download", "licence.read"} <= actions


def test_bad_input_is_refused_at_the_edge(client: TestClient, world: LicenceWorld) -> None:
    csrf = login(client, "amr_reviewer")
    h = {"X-CSRF-Token": csrf}
    body = _body(world)
    body["holder_code"] = "91610902MA70000000"  # wrong check character
    r = client.post("/api/v1/licences", json=body, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "licence_holder_code_invalid" and "校验位" in r.json()["message"]
    body = _body(world)
    body["data"] = {**body["data"], "established_on": "2021-02-30", "unknown": "x"}  # type: ignore[dict-item]
    r = client.post("/api/v1/licences", json=body, headers=h)
    assert r.status_code == 422 and "成立日期" in r.json()["message"] and "unknown" in r.json()["message"]
    body = _body(world)
    body["data"] = {k: v for k, v in body["data"].items() if k != "address"}  # type: ignore[attr-defined]
    assert "住所" in client.post("/api/v1/licences", json=body, headers=h).json()["message"]
    assert client.get("/api/v1/licences").json()["total"] == 0  # nothing half-written
    assert client.post("/api/v1/verify", files={"file": ("x.pdf", b"", "application/pdf")}).status_code == 422


def test_only_issuers_issue_and_only_admins_make_seals(client: TestClient, world: LicenceWorld) -> None:
    csrf = login(client, "hrss_reviewer")
    r = client.post("/api/v1/licences", json=_body(world), headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["code"] == "licence_type_not_issuer"
    r = client.post("/api/v1/seals", json={"department_id": world.city.hrss.id, "kind": "approval"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403
    admin = TestClient(client.app)
    csrf = login(admin, "admin")
    r = admin.post("/api/v1/seals", json={"department_id": world.city.hrss.id, "kind": "official"},
                   headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201 and r.json()["status"] == "active" and "BEGIN CERTIFICATE" in r.json()["sm2_certificate_pem"]
    r = admin.post("/api/v1/seals", json={"department_id": world.city.hrss.id, "kind": "official"},
                   headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409 and r.json()["code"] == "seal_official_exists"


def test_library_answers_valid_licences_of_a_holder_through_the_exchange(
        client: TestClient, session: Session, world: LicenceWorld) -> None:
    from tongban.org.auth import new_api_key
    from tongban.org.models import ApiKey
    from tongban.sharing import service as sharing
    from tongban.sharing.schemas import ComplianceDecision, ProviderDecision, RequestCreate

    first = world.issue(session)
    second = world.issue(session)
    from tongban.licences import issuing

    issuing.change_status(session=session, actor=actor_of(world.city.users["amr_reviewer"]), licence_id=second.id,
                          action="revoke", reason="重复登记")
    assert [lic.id for lic in library.valid_licences(session, holder_code=world.holder_code,
                                                      type_code=world.licence_type.code, today=clock.today())] \
        == [first.id]
    # 人社局's system asks for the library through the exchange, like any shared resource.
    resource_id = library.resource_id(session)
    session.commit()
    hrss_system = app_client(session, world.city.hrss, code="hrss-system")
    secret, prefix, digest = new_api_key()
    session.add(ApiKey(client_id=hrss_system.id, key_prefix=prefix, key_hash=digest, label="test"))
    session.commit()
    items = ["licence_key", "identifier", "type_code", "holder_code", "holder_name", "status", "valid_to"]
    req = sharing.submit_request(session=session, actor=actor_of(world.city.users["hrss_data"]),
                                 request_in=RequestCreate(
                                     resource_id=resource_id, client_id=hrss_system.id, items=items,
                                     purpose="办理就业登记时免提交营业执照", legal_basis="《优化营商环境条例》",
                                     scenario="企业用工登记", period_start=clock.today(),
                                     period_end=clock.today() + dt.timedelta(days=30)))
    admin = actor_of(world.city.users["admin"])
    sharing.compliance_check(session=session, actor=admin, request_id=req.id,
                             decision=ComplianceDecision(decision="pass"))
    # The library is the data bureau's resource: its data officer answers, not the platform admin.
    dsj_data = staff(session, "dsj_data", world.city.data_bureau, "data_officer")
    session.commit()
    sharing.provider_decide(session=session, actor=actor_of(dsj_data), request_id=req.id,
                            decision=ProviderDecision(decision="approve"))
    code = session.execute(select(LicenceVersion.identifier)).scalars().first()
    assert code
    from tongban.catalog.models import InformationResource

    resource = session.get(InformationResource, resource_id)
    assert resource is not None
    url = "/api/v1/exchange/" + resource.code.replace("/", "/", 1) + "/records"
    r = client.get(url, params={"holder_code": world.holder_code, "type_code": world.licence_type.code,
                                "status": "valid"},
                   headers={"Authorization": f"Bearer {secret}", "X-Purpose": quote("办理就业登记时免提交营业执照")})
    assert r.status_code == 200, r.text
    found = r.json()["items"]
    assert [f["identifier"] for f in found] == [first.identifier]
    assert found[0]["holder_code"] != world.holder_code  # personal-sensitive items are masked


def test_a_retired_type_issues_nothing_new_but_its_licences_still_verify(
        client: TestClient, session: Session, world: LicenceWorld) -> None:
    licence = world.issue(session)
    admin_csrf = login(client, "admin")
    r = client.post(f"/api/v1/licence-types/{world.licence_type.id}/status/retired",
                    headers={"X-CSRF-Token": admin_csrf})
    assert r.status_code == 200 and r.json()["status"] == "retired"
    assert world.licence_type.id not in [t["id"] for t in client.get("/api/v1/licence-types").json()]
    assert world.licence_type.id in [t["id"] for t in client.get("/api/v1/licence-types",
                                                                 params={"include_retired": True}).json()]
    page = client.get("/admin/licence-types")
    assert "已停用" in page.text and "启用" in page.text
    reviewer = TestClient(client.app)
    csrf = login(reviewer, "amr_reviewer")
    r = reviewer.post("/api/v1/licences", json=_body(world), headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409 and r.json()["code"] == "licence_type_retired"
    assert reviewer.get(f"/api/v1/verify/{licence.identifier}").json()["outcome"] == "valid"
    r = client.post(f"/api/v1/licence-types/{world.licence_type.id}/status/bogus",
                    headers={"X-CSRF-Token": admin_csrf})
    assert r.status_code == 422 and r.json()["code"] == "licence_type_status_invalid"
