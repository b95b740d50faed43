"""补正 at the window (issue 14 §1, §2): a walk-in case (窗口收件) in 补正 — the clerk hands in the supplement for the
applicant at the window: only the materials the notice lists, uploaded (also instead of a fetch, recorded as the
applicant's choice) or fetched with the applicant's consent; and a supplement counts only when EVERY line of the
notice has been provided since it — a "fetch" line by a confirmed fetch or an upload — whoever hands it in."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cases.test_citizen_pages import PDF, World, applicants  # noqa: F401  (the fixture)
from tests.factories import actor_of, login
from tongban.cases import applying, handling, service
from tongban.cases.models import Case, CaseEvent, CaseMaterial
from tongban.cases.schemas import CaseCreate, SupplementRequest
from tongban.errors import ValidationFailed
from tongban.exchange.log_models import ExchangeLogEntry


def _mats(session: Session, case_id: int) -> dict[str, CaseMaterial]:
    session.expire_all()
    return {m.name: m for m in session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case_id))}


def _case(session: Session, case_id: int) -> Case:
    session.expire_all()
    case = session.get(Case, case_id)
    assert case is not None
    return case


def _in_supplement(session: Session, world: World, *, window: bool = True, hows: dict[str, str] | None = None) -> Case:
    """王建华's case (entered at the 人社局 window, or online), both materials uploaded, submitted, then 补正 of
    the named materials (default: 申请人户籍信息 by the platform's fetch)."""
    clerk = actor_of(world.city.users["hrss_clerk"])
    actor = clerk if window else actor_of(world.a)
    draft = service.create_draft(session=session, actor=actor, case_in=CaseCreate(
        implementation_id=world.impl.id, applicant_code=world.a.id_number if window else None))
    session.commit()
    for m in _mats(session, draft.id).values():
        service.upload_material(session=session, actor=actor, case_id=draft.id, material_id=m.id, content=PDF,
                                filename=f"{m.name}.pdf")
    service.submit(session=session, actor=actor, case_id=draft.id)
    mats = _mats(session, draft.id)
    handling.request_supplement(session=session, actor=clerk, case_id=draft.id, request=SupplementRequest(items=[
        {"material_id": mats[name].id, "how": how, "note": f"请补正{name}"}
        for name, how in (hows or {"申请人户籍信息": "fetch"}).items()]))
    session.commit()
    return _case(session, draft.id)


def test_the_clerk_fetches_with_consent_and_hands_in_the_supplement(client: TestClient, session: Session,
                                                                    applicants: World) -> None:  # noqa: F811
    case = _in_supplement(session, applicants)
    number, mats = case.number, _mats(session, case.id)
    hukou, form = mats["申请人户籍信息"], mats["申请书"]
    csrf = login(client, "hrss_clerk")
    page = client.get(f"/cases/{number}").text
    assert f'href="/cases/walk-in/supplement/{number}"' in page and "窗口代收补正材料" in page
    url = f"/cases/walk-in/supplement/{number}"
    page = client.get(url).text
    assert "补正通知列明的材料" in page and "请补正申请人户籍信息" in page and "尚未补交" in page
    assert 'data-material="申请书"' not in page  # only the lines of the notice
    assert "申请人已当面同意平台调取其数据" in page and f'{url}/materials/{hukou.id}"' in page  # or upload instead

    # Handing in before anything was provided: refused, saying what is missing and how.
    early = client.post(f"{url}/submit", data={"csrf_token": csrf})
    assert early.status_code == 422 and "请先补交这些材料：申请人户籍信息（调取并确认使用，或自行上传）" in early.text
    # A material the notice does not list cannot be handed in.
    other = client.post(f"{url}/materials/{form.id}", data={"csrf_token": csrf},
                        files={"file": ("申请书.pdf", PDF, "application/pdf")})
    assert other.status_code == 409 and "补正通知列明的材料" in other.text
    # No tick: nothing fetched.
    refused = client.post(f"{url}/materials/{hukou.id}/fetch", data={"csrf_token": csrf})
    assert refused.status_code == 422 and "请先征得申请人同意" in refused.text
    assert session.execute(select(ExchangeLogEntry)).scalars().all() == []

    preview = client.post(f"{url}/materials/{hukou.id}/fetch", data={"csrf_token": csrf, "consent": "yes"})
    assert preview.status_code == 200 and "data-preview" in preview.text and "王**" in preview.text
    token = re.search(r'name="token" value="(exchange:\d+)"', preview.text)
    assert token and f'action="{url}/materials/{hukou.id}/confirm"' in preview.text
    ok = client.post(f"{url}/materials/{hukou.id}/confirm", data={"csrf_token": csrf, "token": token.group(1)},
                     follow_redirects=True)
    assert ok.status_code == 200 and "已确认使用调取的材料" in ok.text and "已补交" in ok.text
    done = client.post(f"{url}/submit", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith(f"/cases/{number}?")

    case = _case(session, case.id)
    assert case.status == "submitted" and case.accept_due_on is not None
    assert _mats(session, case.id)["申请人户籍信息"].provided == "shared"
    [entry] = session.execute(select(ExchangeLogEntry)).scalars().all()
    assert (entry.end_user, entry.case_number) == (applicants.a.id_number, number) and "窗口代为调取" in entry.purpose
    clerk = applicants.city.users["hrss_clerk"]
    events = {e.action: e for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))}
    assert events["supplement"].title == "窗口代申请人提交补正材料" and events["supplement"].actor_id == clerk.id
    assert events["window_fetch_consent"].actor_id == clerk.id
    # The page is for a case in 补正 only.
    assert client.get(url).status_code == 409


