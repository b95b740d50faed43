"""Each decision on a sharing request belongs to one role (issue 11, item 8).

The requesting department's data officers ask, object and withdraw; the providing department's data
officers answer; the platform (数据局) checks compliance and coordinates objections. The platform admin
sees every request but never answers or withdraws in a department's place — refused by the API and the
page alike, and the page shows no button the actor cannot use. Every decision × every role, both ways.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of, app_client, login, published_resource, staff
from tongban import clock
from tongban.sharing import service as sharing
from tongban.sharing.models import Grant, SharingRequest
from tongban.sharing.schemas import ComplianceDecision, Objection, ProviderDecision, RequestCreate

ROLES = ("admin", "supervisor", "amr_data", "amr_admin", "amr_clerk", "hrss_data", "hrss_admin", "hrss_clerk")

# decision: (state the request must be in, the form/API action, API body, page form, who may take it,
#            the state it leaves the request in)
DECISIONS: dict[str, tuple[str, str, dict[str, object], dict[str, object], set[str], str]] = {
    "compliance": ("submitted", "compliance", {"decision": "pass"}, {"decision": "pass"}, {"admin"},
                   "pending_provider"),
    "approve": ("pending_provider", "decision", {"decision": "approve"},
                {"decision": "approve", "approved_items": ["id_number", "name", "address"]}, {"hrss_data", "hrss_admin"}, "granted"),
    "refuse": ("pending_provider", "decision", {"decision": "refuse", "note": "超出最小必要范围，不予共享"},
               {"decision": "refuse", "note": "超出最小必要范围，不予共享"}, {"hrss_data", "hrss_admin"}, "refused"),
    "objection": ("refused", "objection", {"text": "审批表单必填内容，按条例不应重复向群众收集"},
                  {"note": "审批表单必填内容，按条例不应重复向群众收集"}, {"amr_data", "amr_admin"}, "objected"),
    "coordination": ("objected", "coordination", {"decision": "uphold", "note": "经协调核实，维持提供部门意见"},
                     {"decision": "uphold", "note": "经协调核实，维持提供部门意见"}, {"admin"}, "refused_final"),
    "withdraw": ("pending_provider", "withdraw", {}, {}, {"amr_data", "amr_admin"}, "withdrawn"),
}

# What each decision's form posts to: the page shows it only to those who may take the decision.
FORM_OF = {"compliance": "compliance", "approve": "decision", "refuse": "decision", "objection": "objection",
           "coordination": "coordination", "withdraw": "withdraw"}


def _request_in(session: Session, city: SmallCity, resource_id: int, state: str) -> SharingRequest:
    """A request of 市场监管局 for 人社局's personal data, brought to `state` by the right roles."""
    client = app_client(session, city.amr)  # one system per request: no duplicate-request conflict
    session.commit()
    today = clock.today()
    req = sharing.submit_request(session=session, actor=actor_of(city.users["amr_data"]), request_in=RequestCreate(
        resource_id=resource_id, client_id=client.id, items=["id_number", "name", "address"],
        purpose="企业开办登记时核验法定代表人身份", legal_basis="《市场主体登记管理条例》第十五条",
        scenario="企业开办一网通办", period_start=today, period_end=today + dt.timedelta(days=180)))
    steps: list[Callable[[], object]] = [
        lambda: sharing.compliance_check(session=session, actor=actor_of(city.users["admin"]), request_id=req.id,
                                         decision=ComplianceDecision(decision="pass")),
        lambda: sharing.provider_decide(session=session, actor=actor_of(city.users["hrss_data"]), request_id=req.id,
                                        decision=ProviderDecision(decision="refuse", note="超出最小必要范围，不予共享")),
        lambda: sharing.object_to_refusal(session=session, actor=actor_of(city.users["amr_data"]), request_id=req.id,
                                          objection=Objection(text="审批表单必填内容，按条例不应重复向群众收集")),
    ]
    for step in steps[:["submitted", "pending_provider", "refused", "objected"].index(state)]:
        step()
    assert req.status == state
    return req


@pytest.fixture
def staff_clients(client: TestClient, city: SmallCity) -> dict[str, tuple[TestClient, str]]:
    out = {}
    for role in ROLES:
        c = TestClient(client.app)
        out[role] = (c, login(c, role))
    return out


@pytest.fixture
def resource_id(session: Session, city: SmallCity) -> int:
    return int(published_resource(session, city.users["hrss_data"]).id)  # 有条件共享, personal items included


@pytest.mark.parametrize("decision", list(DECISIONS))
def test_each_decision_by_api_only_for_its_role(decision: str, session: Session, city: SmallCity,
                                                staff_clients: dict[str, tuple[TestClient, str]],
                                                resource_id: int) -> None:
    state, action, body, _, allowed, after = DECISIONS[decision]
    for role in ROLES:
        req = _request_in(session, city, resource_id, state)
        web, csrf = staff_clients[role]
        r = web.post(f"/api/v1/sharing/requests/{req.id}/{action}", json=body, headers={"X-CSRF-Token": csrf})
        session.expire_all()
        if role in allowed:
            assert r.status_code == 200, (role, r.text)
            assert r.json()["status"] == after
        else:
            # Refused: 403 to those who see the request, 404 to those it does not concern; nothing changed.
            assert r.status_code in (403, 404), (role, r.status_code, r.text)
            assert session.get(SharingRequest, req.id).status == state, role  # type: ignore[union-attr]


