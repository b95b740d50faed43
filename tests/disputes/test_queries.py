"""Read models of the dispute pages, called directly (no HTML): the lists each party sees, the items a
department may dispute, and the flags that decide which forms the detail page offers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.disputes.conftest import GRANTED, IDS
from tests.factories import actor_of
from tongban import clock
from tongban.disputes import queries, service
from tongban.disputes.schemas import DisputeCreate
from tongban.errors import Forbidden, NotFound
from tongban.monitoring import queries as monitoring

D = dt.date


def _raise(session: Session, city, world: dict[str, Any]) -> Any:  # type: ignore[no-untyped-def]
    return service.raise_dispute(session=session, actor=actor_of(city.users["amr_data"]), dispute_in=DisputeCreate(
        resource_id=world["resource"].id, record_key=IDS[0], items=["address"],
        description="该居民已迁入汉滨区江北街道，户籍地址仍为旧址。"))


def test_lists_per_party(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 9, 1)):
        d = _raise(session, city, world)
        raiser = queries.disputes_home(session, actor_of(city.users["amr_data"]))
        assert raiser.tab == "raised" and [x.number for x in raiser.disputes] == [d.number] and raiser.total == 1
        provider = queries.disputes_home(session, actor_of(city.users["hrss_data"]), tab="against")
        assert [x.number for x in provider.disputes] == [d.number]
        assert queries.disputes_home(session, actor_of(city.users["hrss_data"]), tab="raised").disputes == []
        platform = queries.disputes_home(session, actor_of(city.users["admin"]), tab="platform")
        assert "platform" in {t for t, _ in platform.tabs} and [x.number for x in platform.disputes] == [d.number]
        # A tab the actor may not open falls back to the first; filters it does not know are dropped.
        fallback = queries.disputes_home(session, actor_of(city.users["amr_data"]), tab="platform", status="nonsense")
        assert fallback.tab == "raised" and fallback.status == ""
        assert queries.disputes_home(session, actor_of(world["edu_data"])).disputes == []
        with pytest.raises(Forbidden):
            queries.disputes_home(session, actor_of(city.users["citizen"]))


def test_detail_flags_and_timeline(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 9, 1)):
        d = _raise(session, city, world)
        provider = queries.dispute_detail(session, actor_of(city.users["hrss_data"]), d.id)
        assert provider.can == {"answer": True, "withdraw": False, "attach": False, "escalate": False,
                                "coordinate": False}
        raiser = queries.dispute_detail(session, actor_of(city.users["amr_data"]), d.id)
        assert raiser.can["withdraw"] and raiser.can["attach"] and not raiser.can["answer"]
        assert raiser.d.number == d.number and "address" in raiser.items
        assert [e.action for e in raiser.timeline] == ["dispute.raise"]
        assert raiser.timeline_notes[raiser.timeline[0].seq] == f"答复期限 {d.due_on}"
        assert not any(queries.dispute_detail(session, actor_of(city.users["admin"]), d.id).can.values())
        with pytest.raises(NotFound):
            queries.dispute_detail(session, actor_of(world["edu_data"]), d.id)


def test_new_dispute_offers_only_granted_items(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 9, 1)):
        page = queries.new_dispute(session, actor_of(city.users["amr_data"]), world["resource"].id)
        assert {i.key for i in page.items} == set(GRANTED) and page.max_files > 0
        assert queries.new_dispute(session, actor_of(world["edu_data"]), world["resource"].id).items == []
        with pytest.raises(Forbidden):
            queries.new_dispute(session, actor_of(city.users["hrss_clerk"]), world["resource"].id)


def test_monitoring_shows_overdue_disputes_through_the_hook(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    """Monitoring imports nothing of disputes: the rows come from the hook disputes registers."""
    with clock.frozen(D(2026, 9, 1)):
        _raise(session, city, world)
    with clock.frozen(D(2026, 9, 9)):
        page = monitoring.exchange_monitoring(session, actor_of(city.users["admin"]), {})
        assert page.stats is not None
        assert [(r.provider_id, r.overdue) for r in page.stats.overdue_disputes] == [(city.hrss.id, 1)]
        mine = monitoring.exchange_monitoring(session, actor_of(city.users["amr_data"]), {})
        assert mine.stats is not None and mine.stats.overdue_disputes == []
