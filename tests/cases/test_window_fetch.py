"""窗口收件 with fetched materials (issue 14 §1): the clerk fetches shared data for the walk-in applicant only after
ticking that the applicant agreed; the call is the platform system's with the APPLICANT as end user and the case
number as purpose (so it shows in their “谁用了我的数据”), the clerk is the actor of the audit record; the
applicant previews and confirms, or has the document uploaded instead; another department's clerk finds nothing."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cases.test_citizen_pages import PDF, World, applicants  # noqa: F401  (the fixture)
from tests.factories import actor_of, login
from tongban.audit.models import AuditEntry
from tongban.cases import applying, service
from tongban.cases.models import Case, CaseEvent, CaseMaterial
from tongban.cases.schemas import CaseCreate
from tongban.errors import NotFound, ValidationFailed
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.exchange.queries import my_data_uses


def _mats(session: Session, case_id: int) -> dict[str, CaseMaterial]:
    session.expire_all()
    return {m.name: m for m in session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case_id))}


def _walk_in(client: TestClient, world: World) -> tuple[str, int, str]:
    """The 人社局 clerk registers 王建华's walk-in application: the draft's URL, id and the CSRF token."""
    csrf = login(client, "hrss_clerk")
    made = client.post("/cases/walk-in", data={"csrf_token": csrf, "applicant_code": world.a.id_number,
                                               "implementation_id": str(world.impl.id)}, follow_redirects=False)
    assert made.status_code == 303, made.text
    url = made.headers["location"].split("?")[0]
    return url, int(url.rsplit("/", 1)[1]), csrf


def test_the_clerk_fetches_with_consent_and_it_shows_in_the_applicants_data_uses(
        client: TestClient, session: Session, applicants: World) -> None:  # noqa: F811
    url, draft_id, csrf = _walk_in(client, applicants)
    hukou = _mats(session, draft_id)["申请人户籍信息"]
    page = client.get(url).text
    assert "从共享数据获取" in page and "申请人已当面同意平台调取其数据" in page
    assert f"{url}/materials/{hukou.id}\"" in page  # uploading instead is offered too

    # No tick: a clear message beside the material, nothing fetched, no number taken.
    refused = client.post(f"{url}/materials/{hukou.id}/fetch", data={"csrf_token": csrf})
    assert refused.status_code == 422 and "请先征得申请人同意" in refused.text
    assert session.execute(select(ExchangeLogEntry)).scalars().all() == []

    preview = client.post(f"{url}/materials/{hukou.id}/fetch", data={"csrf_token": csrf, "consent": "yes"})
    assert preview.status_code == 200 and "data-preview" in preview.text and "王**" in preview.text
    token = re.search(r'name="token" value="(exchange:\d+)"', preview.text)
    assert token
    ok = client.post(f"{url}/materials/{hukou.id}/confirm", data={"csrf_token": csrf, "token": token.group(1)},
                     follow_redirects=True)
    assert ok.status_code == 200 and "已确认使用调取的材料" in ok.text
    assert _mats(session, draft_id)["申请人户籍信息"].provided == "shared"
    form = _mats(session, draft_id)["申请书"]
    up = client.post(f"{url}/materials/{form.id}", data={"csrf_token": csrf},
                     files={"file": ("申请书.pdf", PDF, "application/pdf")}, follow_redirects=True)
    assert up.status_code == 200 and "材料已上传" in up.text
    done = client.post(f"{url}/submit", data={"csrf_token": csrf}, follow_redirects=True)
    assert done.status_code == 200 and "查询码" in done.text

    session.expire_all()
    case = session.get(Case, draft_id)
    assert case is not None and case.status == "submitted" and case.channel == "窗口" and case.number
    # The call: the platform's system, the applicant as end user, the case number as purpose.
    [entry] = session.execute(select(ExchangeLogEntry)).scalars().all()
    assert entry.end_user == applicants.a.id_number and entry.case_number == case.number
    assert "窗口代为调取" in entry.purpose and "申请人户籍信息" in entry.purpose
    uses = my_data_uses(session, actor_of(applicants.a)).rows
    assert [u.case_number for u in uses] == [case.number] and uses[0].system == "一网通办平台"
    assert my_data_uses(session, actor_of(applicants.b)).rows == []
    # The clerk is the actor of the consent and the confirmation, in the timeline and the audit log.
    clerk = applicants.city.users["hrss_clerk"]
    consent = session.execute(select(AuditEntry).where(AuditEntry.action == "case.window_fetch_consent")).scalar_one()
    assert (consent.actor_kind, consent.actor_id, consent.object_id) == ("staff", str(clerk.id), case.number)
    events = {e.action: e for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == draft_id))}
    assert events["window_fetch_consent"].actor_id == clerk.id
    assert events["material_fetched"].title.startswith("申请人当面确认使用调取的材料")
    # The applicant sees the case as their own.
    assert case.applicant_user_id == applicants.a.id


def test_the_applicant_may_have_it_uploaded_instead(client: TestClient, session: Session,
                                                     applicants: World) -> None:  # noqa: F811
    url, draft_id, csrf = _walk_in(client, applicants)
    hukou = _mats(session, draft_id)["申请人户籍信息"]
    up = client.post(f"{url}/materials/{hukou.id}", data={"csrf_token": csrf},
                     files={"file": ("户口簿.pdf", PDF, "application/pdf")}, follow_redirects=True)
    assert up.status_code == 200 and "材料已上传" in up.text
    assert _mats(session, draft_id)["申请人户籍信息"].provided == "upload"
    event = session.scalars(select(CaseEvent).where(CaseEvent.case_id == draft_id, CaseEvent.action == "material")
                            ).one()
    assert event.title.endswith("：申请人户籍信息")  # recorded as the applicant's choice: test_upload_instead.py
    assert session.execute(select(ExchangeLogEntry)).scalars().all() == []  # nothing was fetched

    # Fetched and confirmed, then dropped for an upload: 改为上传 on the window page.
    preview = client.post(f"{url}/materials/{hukou.id}/fetch", data={"csrf_token": csrf, "consent": "yes"}).text
    token = re.search(r'name="token" value="(exchange:\d+)"', preview)
    assert token
    client.post(f"{url}/materials/{hukou.id}/confirm", data={"csrf_token": csrf, "token": token.group(1)})
    assert _mats(session, draft_id)["申请人户籍信息"].provided == "shared"
    back = client.post(f"{url}/materials/{hukou.id}/upload-instead", data={"csrf_token": csrf},
                       follow_redirects=True)
    assert back.status_code == 200 and "已改为上传" in back.text
    assert _mats(session, draft_id)["申请人户籍信息"].provided == "none"


def test_another_department_and_an_online_case_are_refused(client: TestClient, session: Session,
                                                           applicants: World) -> None:  # noqa: F811
    url, draft_id, csrf = _walk_in(client, applicants)
    hukou = _mats(session, draft_id)["申请人户籍信息"]
    client.post("/logout", data={"csrf_token": csrf})
    other = login(client, "amr_clerk")
    assert client.get(url).status_code == 404
    r = client.post(f"{url}/materials/{hukou.id}/fetch", data={"csrf_token": other, "consent": "yes"})
    assert r.status_code in (403, 404)
    r = client.post(f"{url}/materials/{hukou.id}/confirm", data={"csrf_token": other, "token": "exchange:1"})
    assert r.status_code in (403, 404)
    assert session.execute(select(ExchangeLogEntry)).scalars().all() == []

    amr_clerk = actor_of(applicants.city.users["amr_clerk"])
    with pytest.raises(NotFound):
        applying.fetch_material(session, amr_clerk, draft_id, hukou.id, consent=True)
    # A clerk of the right department on the applicant's ONLINE case: the applicant is not at the window.
    online = service.create_draft(session=session, actor=actor_of(applicants.a),
                                  case_in=CaseCreate(implementation_id=applicants.impl.id))
    session.commit()
    online_hukou = _mats(session, online.id)["申请人户籍信息"]
    hrss_clerk = actor_of(applicants.city.users["hrss_clerk"])
    with pytest.raises(NotFound):
        applying.fetch_material(session, hrss_clerk, online.id, online_hukou.id, consent=True)
    # The right clerk without consent: refused with its code, before any call.
    with pytest.raises(ValidationFailed) as exc:
        applying.fetch_material(session, hrss_clerk, draft_id, hukou.id)
    assert exc.value.code == "applicant_consent_required"
    assert session.execute(select(ExchangeLogEntry)).scalars().all() == []


# ---------------------------------------------------------------- the same path through the JSON API


def _api_as(client: TestClient, username: str) -> None:
    """The client logged in as `username`, sending its CSRF token as the API expects."""
    old = client.headers.pop("X-CSRF-Token", None)
    if old:
        client.post("/logout", data={"csrf_token": old})
    client.headers["X-CSRF-Token"] = login(client, username)


def test_the_api_fetch_at_the_window_needs_the_applicants_consent(client: TestClient, session: Session,
                                                                  applicants: World) -> None:  # noqa: F811
    _api_as(client, "hrss_clerk")
    made = client.post("/api/v1/cases", json={"implementation_id": applicants.impl.id,
                                              "applicant_code": applicants.a.id_number})
    assert made.status_code == 201, made.text
    case_id = made.json()["summary"]["id"]
    hukou = _mats(session, case_id)["申请人户籍信息"]
    options = {o["name"]: o for o in client.get(f"/api/v1/cases/{case_id}/materials/fetchable").json()}
    assert options["申请人户籍信息"]["fetchable"] is True

    # No consent (absent or false): 422 with its code and a Chinese message naming the field; nothing fetched.
    for body in ({}, {"consent": False}):
        r = client.post(f"/api/v1/cases/{case_id}/materials/{hukou.id}/fetch", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "applicant_consent_required" and r.json()["detail"]["field"] == "consent"
        assert "申请人当面同意" in r.json()["message"] and "consent: true" in r.json()["message"]
    assert session.execute(select(ExchangeLogEntry)).scalars().all() == []

    r = client.post(f"/api/v1/cases/{case_id}/materials/{hukou.id}/fetch", json={"consent": True})
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["available"] and preview["token"].startswith("exchange:") and preview["pdf_url"] == ""
    confirmed = client.post(f"/api/v1/cases/{case_id}/materials/{hukou.id}/confirm", json={"token": preview["token"]})
    assert confirmed.status_code == 200, confirmed.text
    form = _mats(session, case_id)["申请书"]
    up = client.post(f"/api/v1/cases/{case_id}/materials/{form.id}/file",
                     files={"file": ("申请书.pdf", PDF, "application/pdf")})
    assert up.status_code == 200, up.text
    done = client.post(f"/api/v1/cases/{case_id}/submit")
    assert done.status_code == 200, done.text
    number = done.json()["case"]["summary"]["number"]
    assert done.json()["case"]["summary"]["channel"] == "窗口"

    # The applicant's “谁用了我的数据”: the platform's system, the case number; the clerk in the audit log.
    [entry] = session.execute(select(ExchangeLogEntry)).scalars().all()
    assert (entry.end_user, entry.case_number) == (applicants.a.id_number, number)
    assert "窗口代为调取" in entry.purpose
    clerk = applicants.city.users["hrss_clerk"]
    consent = session.execute(select(AuditEntry).where(AuditEntry.action == "case.window_fetch_consent")).scalar_one()
    assert (consent.actor_kind, consent.actor_id, consent.object_id) == ("staff", str(clerk.id), number)
    fetched = session.execute(select(AuditEntry).where(AuditEntry.action == "case.material_fetched")).scalar_one()
    assert fetched.actor_id == str(clerk.id) and json.loads(fetched.detail)["at_window"] is True
    _api_as(client, applicants.a.username)
    uses = client.get("/my/data-uses")
    assert uses.status_code == 200 and number in uses.text and "一网通办平台" in uses.text
    assert [u.case_number for u in my_data_uses(session, actor_of(applicants.a)).rows] == [number]


def test_the_api_fetch_refuses_another_departments_clerk_and_needs_no_consent_from_the_applicant(
        client: TestClient, session: Session, applicants: World) -> None:  # noqa: F811
    clerk = actor_of(applicants.city.users["hrss_clerk"])
    draft = service.create_draft(session=session, actor=clerk, case_in=CaseCreate(
        implementation_id=applicants.impl.id, applicant_code=applicants.a.id_number))
    session.commit()
    hukou = _mats(session, draft.id)["申请人户籍信息"]
    _api_as(client, "amr_clerk")
    for body in ({"consent": True}, {}):
        r = client.post(f"/api/v1/cases/{draft.id}/materials/{hukou.id}/fetch", json=body)
        assert r.status_code == 404 and r.json()["code"] == "case_not_found", r.text
    assert client.get(f"/api/v1/cases/{draft.id}/materials/fetchable").status_code == 404
    assert client.post(f"/api/v1/cases/{draft.id}/materials/{hukou.id}/confirm",
                       json={"token": "exchange:1"}).status_code == 404
    assert session.execute(select(ExchangeLogEntry)).scalars().all() == []
    assert session.execute(select(AuditEntry).where(AuditEntry.action == "case.window_fetch_consent")).first() is None

    # The applicant fetching on their own online draft: no consent field (their request is the consent).
    _api_as(client, applicants.a.username)
    made = client.post("/api/v1/cases", json={"implementation_id": applicants.impl.id})
    assert made.status_code == 201, made.text
    own = made.json()["summary"]["id"]
    own_hukou = _mats(session, own)["申请人户籍信息"]
    r = client.post(f"/api/v1/cases/{own}/materials/{own_hukou.id}/fetch", json={})
    assert r.status_code == 200 and r.json()["available"], r.text
    # The applicant cannot reach the walk-in draft through the clerk's path either (it is theirs, but not via
    # the window): it is their case, so they may fetch on it as on any of their drafts.
    [entry] = session.execute(select(ExchangeLogEntry)).scalars().all()
    assert "经申请人本人请求" in entry.purpose and "窗口" not in entry.purpose


def test_the_openapi_description_says_how_the_window_fetch_works(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/v1/cases/{case_id}/materials/{material_id}/fetch"]["post"]
    assert "consent: true" in op["description"] and "applicant_consent_required" in op["description"]
    schema = spec["components"]["schemas"]["MaterialFetch"]["properties"]["consent"]
    assert schema["type"] == "boolean" and "窗口收件" in schema["description"]
