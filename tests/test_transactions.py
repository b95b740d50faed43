"""The transaction rule (tongban/transactions.py): one transaction per use-case, composable as savepoints,
and no commit or rollback anywhere else."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import SmallCity
from tongban import jobs, transactions
from tongban.jobs.models import Job
from tongban.org.models import Region
from tongban.transactions import Why, scope, use_case

SRC = Path(__file__).resolve().parents[1] / "src" / "tongban"
# Where commit() and rollback() may be called: the transaction scope itself, and the request's session
# (db.end_request_session), which rolls back whatever a request left behind.
ALLOWED = {SRC / "transactions.py", SRC / "db.py"}
# Modules still being moved onto the transaction scope (issue 12 §1); this set only shrinks.
PENDING = {
}


def _calls(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [(node.lineno, node.func.attr) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback") and not node.args and not node.keywords]


def test_nothing_commits_or_rolls_back_outside_the_transaction_scope() -> None:
    offenders = [f"{path.relative_to(SRC)}:{line} {name}()"
                 for path in sorted(SRC.rglob("*.py"))
                 if path not in ALLOWED and str(path.relative_to(SRC)) not in PENDING
                 for line, name in _calls(path)]
    assert offenders == [], "commit/rollback outside tongban.transactions: " + ", ".join(offenders)


def _count(session: Session, code: str) -> int:
    return session.scalar(select(func.count()).select_from(Region).where(Region.code == code)) or 0


@use_case
def _add_region(*, session: Session, code: str, fail: bool = False) -> None:
    session.add(Region(code=code, name=f"测试区{code}", level="county"))
    session.flush()
    jobs.enqueue(session, "jobs.prune", dedupe_key=f"t-{code}")
    if fail:
        raise ValueError(code)


def _jobs(session: Session, code: str) -> int:
    return session.scalar(select(func.count()).select_from(Job).where(Job.dedupe_key == f"t-{code}")) or 0


def test_outer_use_case_commits_the_inner_ones_once(session: Session, city: SmallCity, app) -> None:  # type: ignore[no-untyped-def]
    @use_case
    def outer(*, session: Session) -> None:
        _add_region(session=session, code="990001")
        _add_region(session=session, code="990002")
        assert transactions.in_use_case(session)

    outer(session=session)
    other = app.state.session_factory()
    try:
        assert _count(other, "990001") == _count(other, "990002") == 1
        assert _jobs(other, "990001") == 1
    finally:
        other.close()


def test_a_failure_after_inner_use_cases_rolls_them_all_back(session: Session, city: SmallCity) -> None:
    @use_case
    def outer(*, session: Session) -> None:
        session.scalar(select(func.count()).select_from(Region))  # reads only, before the inner writes
        _add_region(session=session, code="990003")
        raise RuntimeError("the outer use-case fails after the inner one succeeded")

    with pytest.raises(RuntimeError):
        outer(session=session)
    assert _count(session, "990003") == 0
    assert _jobs(session, "990003") == 0, "a job enqueued by a rolled-back use-case must not exist"


def test_an_inner_failure_handled_by_the_caller_undoes_only_the_inner_part(session: Session, city: SmallCity) -> None:
    @use_case
    def outer(*, session: Session) -> None:
        _add_region(session=session, code="990004")
        with pytest.raises(ValueError):
            _add_region(session=session, code="990005", fail=True)

    outer(session=session)
    assert _count(session, "990004") == 1
    assert _count(session, "990005") == 0 and _jobs(session, "990005") == 0


def test_a_savepoint_that_is_the_first_write_does_not_commit_on_its_own(session: Session, city: SmallCity) -> None:
    """SQLite's driver begins a transaction only before a write: a SAVEPOINT issued first would start
    (and its RELEASE commit) a transaction of its own, escaping the outer rollback."""
    with pytest.raises(RuntimeError), scope(session):
        with scope(session):
            session.add(Region(code="990006", name="测试区990006", level="county"))
            session.flush()
        raise RuntimeError
    assert _count(session, "990006") == 0


def test_commit_apart_is_refused_inside_a_use_case(session: Session, city: SmallCity) -> None:
    with pytest.raises(RuntimeError, match="half of the use-case"), scope(session):
        transactions.commit_apart(session, Why.HOUSEKEEPING)


def test_separate_keeps_its_write_after_the_use_case_rolled_back(session: Session, city: SmallCity, app) -> None:  # type: ignore[no-untyped-def]
    """How a refusal is audited: the use-case fails and rolls back, the audit row is written apart."""
    with pytest.raises(RuntimeError), scope(session):
        _add_region(session=session, code="990007")
        raise RuntimeError
    with transactions.separate(app.state.session_factory, Why.REFUSAL_AUDIT) as other:
        other.add(Region(code="990008", name="测试区990008", level="county"))
    assert _count(session, "990007") == 0
    assert _count(session, "990008") == 1


def test_use_case_needs_a_session_parameter() -> None:
    with pytest.raises(TypeError):
        use_case(lambda x: x)  # type: ignore[arg-type]
