"""The home page (首页) reads columns and one statement per domain's figures (issue 16): what it shows must be
what the plain per-figure counts say, for each user and nobody else."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tests.factories import actor_of, card_reads, home_of, on_own_loop
from tongban.clock import today
from tongban.demo.loader import DemoSummary
from tongban.org import queries
from tongban.org.models import User
from tongban.sharing.home import workload


def _user(session: Session, username: str) -> User:
    return session.execute(select(User).where(User.username == username)).scalar_one()


def _plain(session: Session, where: str, **params: object) -> int:
    return int(session.execute(text(f"SELECT count(*) FROM sharing_requests WHERE {where}"),
                               {"today": today(), **params}).scalar_one())


def _own_actions(session: Session, user: User) -> list[str]:
    return list(session.execute(text("SELECT action FROM audit_log WHERE actor_kind = :k AND actor_id = :i "
                                     "ORDER BY occurred_at DESC, seq DESC LIMIT 8"), {"k": user.kind, "i": str(user.id)}).scalars())


def test_sharing_figures_in_one_statement_equal_the_plain_counts(demo: DemoSummary, session: Session) -> None:
    # An overdue request of each kind, so that the overdue figures are not all zero.
    session.execute(text("UPDATE sharing_requests SET due_on = :d WHERE status IN ('submitted', 'pending_provider')"),
                    {"d": dt.date(2020, 1, 6)})
    session.commit()
    reads = card_reads(session)
    admin = on_own_loop(lambda: workload(reads, actor_of(_user(session, "admin"))))
    assert admin["compliance"] == _plain(session, "status = 'submitted'")
    assert admin["disputes"] == _plain(session, "status = 'objected'")
    assert admin["platform_overdue"] == _plain(session, "status IN ('submitted', 'objected') AND due_on < :today")
    assert admin["provider_overdue_all"] == _plain(session, "status = 'pending_provider' AND due_on < :today")
    assert admin["provider_overdue_all"] > 0
    seen = 0
    for username in ("psb_data", "hrss_data", "amr_data", "dsj_data"):
        officer = _user(session, username)
        figures = on_own_loop(lambda: workload(reads, actor_of(officer)))
        dept = officer.department_id
        expected = {
            "to_answer": _plain(session, "provider_id = :d AND status = 'pending_provider'", d=dept),
            "to_answer_overdue": _plain(session, "provider_id = :d AND status = 'pending_provider' "
                                                 "AND due_on < :today", d=dept),
            "waiting": _plain(session, "consumer_id = :d AND status IN ('submitted', 'pending_provider', "
                                       "'objected')", d=dept),
            "refused_objectable": _plain(session, "consumer_id = :d AND status = 'refused'", d=dept),
        }
        assert {k: figures.get(k) for k in expected} == expected, username
        assert "compliance" not in figures
        seen += sum(expected.values())
    assert seen > 0


def test_home_shows_each_person_their_own_account_department_and_actions(demo: DemoSummary,
                                                                         session: Session) -> None:
    officer = _user(session, "dsj_data")
    view = home_of(session, actor_of(officer))
    assert view.department is not None and view.department.id == officer.department_id
    assert view.department.name == officer.department.name
    assert view.user is not None and view.user.last_login_at == officer.last_login_at
    assert [r.action for r in view.recent] == _own_actions(session, officer) != []
    citizen = session.execute(select(User).where(User.kind == "citizen")).scalars().first()
    assert citizen is not None
    mine = home_of(session, actor_of(citizen))
    assert mine.department is None and mine.user is not None and mine.user.id_number == citizen.id_number
    assert [r.action for r in mine.recent] == _own_actions(session, citizen)


def test_recent_actions_are_read_along_the_actor_index_not_sorted(session: Session) -> None:
    """An officer's audit entries grow without end (every read of personal data): the home page's eight most recent
    must come from the index (actor_kind, actor_id, occurred_at), not from sorting all of them (SQLite's plan)."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the plan checked is SQLite's")
    plan = " ".join(str(r[-1]) for r in session.execute(text("EXPLAIN QUERY PLAN " + queries._RECENT),
                                                        {"kind": "staff", "id": "1"}))
    assert "ix_audit_log_actor" in plan and "TEMP B-TREE" not in plan, plan
