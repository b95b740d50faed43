"""Sharing use-cases compose (tongban/transactions.py): inside a caller's use-case they become part of it, so
a caller that fails leaves no request, no GX number, no audit entry and no notice behind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import actor_of, app_client, published_resource
from tongban import clock
from tongban.audit.models import AuditEntry
from tongban.errors import Conflict
from tongban.jobs.models import Job
from tongban.notifications.models import NotificationMessage
from tongban.numbering import NumberCounter
from tongban.sharing import service as sharing
from tongban.sharing.models import SharingRequest
from tongban.sharing.schemas import ComplianceDecision, RequestCreate
from tongban.transactions import scope, use_case

D = dt.date


@pytest.fixture
def setup(session: Session, city) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 9, 1)):
        resource = published_resource(session, city.users["hrss_data"])
    client = app_client(session, city.amr, code="amr-register")
    session.commit()
    return {"resource": resource, "client": client, "consumer": actor_of(city.users["amr_data"]),
            "platform": actor_of(city.users["admin"])}


def _submit(session: Session, s: dict[str, Any]) -> SharingRequest:
    return sharing.submit_request(session=session, actor=s["consumer"], request_in=RequestCreate(
        resource_id=s["resource"].id, client_id=s["client"].id, items=["id_number", "name"],
        purpose="企业开办登记时核验法定代表人身份", legal_basis="《市场主体登记管理条例》第十五条",
        scenario="企业开办一网通办", period_start=D(2026, 10, 1), period_end=D(2027, 9, 30)))


def _counts(session: Session) -> dict[str, int]:
    def n(model: Any, *where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
    return {"requests": n(SharingRequest), "audit": n(AuditEntry, AuditEntry.object_type == "sharing_request"),
            "notices": n(NotificationMessage), "jobs": n(Job),
            "numbers": n(NumberCounter, NumberCounter.series == "sharing_request")}


def test_a_caller_that_fails_leaves_no_request_number_audit_or_notice(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    before = _counts(session)
    with clock.frozen(D(2026, 9, 30)):
        with pytest.raises(RuntimeError), scope(session):
            req = _submit(session, setup)
            assert req.number == "GX202609300001"
            assert _counts(session)["notices"] > before["notices"]  # the provider's notice was queued …
            raise RuntimeError("the caller fails after the submission succeeded")
        assert _counts(session) == before  # … and went with the rest
        # The number was given back: the next request of the day gets the first one.
        assert _submit(session, setup).number == "GX202609300001"


def test_a_caller_that_succeeds_commits_its_sharing_steps_once(session: Session, setup, app) -> None:  # type: ignore[no-untyped-def]
    @use_case
    def submit_and_check(*, session: Session) -> SharingRequest:
        req = _submit(session, setup)
        return sharing.compliance_check(session=session, actor=setup["platform"], request_id=req.id,
                                        decision=ComplianceDecision(decision="pass"))

    with clock.frozen(D(2026, 9, 30)):
        req = submit_and_check(session=session)
    other = app.state.session_factory()
    try:
        seen = other.get(SharingRequest, req.id)
        assert seen is not None and seen.status == "pending_provider"
        assert list(other.scalars(select(AuditEntry.action).where(AuditEntry.object_id == req.number)
                                  .order_by(AuditEntry.seq))) == ["sharing.submit", "sharing.compliance_pass"]
    finally:
        other.close()


def test_a_refused_inner_submission_undoes_only_itself(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    @use_case
    def submit_twice(*, session: Session) -> None:
        _submit(session, setup)
        with pytest.raises(Conflict):
            _submit(session, setup)  # duplicate: refused, the first one stands

    with clock.frozen(D(2026, 9, 30)):
        submit_twice(session=session)
    assert [r.number for r in session.scalars(select(SharingRequest))] == ["GX202609300001"]


def test_the_deadline_sweep_commits_with_its_caller_or_not_at_all(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 9, 30)):
        req = _submit(session, setup)
    with clock.frozen(D(2026, 10, 20)):  # the compliance check is overdue
        with pytest.raises(RuntimeError), scope(session):
            assert [r.number for r in sharing.check_deadlines(session=session)] == [req.number]
            raise RuntimeError("the job fails after the sweep")
        session.refresh(req)
        assert req.overdue_flagged_at is None  # the flag went with the failed job: the next run flags it
        assert [r.number for r in sharing.check_deadlines(session=session)] == [req.number]
    session.refresh(req)
    assert req.overdue_flagged_at is not None
