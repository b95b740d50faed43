"""The domains' periodic jobs, run by the job runner as `make run` and `tongban worker` run them: no cron."""

from __future__ import annotations

import datetime as dt
from datetime import date as D

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of, app_client, published_resource
from tests.monitoring.conftest import World, client_actor, log_calls
from tongban import clock
from tongban.db import make_session_factory
from tongban.jobs import discover, run_pending
from tongban.jobs.models import DONE, Job
from tongban.monitoring import service as monitoring
from tongban.monitoring.schemas import StatsFilter
from tongban.sharing import service as sharing
from tongban.sharing.schemas import RequestCreate


def test_every_domain_declares_its_schedules() -> None:
    modules = discover()
    assert {"tongban.exchange.tasks", "tongban.disputes.tasks", "tongban.licences.tasks"} <= set(modules)
    from tongban.jobs import registry

    assert {"exchange.seal", "sharing.deadlines", "disputes.deadlines", "licences.expire"} <= set(
        registry.periodic_jobs())


def test_exchange_calls_reach_the_monitoring_page_without_cron(engine: Engine, session: Session,
                                                               city: SmallCity) -> None:
    resource = published_resource(session, city.users["amr_data"], name="企业登记基本信息")
    client = app_client(session, city.hrss, code="hrss-social")
    session.commit()
    world = World(city=city, resources=[resource], clients=[client], actors=[client_actor(client)])
    log_calls(session, world, 12, seed=7, hours_back=1)
    admin = actor_of(city.users["admin"])
    assert monitoring.exchange_stats(session=session, actor=admin, filters=StatsFilter()).totals.calls == 0

    run_pending(make_session_factory(engine), periodic=True)  # the first tick of a fresh worker
    session.expire_all()
    assert monitoring.exchange_stats(session=session, actor=admin, filters=StatsFilter()).totals.calls == 12
    seal = session.execute(select(Job).where(Job.name == "exchange.seal")).scalar_one()
    assert seal.status == DONE


def test_overdue_sharing_request_is_flagged_on_the_next_working_morning(engine: Engine, session: Session,
                                                                        city: SmallCity) -> None:
    factory = make_session_factory(engine)
    with clock.frozen(D(2026, 9, 1)):
        resource = published_resource(session, city.users["hrss_data"])
    client = app_client(session, city.amr, code="amr-register")
    session.commit()
    with clock.frozen(D(2026, 9, 30)):
        req = sharing.submit_request(session=session, actor=actor_of(city.users["amr_data"]), request_in=RequestCreate(
            resource_id=resource.id, client_id=client.id, items=["id_number", "name"],
            purpose="企业开办登记时核验法定代表人身份", legal_basis="《市场主体登记管理条例》第十五条",
            scenario="企业开办一网通办", period_start=D(2026, 10, 1), period_end=D(2027, 9, 30)))
        session.commit()
    due = req.due_on
    assert due is not None
    # The worker has been running: the morning schedule exists. Next working morning after the due day,
    # 08:00 Beijing = 00:00 UTC; the check runs then.
    morning = D(2026, 10, 12)  # Monday after the due day
    run_pending(factory, periodic=True, now=dt.datetime.combine(morning, dt.time(0, 0)) - dt.timedelta(hours=1))
    with clock.frozen(morning):
        run_pending(factory, periodic=True, now=dt.datetime.combine(morning, dt.time(0, 0, 30)))
    session.expire_all()
    assert sharing.request_read(session.get(type(req), req.id)).overdue
    assert session.get(type(req), req.id).overdue_flagged_at is not None
    checks = session.execute(select(Job).where(Job.name == "sharing.deadlines")).scalars().all()
    assert [j.status for j in checks] == [DONE]
