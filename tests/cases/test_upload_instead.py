"""Uploading instead of fetching (issue 14 §1): a material the platform can fetch is never demanded as an upload
— not by the form, not by a clerk's 补正 notice — but the applicant may always upload it: in a draft and during a
补正 whose notice asks the platform to fetch it; the choice is recorded as the applicant's. Service, page, API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cases.test_citizen_pages import (  # noqa: F401  (the fixture)
    PDF,
    World,
    _materials,
    _start,
    _submit,
    _token,
    applicants,
)
from tests.factories import actor_of
from tests.files.test_inspect import pdf
from tongban.cases import handling, service
from tongban.cases.models import Case, CaseEvent
from tongban.cases.schemas import SupplementRequest


def _fetch_notice(session: Session, world: World, case_id: int) -> int:
    """The clerk's 补正 notice: 申请人户籍信息 to be fetched by the platform (an upload may not be demanded)."""
    hukou = _materials(session, case_id)["申请人户籍信息"]
    handling.request_supplement(session=session, actor=actor_of(world.city.users["hrss_clerk"]), case_id=case_id,
                                request=SupplementRequest(items=[{"material_id": hukou.id, "how": "fetch",
                                                                  "note": "请授权调取户籍信息"}]))
    session.commit()
    return hukou.id


def _chosen(session: Session, case_id: int) -> list[str]:
    return [e.title for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id,
                                                                     CaseEvent.action == "material"))]


def test_the_draft_offers_fetch_and_upload_for_a_fetchable_material(client: TestClient, session: Session,
                                                                     applicants: World) -> None:  # noqa: F811
    case_id, csrf = _start(client, applicants)
    hukou = _materials(session, case_id)["申请人户籍信息"]
    page = client.get(f"/my/cases/{case_id}/apply").text
    assert f"/materials/{hukou.id}/fetch" in page and f"/materials/{hukou.id}/file" in page
    assert "或自行上传“申请人户籍信息”" in page
    up = client.post(f"/my/cases/{case_id}/materials/{hukou.id}/file", data={"csrf_token": csrf},
                     files={"file": ("户口簿.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert up.status_code == 303
    assert _materials(session, case_id)["申请人户籍信息"].provided == "upload"
    assert _chosen(session, case_id) == ["自行上传（未用平台调取）：申请人户籍信息"]


def test_supplement_asking_a_fetch_may_be_answered_by_an_upload_service(session: Session, client: TestClient,
                                                                         applicants: World) -> None:  # noqa: F811
    case_id, _, _ = _submit(client, session, applicants)
    hukou_id = _fetch_notice(session, applicants, case_id)
    applicant = actor_of(applicants.a)
    service.upload_material(session=session, actor=applicant, case_id=case_id, material_id=hukou_id,
                            content=pdf(2), filename="户口簿.pdf")
    session.commit()
    assert _materials(session, case_id)["申请人户籍信息"].provided == "upload"
    assert "自行上传（未用平台调取）：申请人户籍信息" in _chosen(session, case_id)
    service.supplement(session=session, actor=applicant, case_id=case_id)
    session.commit()
    session.expire_all()
    assert session.get(Case, case_id).status == "submitted"  # type: ignore[union-attr]


def test_supplement_upload_instead_on_the_case_page(client: TestClient, session: Session,
                                                    applicants: World) -> None:  # noqa: F811
    case_id, _, _ = _submit(client, session, applicants)
    hukou_id = _fetch_notice(session, applicants, case_id)
    page = client.get(f"/my/cases/{case_id}").text
    assert "授权平台调取" in page and "从共享数据获取" in page and "或自行上传“申请人户籍信息”" in page
    csrf = _token(page)
    # A material the notice does not list is still refused during 补正.
    form = _materials(session, case_id)["申请书"]
    other = client.post(f"/my/cases/{case_id}/materials/{form.id}/file", data={"csrf_token": csrf},
                        files={"file": ("申请书.pdf", pdf(3), "application/pdf")})
    assert other.status_code == 409 and "补正通知列明" in other.text
    up = client.post(f"/my/cases/{case_id}/materials/{hukou_id}/file", data={"csrf_token": csrf},
                     files={"file": ("户口簿.pdf", pdf(2), "application/pdf")}, follow_redirects=False)
    assert up.status_code == 303 and up.headers["location"].startswith(f"/my/cases/{case_id}?")
    after = client.get(up.headers["location"]).text
    assert "户口簿.pdf" in after
    done = client.post(f"/my/cases/{case_id}/supplement", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert _materials(session, case_id)["申请人户籍信息"].provided == "upload"


def test_supplement_upload_instead_through_the_api(client: TestClient, session: Session,
                                                   applicants: World) -> None:  # noqa: F811
    case_id, _, _ = _submit(client, session, applicants)
    hukou_id = _fetch_notice(session, applicants, case_id)
    csrf = _token(client.get(f"/my/cases/{case_id}").text)
    r = client.post(f"/api/v1/cases/{case_id}/materials/{hukou_id}/file", headers={"X-CSRF-Token": csrf},
                    files={"file": ("户口簿.pdf", pdf(2), "application/pdf")})
    assert r.status_code == 200, r.text
    got = next(m for m in r.json()["materials"] if m["id"] == hukou_id)
    assert got["provided"] == "upload"
    # The clerk still may not demand the upload of a fetchable material (the message says what to choose).
    options = client.get(f"/api/v1/cases/{case_id}/materials/fetchable")
    assert options.status_code == 200
    assert next(o for o in options.json() if o["material_id"] == hukou_id)["fetchable"]
