"""Org use-cases on the transaction scope: they compose (nest as savepoints, commit once when outermost),
and the deliberate separate writes — refused logins, the refusal audit — survive a rolled-back use-case."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, actor_of, login
from tongban.audit.models import AuditEntry
from tongban.errors import Conflict, NotAuthenticated
from tongban.org import auth, service
from tongban.org.models import LoginAttempt, User
from tongban.org.schemas import StaffCreate
from tongban.transactions import scope


def _staff_in(city, username: str) -> StaffCreate:  # type: ignore[no-untyped-def]
    return StaffCreate(username=username, display_name="王五", password=PASSWORD, department_id=city.amr.id,
                       roles=["window_clerk"])


def _users(session: Session, username: str) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(User).where(User.username == username)) or 0


def _audits(session: Session, action: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)) or 0


def test_a_user_created_inside_a_failing_outer_use_case_leaves_no_user_and_no_audit(session: Session,  # type: ignore[no-untyped-def]
                                                                                   city) -> None:
    admin = actor_of(city.users["admin"])
    with pytest.raises(RuntimeError), scope(session):
        service.create_staff(session=session, actor=admin, user_in=_staff_in(city, "wang_wu"))
        service.unlock_user(session=session, actor=admin, user_id=city.users["amr_clerk"].id)
        raise RuntimeError("the outer use-case fails after both org use-cases succeeded")
    assert _users(session, "wang_wu") == 0
    assert _audits(session, "user.create") == 0 and _audits(session, "user.unlock") == 0


def test_an_outer_use_case_commits_the_org_use_cases_once(session: Session, city, app) -> None:  # type: ignore[no-untyped-def]
    admin = actor_of(city.users["admin"])
    with scope(session):
        service.create_staff(session=session, actor=admin, user_in=_staff_in(city, "wang_wu"))
        # A failure of an inner use-case that the caller handles undoes only that use-case.
        with pytest.raises(Conflict):
            service.create_staff(session=session, actor=admin, user_in=_staff_in(city, "wang_wu"))
        service.create_staff(session=session, actor=admin, user_in=_staff_in(city, "zhao_liu"))
    other = app.state.session_factory()
    try:
        assert _users(other, "wang_wu") == 1 and _users(other, "zhao_liu") == 1
        assert _audits(other, "user.create") == 2
    finally:
        other.close()


def test_a_refused_login_is_counted_although_the_login_fails(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotAuthenticated):
        auth.login(session, username="amr_clerk", password="wrong-password-1", client_ip="10.0.0.7")
    session.rollback()  # whatever the caller does next, the attempt stays (Why.LOGIN_THROTTLE)
    assert session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == "amr_clerk", LoginAttempt.succeeded.is_(False))) == 1
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "auth.login", AuditEntry.result == "failed")) == 1


def test_a_hidden_user_in_a_rolled_back_update_is_still_audited(client: TestClient, session: Session,  # type: ignore[no-untyped-def]
                                                                city) -> None:
    """The 404 for a user of another department is evidence: written apart after the use-case rolled back."""
    token = login(client, "hrss_admin")
    target = city.users["amr_clerk"]
    r = client.patch(f"/api/v1/users/{target.id}", json={"display_name": "改名"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 404 and "不在您可查看的部门范围内" in r.json()["message"]
    session.expire_all()
    assert session.get(User, target.id).display_name != "改名"  # type: ignore[union-attr]
    [entry] = session.execute(select(AuditEntry).where(AuditEntry.action == "access.denied")).scalars()
    assert (entry.object_type, entry.object_id, entry.result) == ("user", str(target.id), "denied")
    assert entry.department_id == city.hrss.id
