"""Overdue data-quality disputes on the exchange monitoring page and in its JSON, per provider."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.disputes.test_service import _raise
from tests.factories import actor_of, login
from tongban import clock
from tongban.monitoring import service as monitoring
from tongban.monitoring.schemas import StatsFilter


def test_overdue_disputes_show_to_the_platform_and_the_provider_only(client: TestClient, session: Session, city,  # type: ignore[no-untyped-def]
                                                                     world) -> None:
    with clock.frozen(dt.date(2026, 9, 1)):
        _raise(session, city, world)
    with clock.frozen(dt.date(2026, 9, 9)):
        platform = monitoring.exchange_stats(session=session, actor=actor_of(city.users["admin"]),
                                             filters=StatsFilter())
        assert [(d.name, d.overdue, d.oldest_due_on) for d in platform.overdue_disputes] == [
            (city.hrss.name, 1, dt.date(2026, 9, 8))]
        provider = monitoring.exchange_stats(session=session, actor=actor_of(city.users["hrss_data"]),
                                             filters=StatsFilter())
        assert [d.overdue for d in provider.overdue_disputes] == [1]
        consumer = monitoring.exchange_stats(session=session, actor=actor_of(city.users["amr_data"]),
                                             filters=StatsFilter())
        assert consumer.overdue_disputes == []  # the consumer waits; it does not owe the answer
        web = TestClient(client.app)
        login(web, "admin")
        page = web.get("/monitoring/exchange", headers={"accept": "text/html"}).text
        assert "逾期未答复的数据疑义" in page and city.hrss.name in page.split("table-overdue-disputes")[1]
        body = web.get("/api/v1/monitoring/exchange").json()
        assert body["overdue_disputes"][0]["overdue"] == 1
