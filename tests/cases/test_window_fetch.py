"""窗口收件 with fetched materials (issue 14 §1): the clerk fetches shared data for the walk-in applicant only after
ticking that the applicant agreed; the call is the platform system's with the APPLICANT as end user and the case
number as purpose (so it shows in their “谁用了我的数据”), the clerk is the actor of the audit record; the
applicant previews and confirms, or has the document uploaded instead; another department's clerk finds nothing."""

from __future__ import annotations

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
