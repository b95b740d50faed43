"""The 任务运行 page's read model, called directly: who may open it, the state filter, the retry flag."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of
from tests.jobs import sample_tasks  # noqa: F401  (registers the test jobs)
from tongban.errors import Forbidden
from tongban.jobs import enqueue, queries


def test_jobs_page_for_platform_admins_only(session: Session, city: SmallCity) -> None:
    enqueue(session, "tests.fail", {"key": "q"})
    session.commit()
    view = queries.jobs_page(session, actor_of(city.users["admin"]))
    assert view.can_retry and view.status == ""
    assert [j.name for j in view.jobs] == ["tests.fail"] and view.counts["queued"] == 1
    assert "exchange.seal" in [s.name for s in view.schedules]
    only_failed = queries.jobs_page(session, actor_of(city.users["admin"]), status="failed")
    assert only_failed.status == "failed" and only_failed.jobs == []
    # An unknown state is no filter at all.
    assert queries.jobs_page(session, actor_of(city.users["admin"]), status="nonsense").jobs == view.jobs
    for who in ("supervisor", "amr_admin", "amr_data"):
        with pytest.raises(Forbidden):
            queries.jobs_page(session, actor_of(city.users[who]))
