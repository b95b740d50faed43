"""The job runner on the transaction scope: a handler is one use-case with its "done" state, the
use-cases it calls nest in it, and the runner's own bookkeeping commits apart (Why.JOB_RUNNER)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.jobs import sample_tasks  # noqa: F401  (registers the test jobs)
from tests.jobs.test_runner import effects, job_row
from tongban.audit.models import AuditEntry
from tongban.authz import SYSTEM
from tongban.db import make_session_factory
from tongban.jobs import enqueue, run_pending
from tongban.jobs.models import DONE, FAILED, RUNNING, Job, JobRun
from tongban.jobs.service import retry_job
from tongban.org.models import Region
from tongban.transactions import scope


def _regions(session: Session, code: str) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Region).where(Region.code == code)) or 0


def _audits(session: Session, action: str, object_id: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_id == object_id)) or 0


def _outcomes(session: Session, name: str) -> list[str]:
    return list(session.execute(select(JobRun.outcome).where(JobRun.name == name).order_by(JobRun.id)).scalars())


def test_a_job_commits_the_use_cases_it_calls_once_with_its_done_state(engine: Engine, session: Session) -> None:
    enqueue(session, "tests.region", {"code": "980001"})
    session.commit()
    assert run_pending(make_session_factory(engine)) == 1
    assert _regions(session, "980001") == 1 and _audits(session, "region.create", "980001") == 1
    assert job_row(session, "tests.region").status == DONE and _outcomes(session, "tests.region") == ["succeeded"]


def test_a_job_failing_after_a_use_case_rolls_it_back_and_is_recorded_failed(engine: Engine,
                                                                              session: Session) -> None:
    enqueue(session, "tests.region", {"code": "980002", "fail": True})
    session.commit()
    run_pending(make_session_factory(engine))
    assert _regions(session, "980002") == 0
    assert _audits(session, "region.create", "980002") == 0  # the use-case's audit row went with it
    row = job_row(session, "tests.region")
    assert row.status == FAILED and "用例之后的步骤失败" in (row.last_error or "")  # written apart
    assert _outcomes(session, "tests.region") == ["failed"]


def test_an_inner_use_case_failure_handled_by_the_job_undoes_only_that_part(engine: Engine,
                                                                            session: Session) -> None:
    enqueue(session, "tests.region", {"code": "980003", "again": True})
    session.commit()
    run_pending(make_session_factory(engine))
    assert _regions(session, "980003") == 1 and _audits(session, "region.create", "980003") == 1
    assert effects(session, "conflict-980003") == 1
    assert job_row(session, "tests.region").status == DONE


def test_an_attempt_that_lost_its_claim_commits_nothing(engine: Engine, session: Session) -> None:
    enqueue(session, "tests.steal", {"key": "stolen"})
    session.commit()
    run_pending(make_session_factory(engine))
    assert effects(session, "stolen") == 0
    row = job_row(session, "tests.steal")
    assert (row.status, row.locked_by) == (RUNNING, "thief:1")  # the attempt that took it over decides
    assert _outcomes(session, "tests.steal") == ["running"]


def test_retry_inside_a_failing_outer_use_case_leaves_the_job_failed_and_unaudited(engine: Engine,
                                                                                  session: Session) -> None:
    enqueue(session, "tests.fail", {"key": "r"})
    session.commit()
    factory = make_session_factory(engine)
    for _ in range(3):
        run_pending(factory, now=job_row(session, "tests.fail").run_at)
    job_id = job_row(session, "tests.fail").id
    assert job_row(session, "tests.fail").status == FAILED

    with pytest.raises(RuntimeError), scope(session):
        retry_job(session=session, actor=SYSTEM, job_id=job_id)
        raise RuntimeError("the outer use-case fails")
    assert job_row(session, "tests.fail").status == FAILED and _audits(session, "job.retry", str(job_id)) == 0

    with scope(session):
        retry_job(session=session, actor=SYSTEM, job_id=job_id)
    other = factory()
    try:
        assert other.get(Job, job_id).status == "queued"  # type: ignore[union-attr]
        assert _audits(other, "job.retry", str(job_id)) == 1
    finally:
        other.close()
