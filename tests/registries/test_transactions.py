"""Ingest commits in batches (Why.BATCH) on sessions of its own, and still never half-publishes: a load that
stops midway is recorded as failed, with no staging rows, no records and no publish audit row of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.registries.test_ingest import _ids, _people, _records, _write, population  # noqa: F401
from tongban.audit.models import AuditEntry
from tongban.authz import SYSTEM
from tongban.db import make_session_factory
from tongban.registries import ingest as registry
from tongban.registries.models import RegistryHead, RegistryLoad, RegistryStaging


def _audited(session: Session, action: str) -> int:
    return session.execute(select(func.count()).select_from(AuditEntry)
                           .where(AuditEntry.action == action)).scalar_one()


def test_a_load_stopped_after_committed_batches_is_failed_and_unpublished(tmp_path: Path, engine: Engine,  # type: ignore[no-untyped-def]
                                                                          session: Session, population) -> None:  # noqa: F811
    factory = make_session_factory(engine)
    registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code,
                    path=_write(tmp_path / "a.csv", _people(_ids(10))))
    before = _records(session, population.id)
    batches: list[int] = []

    def stop_after_three_batches(rows: int, rejected: int) -> None:
        """The operator's Ctrl-C, seen by the progress callback of `tongban ingest`."""
        batches.append(rows)
        if len(batches) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code, mode="replace",
                        path=_write(tmp_path / "b.csv", _people(_ids(40, start=500), name="新")), batch_size=5,
                        progress=stop_after_three_batches)

    assert _records(session, population.id) == before
    loads = session.execute(select(RegistryLoad).order_by(RegistryLoad.id)).scalars().all()
    assert [x.status for x in loads] == ["published", "failed"] and loads[1].error == "KeyboardInterrupt"
    assert session.execute(select(RegistryStaging)).first() is None  # the batches already written are gone
    head = session.execute(select(RegistryHead)).scalar_one()
    assert (head.version, head.records, head.published_load_id) == (1, 10, loads[0].id)
    assert _audited(session, "registry.ingest_start") == 2 and _audited(session, "registry.publish") == 1