@pytest.mark.parametrize("decision", list(DECISIONS))
def test_each_decision_on_the_page_only_for_its_role(decision: str, session: Session, city: SmallCity,
                                                     staff_clients: dict[str, tuple[TestClient, str]],
                                                     resource_id: int) -> None:
    state, action, _, form, allowed, after = DECISIONS[decision]
    for role in ROLES:
        req = _request_in(session, city, resource_id, state)
        web, csrf = staff_clients[role]
        page = web.get(f"/sharing/requests/{req.id}")
        form_action = f'action="/sharing/requests/{req.id}/{FORM_OF[decision]}"'
        if page.status_code == 200:
            assert (form_action in page.text) == (role in allowed), (role, decision)
        else:
            assert page.status_code == 404 and role not in allowed, role
        r = web.post(f"/sharing/requests/{req.id}/{action}", data={**form, "csrf_token": csrf},
                     follow_redirects=False)
        session.expire_all()
        if role in allowed:
            assert r.status_code == 303, (role, r.text)
            assert session.get(SharingRequest, req.id).status == after  # type: ignore[union-attr]
        else:
            assert r.status_code in (403, 404), (role, r.status_code)
            assert session.get(SharingRequest, req.id).status == state, role  # type: ignore[union-attr]


def test_platform_admin_sees_other_departments_requests_without_their_buttons(
        session: Session, city: SmallCity, staff_clients: dict[str, tuple[TestClient, str]],
        resource_id: int) -> None:
    """The reported case: 同意共享 and 撤回申请 were shown to, and worked for, the platform admin."""
    req = _request_in(session, city, resource_id, "pending_provider")
    web, csrf = staff_clients["admin"]
    page = web.get(f"/sharing/requests/{req.id}")
    assert page.status_code == 200 and req.number in page.text
    assert "同意共享" not in page.text and "撤回申请" not in page.text and "不予共享" not in page.text
    r = web.post(f"/api/v1/sharing/requests/{req.id}/decision", json={"decision": "approve"},
                 headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["code"] == "not_provider"
    r = web.post(f"/api/v1/sharing/requests/{req.id}/withdraw", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["code"] == "not_consumer"


def test_platform_admin_who_is_also_a_data_officer_answers_for_their_own_department_only(
        session: Session, city: SmallCity, client: TestClient) -> None:
    """Roles add up: a second role in one's own department acts there, and only there."""
    staff(session, "dsj_both", city.data_bureau, "platform_admin", "data_officer")
    own = published_resource(session, staff(session, "dsj_data", city.data_bureau, "data_officer"),
                             name="平台运营统计")
    session.commit()
    web = TestClient(client.app)
    csrf = login(web, "dsj_both")
    theirs = _request_in(session, city, int(published_resource(session, city.users["hrss_data"],
                                                              name="社保参保信息").id), "pending_provider")
    mine = _request_in(session, city, int(own.id), "pending_provider")
    assert web.post(f"/api/v1/sharing/requests/{theirs.id}/decision", json={"decision": "approve"},
                    headers={"X-CSRF-Token": csrf}).status_code == 403
    r = web.post(f"/api/v1/sharing/requests/{mine.id}/decision", json={"decision": "approve"},
                 headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["status"] == "granted"


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_grant_control_by_provider_and_platform_never_by_the_consumer(
        action: str, session: Session, city: SmallCity, staff_clients: dict[str, tuple[TestClient, str]],
        resource_id: int) -> None:
    """Suspending and revoking are the provider's, and the platform's as supervisor of use (docs)."""
    allowed = {"admin", "hrss_data", "hrss_admin"}
    for role in ROLES:
        req = _request_in(session, city, resource_id, "pending_provider")
        sharing.provider_decide(session=session, actor=actor_of(city.users["hrss_data"]), request_id=req.id,
                                decision=ProviderDecision(decision="approve"))
        grant = sharing.grant_for(session, req.id)
        assert grant is not None
        web, csrf = staff_clients[role]
        page = web.get(f"/sharing/grants/{grant.id}")
        if page.status_code == 200:
            assert (f'action="/sharing/grants/{grant.id}/{action}"' in page.text) == (role in allowed), role
        r = web.post(f"/api/v1/sharing/grants/{grant.id}/{action}", json={"reason": "调用量异常，暂停核查"},
                     headers={"X-CSRF-Token": csrf})
        session.expire_all()
        status = session.get(Grant, grant.id).status  # type: ignore[union-attr]
        if role in allowed:
            assert r.status_code == 200, (role, r.text)
            assert status != "active"
        else:
            assert r.status_code in (403, 404), (role, r.status_code)
            assert status == "active"
