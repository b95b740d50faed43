"""The audit page's read model, called directly: whose entries each actor finds, and how typed times are read."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tests.factories import actor_of
from tongban.audit import queries
from tongban.audit import service as audit
from tongban.errors import Forbidden
from tongban.transactions import scope


def _entries(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    with scope(session):
        for user, code in (("amr_admin", "amr-a"), ("hrss_admin", "hrss-a")):
            audit.record(session, actor=actor_of(city.users[user]), action="client.create",
                         object_type="app_client", object_id=code, detail={"code": code})


def test_each_actor_finds_the_entries_of_their_scope(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _entries(session, city)
    query = queries.AuditQuery(action="client.create")
    admin = queries.audit_search(session, actor_of(city.users["admin"]), query)
    amr = queries.audit_search(session, actor_of(city.users["amr_admin"]), query)
    assert admin.total == 2 and sorted(e.object_id for e in admin.rows) == ["amr-a", "hrss-a"]
    assert amr.total == 1 and [e.object_id for e in amr.rows] == ["amr-a"]
    assert amr.q["action"] == "client.create" and amr.actions["client.create"] and amr.error is None
    assert set(amr.object_names) == {("app_client", "amr-a")}
    with pytest.raises(Forbidden):
        queries.audit_search(session, actor_of(city.users["amr_clerk"]), query)


def test_times_are_beijing_time_and_a_bad_one_is_named(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _entries(session, city)
    admin = actor_of(city.users["admin"])
    later = queries.audit_search(session, admin, queries.AuditQuery(action="client.create", since="2099-01-01"))
    assert later.total == 0 and later.error is None
    bad = queries.audit_search(session, admin, queries.AuditQuery(action="client.create", since="昨天"))
    # The bound that cannot be read is left out (and named), the rest of the search still runs.
    assert bad.total == 2 and bad.error is not None and "昨天" in bad.error
    assert queries.audit_search(session, admin, queries.AuditQuery(), page=0).page == 1
    assert queries.naive_utc(dt.datetime(2026, 1, 31, 8, 0)) == dt.datetime(2026, 1, 31, 0, 0)
