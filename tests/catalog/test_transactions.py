"""Catalog use-cases compose: the xlsx import (resources, versions, search index, audit row) commits once
with its caller, or not at all."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.test_spreadsheet import counts, resource_rows, workbook
from tests.factories import actor_of
from tongban.audit.models import AuditEntry
from tongban.catalog import search, spreadsheet
from tongban.catalog import service as catalog
from tongban.catalog.models import Classification
from tongban.catalog.schemas import ClassificationCreate
from tongban.transactions import scope


def _indexed(session: Session, query: str) -> int:
    hits = search.matches(session, query)
    assert hits is not None
    return session.execute(select(func.count()).select_from(hits[0].subquery())).scalar_one()


def _imports(session: Session) -> int:
    return session.execute(select(func.count()).select_from(AuditEntry)
                           .where(AuditEntry.action == "catalog.import")).scalar_one()


def test_an_import_inside_a_failing_outer_use_case_leaves_nothing(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    officer = actor_of(city.users["hrss_data"])
    data = workbook(resource_rows("城乡居民养老保险参保信息"), resource_rows("失业保险金领取信息"))
    before = counts(session)

    with pytest.raises(LookupError), scope(session):
        report = spreadsheet.import_catalog(session=session, actor=officer, data=data, publish=True)
        assert report.ok and report.created == report.published == 2
        raise LookupError("the outer use-case fails after the import")

    assert counts(session) == before  # no resources, items, versions or audit rows
    assert _indexed(session, "养老") == 0 and _imports(session) == 0

    with scope(session):  # the same import in an outer use-case that succeeds: committed with it, once
        spreadsheet.import_catalog(session=session, actor=officer, data=data, publish=True)
    session.close()
    resources, items, versions, audits = counts(session)
    assert (resources, items, versions) == (before[0] + 2, before[1] + 4, before[2] + 2)
    assert audits == before[3] + 1 and _imports(session) == 1
    assert _indexed(session, "养老") == 1


def test_a_refused_file_keeps_the_callers_own_work(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    """The import used to roll back the whole session when it refused a file, the caller's work with it."""
    officer = actor_of(city.users["hrss_data"])
    with scope(session):  # the department's 项, before the test's use-case
        own = catalog.department_node(session, city.hrss)
    bad = workbook(resource_rows("城乡居民养老保险参保信息", 共享类型="随便共享"))
    before = counts(session)

    with scope(session):
        node = catalog.create_classification(session=session, actor=officer, classification_in=ClassificationCreate(
            parent_code=own.code, name="社会保险"))
        report = spreadsheet.import_catalog(session=session, actor=officer, data=bad)
        assert not report.ok
        assert [(e.column, "共享类型" in e.message) for e in report.errors] == [("共享类型", True)]
    session.close()
    assert session.get(Classification, node.code) is not None
    assert counts(session)[:3] == before[:3]
    assert _imports(session) == 0
