"""The demo loaders are use-cases: the city and a generated catalog loaded inside a caller's use-case commit
with it, or leave nothing when it fails."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.audit.models import AuditEntry
from tongban.catalog import search
from tongban.catalog.models import InformationResource, ResourceVersion
from tongban.demo import catalog_loader, loader
from tongban.org.models import Department, User
from tongban.transactions import scope


def _counts(session: Session) -> tuple[int, ...]:
    hits = search.matches(session, "信息")
    assert hits is not None
    indexed = session.execute(select(func.count()).select_from(hits[0].subquery())).scalar_one()
    rows = [session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Department, User, InformationResource, ResourceVersion, AuditEntry)]
    return (*rows, indexed)


def test_demo_loads_inside_a_failing_outer_use_case_leave_nothing(session: Session) -> None:
    with pytest.raises(LookupError), scope(session):
        loader.load(session, with_catalog=False)
        result = catalog_loader.load_scale(session, resources=30, items=200)
        assert result.resources == 30
        raise LookupError("the outer use-case fails after both loads")
    assert _counts(session) == (0, 0, 0, 0, 0, 0)

    with scope(session):  # the same loads in an outer use-case that succeeds: committed with it
        loader.load(session, with_catalog=False)
        catalog_loader.load_scale(session, resources=30, items=200)
    session.close()
    departments, users, resources, versions, _, indexed = _counts(session)
    assert departments >= 70 and users > 0 and resources == versions == 30 and indexed > 0
    actions = session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
    assert actions == ["demo.load", "search.terms_seed", "catalog.import"]