def test_uploading_instead_of_the_fetch_is_recorded_as_the_applicants_choice(client: TestClient, session: Session,
                                                                             applicants: World) -> None:  # noqa: F811
    case = _in_supplement(session, applicants)
    hukou = _mats(session, case.id)["申请人户籍信息"]
    csrf = login(client, "hrss_clerk")
    url = f"/cases/walk-in/supplement/{case.number}"
    up = client.post(f"{url}/materials/{hukou.id}", data={"csrf_token": csrf},
                     files={"file": ("户口簿.pdf", PDF, "application/pdf")}, follow_redirects=True)
    assert up.status_code == 200 and "补正材料已上传" in up.text and "已补交" in up.text
    event = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "material")
                            .order_by(CaseEvent.id.desc())).first()
    assert event is not None and event.title == "自行上传（未用平台调取）：申请人户籍信息"
    assert event.detail["upload_instead_of_fetch"] is True
    done = client.post(f"{url}/submit", data={"csrf_token": csrf}, follow_redirects=True)
    assert done.status_code == 200 and "已代申请人提交补正材料" in done.text
    assert _case(session, case.id).status == "submitted"
    assert session.execute(select(ExchangeLogEntry)).scalars().all() == []


def test_another_department_and_an_online_case_find_no_window_supplement(client: TestClient, session: Session,
                                                                          applicants: World) -> None:  # noqa: F811
    case = _in_supplement(session, applicants)
    hukou = _mats(session, case.id)["申请人户籍信息"]
    csrf = login(client, "amr_clerk")
    url = f"/cases/walk-in/supplement/{case.number}"
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/materials/{hukou.id}/fetch", data={"csrf_token": csrf, "consent": "yes"}
                       ).status_code == 404
    assert client.post(f"{url}/submit", data={"csrf_token": csrf}).status_code == 404
    assert _case(session, case.id).status == "supplement"
    client.post("/logout", data={"csrf_token": csrf})
    # The applicant's online case: the applicant hands in the supplement, not a clerk.
    online = _in_supplement(session, applicants, window=False)
    csrf = login(client, "hrss_clerk")
    assert client.get(f"/cases/walk-in/supplement/{online.number}").status_code == 404
    assert f"/cases/walk-in/supplement/{online.number}" not in client.get(f"/cases/{online.number}").text
    r = client.post(f"/cases/walk-in/supplement/{online.number}/submit", data={"csrf_token": csrf})
    assert r.status_code == 404 and _case(session, online.id).status == "supplement"
    assert session.execute(select(ExchangeLogEntry)).scalars().all() == []


