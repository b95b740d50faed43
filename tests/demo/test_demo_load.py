"""`tongban demo` loads a realistic city that the platform itself accepts."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Role
from tongban.catalog.models import InformationResource
from tongban.demo import licence_loader, loader
from tongban.demo.loader import DemoSummary
from tongban.identifiers import validate_resident_id, validate_uscc
from tongban.org.models import AppClient, Department, Region, User, UserRole


def test_demo_city_is_complete_and_valid(demo: DemoSummary, session: Session, client: TestClient) -> None:
    summary = demo
    departments = session.execute(select(Department)).scalars().all()
    assert len(departments) >= 70
    for d in departments:
        assert validate_uscc(d.uscc) == d.uscc
    levels = {r.level for r in session.execute(select(Region)).scalars()}
    assert levels == {"province", "city", "county", "township"}
    roles = set(session.execute(select(UserRole.role)).scalars())
    assert roles == {r.value for r in Role}
    citizens = session.execute(select(User).where(User.kind == "citizen")).scalars().all()
    assert len(citizens) >= 10 and all(validate_resident_id(c.id_number or "") for c in citizens)
    enterprises = session.execute(select(User).where(User.kind == "enterprise")).scalars().all()
    assert len(enterprises) >= 5 and all(validate_uscc(e.credit_code or "") for e in enterprises)
    clients_per_dept = session.execute(select(AppClient.department_id, func.count()).group_by(
        AppClient.department_id)).all()
    assert len(clients_per_dept) == len(departments)
    assert audit.verify(session).ok

    # The catalog: at least 300 resources across the departments, all three sharing types, and
    # sharing requests in every state.
    from tongban.catalog.models import InformationResource
    from tongban.sharing.models import Grant, SharingRequest

    resources = session.execute(select(InformationResource)).scalars().all()
    assert len([r for r in resources if r.status == "published"]) >= 300
    assert {r.share_type for r in resources} == {"unconditional", "conditional", "none"}
    assert len({r.provider_id for r in resources}) >= 40
    assert any(r.status == "draft" for r in resources) and any(r.open_to_public for r in resources)
    states = set(session.execute(select(SharingRequest.status)).scalars())
    assert states >= {"submitted", "compliance_rejected", "pending_provider", "granted", "refused", "objected",
                      "refused_final", "withdrawn"}
    grant_states = set(session.execute(select(Grant.status)).scalars())
    assert grant_states == {"active", "suspended", "revoked"}
    from tongban import clock
    from tongban.sharing.deadlines import is_overdue

    requests = session.execute(select(SharingRequest)).scalars().all()
    assert sum(is_overdue(r, clock.today()) for r in requests) >= 2

    # Demo licences of every type, each verifiable by its QR link.
    assert len(summary.licences) == len(licence_loader.added_issues()) + 4  # the first four, then the added
    for identifier in summary.licences:
        assert client.get(f"/api/v1/verify/{identifier}").json()["outcome"] == "valid"

    # The printed demo key works against the API, and the demo logins work.
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {summary.demo_api_key}"})
    assert r.status_code == 200 and r.json()["kind"] == "client"
    page = client.get("/login")
    from tests.factories import csrf_from

    r = client.post("/login", data={"username": "admin", "password": loader.DEMO_PASSWORD,
                                    "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 303


def test_demo_refuses_a_non_empty_database(session: Session) -> None:
    loader.load(session, with_catalog=False)
    try:
        loader.load(session, with_catalog=False)
    except RuntimeError as exc:
        assert "空数据库" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("second load must be refused")


def test_demo_registers_answer_the_demo_key_and_show_uses_to_the_citizen(demo: DemoSummary, session: Session, client: TestClient) -> None:
    from urllib.parse import quote

    from tests.factories import login
    from tongban.demo import city
    from tongban.demo.loader import DEMO_PASSWORD

    summary = demo
    assert summary.registry_records >= 2000
    population = session.execute(select(InformationResource.code).where(
        InformationResource.name == "户籍人口基本信息")).scalar_one()
    person = city.CITIZENS[0]
    r = client.get(f"/api/v1/exchange/{population}/records/{person.resident_id}",
                   headers={"Authorization": f"Bearer {summary.demo_api_key}", "X-Purpose": quote("演示：核验身份")})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["name"].startswith(person.name[0]) and r.json()["data"]["name"] != person.name
    citizen = TestClient(client.app)
    login(citizen, person.resident_id, DEMO_PASSWORD)
    uses = citizen.get("/api/v1/exchange/my-data-uses").json()
    # The demo's own call above by the data bureau, and the market regulator's from the demo load.
    assert {u["department"] for u in uses["items"]} == {"安康市市场监督管理局", "安康市政务服务和数据管理局"}
    assert any(u["case_number"].startswith("QYKB") for u in uses["items"])
