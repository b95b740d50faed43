"""Licence use-cases compose (issue 12 §1): issuing, expiry and audited reads inside a caller's use-case
commit with it or leave nothing behind — no licence, no serial taken, no audit entry, no library record."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import actor_of
from tests.licences.conftest import LicenceWorld
from tongban import clock, numbering
from tongban.audit.models import AuditEntry
from tongban.authz import SYSTEM
from tongban.config import get_settings
from tongban.errors import ValidationFailed
from tongban.jobs.models import Job
from tongban.licences import issuing, queries
from tongban.licences.models import Licence, LicenceEvent, LicenceVersion
from tongban.registries.models import RegistryRecord
from tongban.transactions import scope


class Boom(RuntimeError):
    """The caller's use-case fails after the licence use-case succeeded."""


@pytest.fixture
def other(app) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    """A second session: sees only what was committed."""
    session = app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def _count(session: Session, model: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def _audit(session: Session, action: str) -> int:
    return _count(session, AuditEntry, AuditEntry.action == action)


def _counter(session: Session, world: LicenceWorld) -> int:
    """The last licence serial taken today for the world's issuer and type (0: none)."""
    key = f"{numbering.LICENCE_SERIAL.name}:{numbering.licence_scope(world.city.amr.id, world.licence_type.id)}"
    row = session.get(numbering.NumberCounter, (key, f"{clock.today():%Y%m%d}"))
    return row.last if row is not None else 0


def _stored_files() -> set[Path]:
    return {p for p in Path(get_settings().files_dir).rglob("*") if p.is_file() and not p.name.startswith(".")}


def test_issuing_inside_a_failing_use_case_leaves_nothing_and_takes_no_serial(
        session: Session, world: LicenceWorld, other: Session) -> None:
    files_before = _stored_files()
    records_before = _count(other, RegistryRecord)
    jobs_before = _count(other, Job)
    with pytest.raises(Boom), scope(session):
        licence = world.issue(session)
        assert licence.serial.endswith("0001")
        raise Boom
    for s in (session, other):
        assert _count(s, Licence) == _count(s, LicenceVersion) == _count(s, LicenceEvent) == 0
        assert _audit(s, "licence.issue") == _audit(s, "seal.use") == 0
        assert _counter(s, world) == 0, "a rolled-back issue gives its serial back"
        assert _count(s, RegistryRecord) == records_before  # no 电子证照库 record
        assert _count(s, Job) == jobs_before  # nothing queued
    # The signed PDF was written to the file store before the rows: it stays, referenced by no row
    # (content-addressed and served only through a licence version, so harmless; see files.py).
    assert len(_stored_files() - files_before) == 1

    # Numbering is gapless: the next licence issued today gets the serial the rolled-back one had.
    assert world.issue(session).serial == licence.serial
    assert _count(other, Licence) == 1 and _counter(other, world) == 1


def test_two_issues_in_one_use_case_commit_together(session: Session, world: LicenceWorld, other: Session) -> None:
    with scope(session):
        first = world.issue(session)
        second = world.issue(session, holder_name="安康汉水二号科技有限公司")
    assert (first.serial[-4:], second.serial[-4:]) == ("0001", "0002")
    assert {r.identifier for r in other.execute(select(Licence)).scalars()} == {first.identifier, second.identifier}
    assert _count(other, LicenceVersion) == 2 and _audit(other, "licence.issue") == 2
    assert _counter(other, world) == 2


def test_a_failed_issue_handled_by_the_caller_undoes_only_itself(
        session: Session, world: LicenceWorld, other: Session) -> None:
    with scope(session):
        kept = world.issue(session)
        with pytest.raises(ValidationFailed) as refused:
            # Refused after its serial was taken: the content does not fit on the page (the renderer
            # runs after the serial and the licence row are written).
            world.issue(session, data=_long_data())
        assert refused.value.code == "licence_content_too_long"
    assert [r.identifier for r in other.execute(select(Licence)).scalars()] == [kept.identifier]
    assert _counter(other, world) == 1, "the failed issue's serial was given back with its savepoint"
    assert _audit(other, "licence.issue") == 1


def _long_data() -> dict[str, str]:
    """Every item at its longest: the licence no longer fits on its page (licence_content_too_long)."""
    return {"entity_type": "有" * 500, "legal_representative": "王" * 500, "registered_capital": "伍" * 500,
            "established_on": "2021-03-15", "address": "陕" * 500, "business_scope": "软" * 500}


def test_expiry_inside_a_failing_use_case_changes_nothing(
        session: Session, world: LicenceWorld, other: Session) -> None:
    licence = world.issue(session, valid_from="2020-01-01", valid_to="2020-12-31")
    with pytest.raises(Boom), scope(session):  # as the job runner runs the job: inside its scope
        assert issuing.expire_due(session=session, actor=SYSTEM) == 1
        raise Boom
    other.expire_all()
    assert other.get(Licence, licence.id).status == "valid"  # type: ignore[union-attr]
    assert _audit(other, "licence.expire") == 0

    with scope(session):
        assert issuing.expire_due(session=session, actor=SYSTEM) == 1
    other.expire_all()
    assert other.get(Licence, licence.id).status == "expired"  # type: ignore[union-attr]
    assert _count(other, LicenceEvent, LicenceEvent.action == "expire") == 1


def test_an_audited_read_commits_its_audit_entry_with_the_read_only(
        session: Session, world: LicenceWorld, other: Session) -> None:
    """Reading a licence (personal data) records who read it: on its own the entry commits; inside a
    use-case that fails, the read and its entry go together."""
    licence = world.issue(session)
    reviewer = actor_of(world.city.users["amr_reviewer"])
    queries.read_licence(session=session, actor=reviewer, licence_id=licence.id)
    assert _audit(other, "licence.read") == 1
    with pytest.raises(Boom), scope(session):
        queries.read_licence(session=session, actor=reviewer, licence_id=licence.id)
        queries.pdf_of(session=session, actor=reviewer, licence_id=licence.id)
        raise Boom
    assert _audit(other, "licence.read") == 1 and _audit(other, "licence.download") == 0
    queries.pdf_of(session=session, actor=reviewer, licence_id=licence.id)
    assert _audit(other, "licence.download") == 1
