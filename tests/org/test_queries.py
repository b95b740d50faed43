"""The org pages' read models, called directly: what each actor sees and which forms it is offered."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import actor_of, app_client, home_of
from tongban.audit.models import AuditEntry
from tongban.db import utcnow
from tongban.errors import Forbidden, NotFound
from tongban.org import queries
from tongban.org.models import AppClient, User


def test_users_home_is_scoped_to_the_readers_department(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    clerk = queries.users_home(session, actor_of(city.users["hrss_clerk"]))
    names = {u.username for u in clerk.users}
    assert "hrss_admin" in names and "amr_admin" not in names
    assert [d.id for d in clerk.departments] == [city.hrss.id] and not clerk.can_manage
    admin = queries.users_home(session, actor_of(city.users["admin"]))
    assert {"hrss_admin", "amr_admin"} <= {u.username for u in admin.users} and admin.can_manage
    assert len(admin.departments) == 3
    with pytest.raises(Forbidden):
        queries.users_home(session, actor_of(city.users["hrss_clerk"]), department_id=city.amr.id)


def test_user_detail_hides_other_departments_and_flags_management(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    hrss_admin = actor_of(city.users["hrss_admin"])
    own = queries.user_detail(session, hrss_admin, city.users["hrss_clerk"].id)
    assert own.can_manage and [d.id for d in own.departments] == [city.hrss.id]
    # A department admin grants only the department roles.
    assert "platform_admin" not in {value for value, _ in own.roles}
    with pytest.raises(NotFound):
        queries.user_detail(session, hrss_admin, city.users["amr_clerk"].id)
    seen_by_clerk = queries.user_detail(session, actor_of(city.users["hrss_clerk"]), city.users["hrss_admin"].id)
    assert not seen_by_clerk.can_manage and seen_by_clerk.departments == []
    platform = queries.user_new(session, actor_of(city.users["admin"]))
    assert "platform_admin" in {value for value, _ in platform.roles} and len(platform.departments) == 3
    with pytest.raises(Forbidden):
        queries.user_new(session, actor_of(city.users["hrss_clerk"]))


def test_accounts_open_only_with_a_purpose_and_audit_the_read(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    admin = actor_of(city.users["admin"])
    closed = queries.accounts(session, admin)
    assert closed.rows is None and closed.error is None
    refused = queries.accounts(session, admin, purpose="x")
    assert refused.rows is None and refused.error and "用途" in refused.error
    opened = queries.accounts(session, admin, purpose="处理注册投诉")
    rid = city.users["citizen"].id_number
    assert opened.rows and opened.rows[0].id_number == rid[:6] + "********" + rid[14:]
    entries = session.execute(select(AuditEntry).where(AuditEntry.action == "account.read")).scalars().all()
    assert [e.purpose for e in entries] == ["处理注册投诉"]
    with pytest.raises(Forbidden):
        queries.accounts(session, actor_of(city.users["amr_clerk"]), purpose="处理注册投诉")


def test_departments_and_department_forms(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    clerk = actor_of(city.users["amr_clerk"])
    directory = queries.departments_home(session, clerk)
    assert directory.total == 3 and not directory.can_manage
    detail = queries.department_detail(session, clerk, city.hrss.id)
    assert detail.dept is not None and detail.dept.id == city.hrss.id and not detail.can_manage
    assert all(r.level != "township" for r in detail.regions)
    with pytest.raises(Forbidden):
        queries.department_new(session, clerk)
    new = queries.department_new(session, actor_of(city.users["admin"]))
    assert new.dept is None and new.can_manage


def test_clients_home_shows_one_departments_clients(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    amr_client = app_client(session, city.amr)
    hrss_client = app_client(session, city.hrss)
    session.commit()
    amr_admin = queries.clients_home(session, actor_of(city.users["amr_admin"]))
    assert [c.id for c in amr_admin.clients] == [amr_client.id] and amr_admin.can_manage
    assert amr_admin.department_id == city.amr.id
    admin = queries.clients_home(session, actor_of(city.users["admin"]), department_id=city.hrss.id)
    assert [c.id for c in admin.clients] == [hrss_client.id]
    with pytest.raises(Forbidden):
        queries.clients_home(session, actor_of(city.users["amr_admin"]), department_id=city.hrss.id)


def test_home_gathers_registered_cards_and_own_recent_actions(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    session.commit()
    admin = home_of(session, actor_of(city.users["admin"]))
    labels = {c["label"] for c in admin.cards}
    assert {"部门", "工作人员", "应用系统"} <= labels
    assert any(href == "/admin/users" for _, href, _ in admin.shortcuts)
    assert admin.department is not None and admin.department.id == city.data_bureau.id
    clerk = home_of(session, actor_of(city.users["hrss_clerk"]))
    assert "工作人员" not in {c["label"] for c in clerk.cards}
    citizen = home_of(session, actor_of(city.users["citizen"]))
    assert citizen.user is not None and citizen.department is None
    # A department administrator's figures are read on the event loop: the department's own, as the ORM counts them.
    amr_admin = city.users["amr_admin"]
    city.users["amr_clerk"].locked_until = utcnow() + dt.timedelta(hours=1)  # compared with the time as text on SQLite
    session.commit()
    figures = {c["label"]: c["value"] for c in home_of(session, actor_of(amr_admin)).cards}
    assert figures["本部门工作人员"] == session.query(User).filter(User.department_id == amr_admin.department_id).count()
    assert figures["本部门应用系统"] == session.query(AppClient).filter(
        AppClient.department_id == amr_admin.department_id).count()
    assert figures["被锁定的账号"] == 1