def test_the_window_supplement_through_the_api(client: TestClient, session: Session,
                                               applicants: World) -> None:  # noqa: F811
    case = _in_supplement(session, applicants, hows={"申请书": "upload", "申请人户籍信息": "fetch"})
    mats = _mats(session, case.id)
    client.headers["X-CSRF-Token"] = login(client, "hrss_clerk")
    early = client.post(f"/api/v1/cases/{case.id}/supplement")
    assert early.status_code == 422 and early.json()["code"] == "supplement_incomplete"
    assert early.json()["detail"]["materials"] == ["申请书", "申请人户籍信息"]
    up = client.post(f"/api/v1/cases/{case.id}/materials/{mats['申请书'].id}/file",
                     files={"file": ("申请书（已签名）.pdf", PDF, "application/pdf")})
    assert up.status_code == 200, up.text
    assert client.post(f"/api/v1/cases/{case.id}/supplement").json()["detail"]["materials"] == ["申请人户籍信息"]
    hukou = mats["申请人户籍信息"].id
    r = client.post(f"/api/v1/cases/{case.id}/materials/{hukou}/fetch", json={})
    assert r.status_code == 422 and r.json()["code"] == "applicant_consent_required"
    preview = client.post(f"/api/v1/cases/{case.id}/materials/{hukou}/fetch", json={"consent": True}).json()
    assert preview["available"], preview
    assert client.post(f"/api/v1/cases/{case.id}/materials/{hukou}/confirm",
                       json={"token": preview["token"]}).status_code == 200
    done = client.post(f"/api/v1/cases/{case.id}/supplement")
    assert done.status_code == 200 and done.json()["summary"]["status"] == "submitted", done.text


def test_a_fetch_line_must_be_fetched_or_uploaded_before_the_supplement_counts(session: Session,
                                                                              applicants: World) -> None:  # noqa: F811
    """The applicant's online 补正: the material was provided before the notice; the notice asks the platform to
    fetch it — handing in without a fetch (or an upload) since the notice is refused, saying what is missing."""
    case = _in_supplement(session, applicants, window=False)
    applicant = actor_of(applicants.a)
    with pytest.raises(ValidationFailed) as exc:
        service.supplement(session=session, actor=applicant, case_id=case.id)
    assert exc.value.code == "supplement_incomplete" and exc.value.detail["materials"] == ["申请人户籍信息"]
    assert "申请人户籍信息（调取并确认使用，或自行上传）" in exc.value.message
    session.rollback()
    hukou = _mats(session, case.id)["申请人户籍信息"]
    preview = applying.fetch_material(session, applicant, case.id, hukou.id)
    # Fetched but not confirmed: still missing.
    with pytest.raises(ValidationFailed):
        service.supplement(session=session, actor=applicant, case_id=case.id)
    session.rollback()
    applying.confirm_material(session=session, actor=applicant, case_id=case.id, material_id=hukou.id,
                              token=preview.token)
    # Confirmed, then dropped for an upload that never came: missing again.
    applying.switch_to_upload(session=session, actor=applicant, case_id=case.id, material_id=hukou.id)
    with pytest.raises(ValidationFailed):
        service.supplement(session=session, actor=applicant, case_id=case.id)
    session.rollback()
    preview = applying.fetch_material(session, applicant, case.id, hukou.id)
    applying.confirm_material(session=session, actor=applicant, case_id=case.id, material_id=hukou.id,
                              token=preview.token)
    service.supplement(session=session, actor=applicant, case_id=case.id)
    session.commit()
    assert _case(session, case.id).status == "submitted"
