"""The read model of the exchange monitoring page, called directly (no HTML): the scope each role gets,
the filter options, and wrong filters reported instead of figures."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.factories import actor_of
from tongban.errors import Forbidden
from tongban.monitoring import queries


def test_scope_per_role_and_filters_completed(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    platform = queries.exchange_monitoring(session, actor_of(city.users["admin"]), {"granularity": "day"})
    assert platform.stats is not None and platform.stats.scope == "all" and platform.problem is None
    assert platform.form["granularity"] == "day" and platform.form["start"] and platform.form["end"]
    assert {city.amr.id, city.hrss.id} <= {d.id for d in platform.departments}
    assert platform.stats_json is not None and platform.stats_json["granularity"] == "day"
    department = queries.exchange_monitoring(session, actor_of(city.users["hrss_data"]), {})
    assert department.stats is not None and department.stats.scope == "department"
    with pytest.raises(Forbidden):
        queries.exchange_monitoring(session, actor_of(city.users["hrss_clerk"]), {})


def test_wrong_filters_give_a_problem_and_no_figures(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    page = queries.exchange_monitoring(session, actor_of(city.users["admin"]),
                                       {"resource_code": " 999/999999 ", "consumer_id": ""})
    assert page.stats is None and page.problem is not None and "999/999999" in page.problem.message
    assert page.form["resource_code"] == "999/999999" and page.departments
