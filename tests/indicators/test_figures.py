"""The indicators over the known facts of conftest.world, each expected value worked out by hand there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.indicators.conftest import World

from tongban import clock
from tongban.indicators import rollup
from tongban.indicators.definitions import COUNTERS
from tongban.indicators.models import IndicatorCatalogDaily, IndicatorDaily, IndicatorMonthly

NOV_30 = dt.date(2026, 11, 30)

# November, every department (see conftest.world).
NOVEMBER = {
    "online_available": 66.67, "full_online": 66.67, "instant_share": 33.33, "limit_compression": 56.67,
    "handling_days": 4.67, "promised_days": 6.0, "on_time": 80.0, "avg_visits": 0.6, "zero_visit": 40.0,
    "once_only": 50.0, "good_rate": 25.0, "rectified_rate": 50.0, "callback_rate": 50.0,
    "alerts_raised": 3.0, "alerts_red": 1.0, "alert_closure": 15.0,
}


@pytest.fixture
def rolled(session: Session, world: World) -> World:
    """The first pass on 30 November: every day with facts, and that day's catalog snapshot."""
    with clock.frozen(NOV_30):
        rollup.refresh(session)
    return world


def get(client: Any, **params: Any) -> Any:
    r = client.get("/api/v1/indicators", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_november_totals_by_hand(rolled: World, as_user: Any) -> None:
    body = get(as_user(rolled.city.users["supervisor"]), period="2026-11")
    assert (body["start"], body["end"], body["period_label"]) == ("2026-11-01", "2026-11-30", "2026年11月")
    assert body["catalog_day"] == "2026-11-30"
    assert body["total"]["values"] == NOVEMBER
    counters = body["total"]["counters"]
    assert (counters["cases_decided"], counters["ratings"], counters["ratings_bad"]) == (5, 4, 2)
    assert {d["code"] for d in body["definitions"]} == set(NOVEMBER)


def test_november_by_department_item_and_region(rolled: World, as_user: Any) -> None:
    client = as_user(rolled.city.users["supervisor"])
    groups = {g["name"]: g["values"] for g in get(client, period="2026-11", group_by="department")["groups"]}
    amr, hrss = groups["安康市市场监督管理局"], groups["安康市人力资源和社会保障局"]
    assert (amr["on_time"], amr["handling_days"], amr["avg_visits"], amr["zero_visit"]) == (66.67, 4.67, 0.67, 33.33)
    assert (amr["good_rate"], amr["callback_rate"], amr["alerts_raised"]) == (33.33, 50.0, 3.0)
    assert (amr["online_available"], amr["instant_share"], amr["limit_compression"]) == (50.0, 0.0, 56.67)
    assert (hrss["on_time"], hrss["handling_days"], hrss["avg_visits"], hrss["once_only"]) == (100.0, None, 0.5, None)
    assert (hrss["good_rate"], hrss["rectified_rate"]) == (0.0, None)  # 基本满意: counted, not good
    assert (hrss["online_available"], hrss["instant_share"], hrss["limit_compression"]) == (100.0, 100.0, None)
    items = {g["key"]: g for g in get(client, period="2026-11", group_by="item")["groups"]}
    assert items["011000000001"]["name"] == "有限责任公司设立登记"
    assert items["011000000001"]["counters"]["cases_decided"] == 2
    assert "011000000004" not in items  # a draft list and no cases
    regions = {g["key"]: g for g in get(client, period="2026-11", group_by="region")["groups"]}
    assert (regions["610900"]["name"], regions["610900"]["counters"]["cases_decided"]) == ("安康市", 4)
    assert (regions["610902"]["name"], regions["610902"]["counters"]["cases_decided"]) == ("汉滨区", 1)
    only_b = get(client, period="2026-11", item_code="011000000003")["total"]
    assert (only_b["counters"]["cases_decided"], only_b["values"]["handling_days"]) == (1, 2.0)


def test_periods_read_months_and_edge_days(rolled: World, as_user: Any) -> None:
    client = as_user(rolled.city.users["supervisor"])

    def decided(**params: Any) -> int:
        return get(client, **params)["total"]["counters"]["cases_decided"]

    assert decided(period="2026-Q4") == 6
    assert decided(period="2026") == 6
    assert decided(period="2026-10") == 0
    # The Beijing day: c3 was decided at 00:30 on 5 November in Beijing (4 November in UTC).
    assert decided(start="2026-11-05", end="2026-11-05") == 3
    assert decided(start="2026-11-04", end="2026-11-04") == 0
    # An October edge (days), November whole (its month row), a December edge (days) without 3 December.
    assert decided(start="2026-10-15", end="2026-12-02") == 5
    assert decided(start="2026-11-05", end="2026-12-03") == 6
    months = get(client, period="2026-Q4", group_by="month")
    assert [(g["key"], g["name"], g["counters"]["cases_decided"]) for g in months["groups"]] == [
        ("2026-11", "2026年11月", 5), ("2026-12", "2026年12月", 1)]
    assert months["groups"][0]["values"]["online_available"] == 66.67
    assert months["groups"][1]["values"]["online_available"] is None  # no snapshot in December yet


def _dump(session: Session) -> list[tuple[Any, ...]]:
    session.expire_all()
    rows = []
    for table in (IndicatorDaily, IndicatorMonthly, IndicatorCatalogDaily):
        rows += [tuple(r) for r in session.execute(select(table.__table__)).all()]
    return sorted(rows, key=repr)


def test_rollup_is_idempotent_and_months_sum_their_days(session: Session, rolled: World) -> None:
    before = _dump(session)
    with clock.frozen(NOV_30):
        rollup.refresh(session)
        rollup.rebuild(session, start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 31))
    assert _dump(session) == before
    for month in (dt.date(2026, 11, 1), dt.date(2026, 12, 1)):
        days = session.execute(select(*(func.sum(getattr(IndicatorDaily, c)) for c in COUNTERS)).where(
            IndicatorDaily.day >= month, IndicatorDaily.day < rollup.next_month(month))).one()
        months = session.execute(select(*(func.sum(getattr(IndicatorMonthly, c)) for c in COUNTERS)).where(
            IndicatorMonthly.month == month)).one()
        assert tuple(days) == tuple(months)


