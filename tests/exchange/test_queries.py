"""Read models of the sharing pages and the 接口登记 page, called directly (no HTML): what each
department and role sees, and the flags that decide which forms a page offers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.factories import actor_of, department, published_resource, staff
from tongban import clock
from tongban.errors import Forbidden, NotFound
from tongban.exchange import queries as exchange_queries
from tongban.sharing import queries
from tongban.sharing import service as sharing
from tongban.sharing.schemas import RequestCreate


def _outsider(session: Session) -> Any:
    edu = department(session, "安康市教育局", code="city-edu")
    user = staff(session, "edu_data", edu, "data_officer", name="教育局数据员")
    session.commit()
    return actor_of(user)


def _submitted(session: Session, city, world) -> Any:  # type: ignore[no-untyped-def]
    """A request of amr for a conditional resource of hrss, waiting for the platform's compliance check."""
    resource = published_resource(session, city.users["hrss_data"], name="参保人员基本信息")
    return sharing.submit_request(session=session, actor=actor_of(city.users["amr_data"]), request_in=RequestCreate(
        resource_id=resource.id, client_id=world["client"].id, items=["id_number", "name"],
        purpose="企业开办登记核验法定代表人身份", legal_basis="《市场主体登记管理条例》", scenario="企业开办",
        period_start=clock.today(), period_end=clock.today() + dt.timedelta(days=30)))


def test_sharing_home_tabs_and_rows_per_role(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    req = _submitted(session, city, world)
    amr, hrss, admin = (actor_of(city.users[u]) for u in ("amr_data", "hrss_data", "admin"))

    mine = queries.sharing_home(session, amr)
    assert mine.tab == "consumer" and [t for t, _ in mine.tabs] == ["consumer", "provider", "grants", "given"]
    assert mine.requests is not None and req.number in {r.number for r in mine.requests} and mine.grants is None
    assert [g.id for g in queries.sharing_home(session, amr, tab="grants").grants or []] == [world["grant"].id]
    assert queries.sharing_home(session, amr, tab="given").grants == []
    assert [g.id for g in queries.sharing_home(session, hrss, tab="given").grants or []] == [world["grant"].id]
    # The provider's inbox holds the requests addressed to it (open ones by default), the consumer's does not.
    assert req.number in {r.number for r in queries.sharing_home(session, hrss, tab="provider").requests or []}
    assert req.number not in {r.number for r in queries.sharing_home(session, amr, tab="provider").requests or []}

    platform = queries.sharing_home(session, admin, tab="compliance")
    assert {"compliance", "disputes"} <= {t for t, _ in platform.tabs}
    assert [r.number for r in platform.requests or []] == [req.number]
    # A tab the actor may not open falls back to the first one.
    assert queries.sharing_home(session, amr, tab="compliance").tab == "consumer"
    with pytest.raises(Forbidden):
        queries.sharing_home(session, actor_of(city.users["citizen"]))


def test_request_detail_flags_follow_the_actor(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    req = _submitted(session, city, world)
    platform = queries.request_detail(session, actor_of(city.users["admin"]), req.id)
    assert platform.can == {"compliance": True, "decide": False, "object": False, "withdraw": False,
                            "coordinate": False}
    consumer = queries.request_detail(session, actor_of(city.users["amr_data"]), req.id)
    assert consumer.can["withdraw"] and not consumer.can["compliance"]
    assert consumer.req.number == req.number and set(consumer.items) >= {"id_number", "name"}
    assert consumer.objection_deadline is None
    with pytest.raises(NotFound):
        queries.request_detail(session, _outsider(session), req.id)


def test_grant_detail_control_only_for_the_provider(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    gid = world["grant"].id
    provider = queries.grant_detail(session, actor_of(city.users["hrss_data"]), gid)
    assert provider.can_control and provider.grant.id == gid and "id_number" in provider.items
    assert not queries.grant_detail(session, actor_of(city.users["amr_data"]), gid).can_control
    with pytest.raises(NotFound):
        queries.grant_detail(session, _outsider(session), gid)


def test_new_request_offers_the_departments_active_systems(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    page = queries.new_request(session, actor_of(city.users["amr_data"]), world["resource"].id)
    assert page.resource.id == world["resource"].id and world["client"].id in {c.id for c in page.clients}
    assert queries.new_request(session, actor_of(city.users["hrss_data"]), world["resource"].id).clients == []
    with pytest.raises(Forbidden):
        queries.new_request(session, actor_of(city.users["amr_clerk"]), world["resource"].id)


def test_endpoints_home_lists_only_the_departments_interface_resources(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    rid = world["resource"].id
    assert rid in {r.id for r in exchange_queries.endpoints_home(session, actor_of(city.users["hrss_data"])).rows}
    assert rid not in {r.id for r in exchange_queries.endpoints_home(session, actor_of(city.users["amr_data"])).rows}
    with pytest.raises(Forbidden):
        exchange_queries.endpoints_home(session, actor_of(city.users["hrss_clerk"]))
