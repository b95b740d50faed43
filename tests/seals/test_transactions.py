"""Seal use-cases compose (issue 12 §1): making a seal inside a caller's use-case that fails leaves no
seal, no key pair, no CA and no audit entry; inside one that succeeds they commit with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of
from tongban.audit.models import AuditEntry
from tongban.crypto.models import CaCertificate, StoredKey
from tongban.seals import service as seals
from tongban.seals.models import Seal
from tongban.transactions import scope


class Boom(RuntimeError):
    """The caller's use-case fails after the seal use-cases succeeded."""


@pytest.fixture
def other(app) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    session = app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _audit(session: Session, action: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)) or 0


def test_a_seal_made_inside_a_failing_use_case_leaves_nothing(session: Session, city: SmallCity,
                                                              other: Session) -> None:
    admin = actor_of(city.users["admin"])
    with pytest.raises(Boom), scope(session):
        seal = seals.create_seal(session=session, actor=admin,
                                 seal_in=seals.SealCreate(department_id=city.amr.id, kind="approval"))
        seals.change_status(session=session, actor=admin, seal_id=seal.id, action="suspend", reason="试用")
        raise Boom
    for s in (session, other):
        # The first seal also creates the platform's CA (roots, issuing CAs and their keys): gone too.
        assert _count(s, Seal) == _count(s, StoredKey) == _count(s, CaCertificate) == 0
        assert _audit(s, "seal.create") == _audit(s, "seal.suspend") == 0


def test_seals_made_inside_one_use_case_commit_together(session: Session, city: SmallCity, other: Session) -> None:
    admin = actor_of(city.users["admin"])
    with scope(session):
        first = seals.create_seal(session=session, actor=admin,
                                  seal_in=seals.SealCreate(department_id=city.amr.id, kind="approval"))
        second = seals.create_seal(session=session, actor=admin,
                                   seal_in=seals.SealCreate(department_id=city.hrss.id, kind="licence"))
    assert {s.es_id for s in other.execute(select(Seal)).scalars()} == {first.es_id, second.es_id}
    assert _audit(other, "seal.create") == 2
    assert _count(other, StoredKey) == 4 + 4  # two per seal, two per algorithm for the CA (root, issuing)
