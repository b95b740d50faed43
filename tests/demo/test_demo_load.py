"""`tongban demo` loads a realistic city that the platform itself accepts."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Role
from tongban.demo import loader
from tongban.identifiers import validate_resident_id, validate_uscc
from tongban.org.models import AppClient, Department, Region, User, UserRole


def test_demo_city_is_complete_and_valid(session: Session, client: TestClient) -> None:
    summary = loader.load(session)
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
    from tongban.exchange.models import Grant, SharingRequest

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
    from tongban.exchange.deadlines import is_overdue

    requests = session.execute(select(SharingRequest)).scalars().all()
    assert sum(is_overdue(r, clock.today()) for r in requests) >= 2

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