def test_incremental_pass_recomputes_the_days_that_changed(session: Session, rolled: World, as_user: Any) -> None:
    from tongban.db import utcnow

    follow = rolled.ratings["r3"].follow_up
    assert follow is not None
    follow.status, follow.callback_at, follow.updated_at = "called_back", utcnow(), utcnow()
    session.commit()
    client = as_user(rolled.city.users["supervisor"])
    assert get(client, period="2026-11")["total"]["values"]["callback_rate"] == 50.0  # not yet rolled up
    with clock.frozen(NOV_30):
        days = rollup.refresh(session)
    assert days == [dt.date(2026, 11, 6), NOV_30]  # the rating's day and today, nothing else
    assert get(client, period="2026-11")["total"]["values"]["callback_rate"] == 100.0
    # Another pass with nothing new changes nothing (it looks back ten minutes more than its last look, for
    # facts committed late, so it may recompute 6 November again: to the same rows).
    before = _dump(session)
    with clock.frozen(NOV_30):
        assert set(rollup.refresh(session)) <= {dt.date(2026, 11, 6), NOV_30}
    assert _dump(session) == before


def test_nightly_job_runs_through_the_job_runner(engine: Any, session: Session, world: World) -> None:
    from tongban.db import make_session_factory
    from tongban.jobs.models import Job
    from tongban.jobs.runner import run_pending

    # 01:30 Beijing on 7 November is 17:30 UTC on the 6th: the first tick plans it, the second fires it.
    factory = make_session_factory(engine)
    run_pending(factory, periodic=True, now=dt.datetime(2026, 11, 6, 16, 0))
    with clock.frozen(dt.date(2026, 11, 7)):
        run_pending(factory, periodic=True, now=dt.datetime(2026, 11, 6, 17, 31))
    assert [j.status for j in session.scalars(select(Job).where(Job.name == "indicators.nightly"))] == ["done"]
    rows = session.execute(select(IndicatorDaily.day, func.sum(IndicatorDaily.cases_decided))
                           .group_by(IndicatorDaily.day).order_by(IndicatorDaily.day)).all()
    assert [(d.isoformat(), n) for d, n in rows if n] == [("2026-11-05", 3), ("2026-11-06", 1), ("2026-11-12", 1),
                                                         ("2026-12-03", 1)]
    assert session.scalar(select(func.count()).select_from(IndicatorCatalogDaily)
                          .where(IndicatorCatalogDaily.day == dt.date(2026, 11, 7))) == 3


def test_rebuild_command_recomputes_a_period(session: Session, rolled: World, database_url: str) -> None:
    import os
    import subprocess
    import sys

    before = _dump(session)
    session.execute(IndicatorDaily.__table__.update().values(cases_decided=99))  # damage the day rows
    session.execute(IndicatorMonthly.__table__.update().values(cases_decided=99))
    session.commit()
    env = {**os.environ, "TONGBAN_DATABASE_URL": database_url}
    proc = subprocess.run([sys.executable, "-m", "tongban.cli", "indicators", "rebuild", "--start", "2026-11-01",
                           "--end", "2026-12-31"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "已重算 2026-11-01 至 2026-12-31 的绩效指标汇总" in proc.stdout
    assert _dump(session) == before
    wrong = subprocess.run([sys.executable, "-m", "tongban.cli", "indicators", "rebuild", "--start", "2026-11-31"],
                           env=env, capture_output=True, text=True, timeout=120, check=False)
    assert wrong.returncode == 2 and "格式不对" in wrong.stderr


def test_an_alert_closed_by_the_supervisor_ends_when_closed_not_when_the_sweep_clears_it_later(
        session: Session, world: World) -> None:
    from tests.indicators.conftest import alert, bj

    from tongban.supervision.models import SupervisionRule

    rule = session.scalars(select(SupervisionRule).where(SupervisionRule.code == "T1")).one()
    closed = alert(session, rule, world.cases["c1"], "yellow", bj("2026-11-20", 8), bj("2026-11-25", 9))
    closed.closed_at, closed.outcome = bj("2026-11-20", 12), "已督促办结"  # 4 hours after it was raised
    session.commit()
    on_20 = sum((r["alerts_cleared"], r["alert_closure_seconds"]) == (1, 4 * 3600)
                for r in rollup.day_counters(session, dt.date(2026, 11, 20)).values())
    on_25 = sum(r["alerts_cleared"] for r in rollup.day_counters(session, dt.date(2026, 11, 25)).values())
    assert (on_20, on_25) == (1, 0)
    assert dt.date(2026, 11, 20) in rollup.changed_days(session, bj("2026-11-20", 11))
