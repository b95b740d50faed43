"""Dispute use-cases compose (tongban/transactions.py): none commits or rolls back inside itself, so a
caller that fails leaves no dispute, no JC number, no audit entry and no notice; one that succeeds commits
them once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.disputes.conftest import IDS
from tests.factories import actor_of
from tongban import clock
from tongban.audit.models import AuditEntry
from tongban.disputes import service
from tongban.disputes.models import DataDispute
from tongban.disputes.schemas import DisputeAnswer, DisputeCreate
from tongban.errors import Conflict
from tongban.jobs.models import Job
from tongban.notifications.models import NotificationMessage
from tongban.numbering import NumberCounter
from tongban.transactions import scope, use_case

D = dt.date


def _raise(session: Session, city, world: dict[str, Any], key: str = IDS[0]) -> DataDispute:  # type: ignore[no-untyped-def]
    return service.raise_dispute(session=session, actor=actor_of(city.users["amr_data"]), dispute_in=DisputeCreate(
        resource_id=world["resource"].id, record_key=key, items=["address"],
        description="该居民已迁入汉滨区江北街道，户籍地址仍为旧址。"))


def _counts(session: Session) -> dict[str, int]:
    def n(model: Any, *where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
    return {"disputes": n(DataDispute), "audit": n(AuditEntry, AuditEntry.object_type == "data_dispute"),
            "notices": n(NotificationMessage), "jobs": n(Job),
            "numbers": n(NumberCounter, NumberCounter.series == "data_dispute")}


def test_a_caller_that_fails_leaves_no_dispute_number_audit_or_notice(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    before = _counts(session)
    with clock.frozen(D(2026, 9, 1)):
        with pytest.raises(RuntimeError), scope(session):
            assert _raise(session, city, world).number == "JC202609010001"
            assert _counts(session)["notices"] > before["notices"]
            raise RuntimeError("the caller fails after the dispute was raised")
        assert _counts(session) == before
        assert _raise(session, city, world).number == "JC202609010001"  # the number was given back


def test_a_caller_that_succeeds_commits_raise_and_answer_once(session: Session, city, world, app) -> None:  # type: ignore[no-untyped-def]
    @use_case
    def raise_and_answer(*, session: Session) -> DataDispute:
        d = _raise(session, city, world)
        return service.answer(session=session, actor=actor_of(city.users["hrss_data"]), dispute_id=d.id,
                              answer_in=DisputeAnswer(decision="corrected", note="已核实并更正户籍地址。"))

    with clock.frozen(D(2026, 9, 1)):
        d = raise_and_answer(session=session)
    other = app.state.session_factory()
    try:
        seen = other.get(DataDispute, d.id)
        assert seen is not None and seen.status == "corrected"
        assert list(other.scalars(select(AuditEntry.action).where(AuditEntry.object_id == d.number)
                                  .order_by(AuditEntry.seq))) == ["dispute.raise", "dispute.correct"]
    finally:
        other.close()


def test_a_refused_inner_dispute_undoes_only_itself(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    @use_case
    def raise_twice(*, session: Session) -> None:
        _raise(session, city, world)
        with pytest.raises(Conflict):
            _raise(session, city, world)  # the same record and item: refused, the first stands

    with clock.frozen(D(2026, 9, 1)):
        raise_twice(session=session)
    assert [d.number for d in session.scalars(select(DataDispute))] == ["JC202609010001"]


def test_the_deadline_check_commits_with_its_caller_or_not_at_all(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 9, 1)):
        d = _raise(session, city, world)
    with clock.frozen(D(2026, 9, 30)):  # the answer is overdue
        with pytest.raises(RuntimeError), scope(session):
            assert [x.number for x in service.check_deadlines(session=session)] == [d.number]
            raise RuntimeError("the job fails after the sweep")
        session.refresh(d)
        assert d.overdue_flagged_at is None
        assert [x.number for x in service.check_deadlines(session=session)] == [d.number]
    session.refresh(d)
    assert d.overdue_flagged_at is not None
