"""The demo city's service items: loaded as published, with county implementations, bundles and events."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import login
from tongban.audit import service as audit
from tongban.demo import items_data, loader
from tongban.demo.loader import DemoSummary
from tongban.items.models import BasicItem, Bundle, Implementation, ItemEvent


def test_demo_items_are_published_and_shown(demo: DemoSummary, session: Session, client: TestClient) -> None:
    summary = demo
    count = lambda model: session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
    assert count(BasicItem) == len(items_data.BASIC_ITEMS) >= 150
    assert summary.items == count(Implementation) == len(items_data.IMPLEMENTATIONS)
    assert summary.bundles == count(Bundle) >= 4
    assert count(ItemEvent) == len(items_data.LIFE_EVENTS) + len(items_data.BUSINESS_EVENTS)
    assert session.execute(select(func.count()).select_from(Implementation).where(
        Implementation.status != "published")).scalar_one() == 0
    assert {lv for (lv,) in session.execute(select(Implementation.level).distinct())} == {"市级", "县级"}
    assert len({t for (t,) in session.execute(select(BasicItem.item_type).distinct())}) == len(items_data.ITEM_TYPES)
    assert audit.verify(session).ok

    page = client.get("/api/v1/items", params={"size": 100}).json()
    assert page["total"] == len(items_data.BASIC_ITEMS)
    assert client.get("/api/v1/items", params={"high_frequency": True}).json()["total"] == len(
        items_data.HIGH_FREQUENCY)
    bundles = client.get("/api/v1/items/bundles").json()
    assert len(bundles) == len(items_data.BUNDLES)
    newborn = client.get("/api/v1/items/bundles/YJS001").json()
    assert newborn["lead_department_name"] and all(m["implementation_id"] for m in newborn["members"])
    events = client.get("/api/v1/items/events", params={"kind": "life"}).json()
    assert {e["name"] for e in events} == set(items_data.LIFE_EVENTS)

    # The platform sees the figures of the whole city and the county deviations.
    login(client, "admin", loader.DEMO_PASSWORD)
    figures = client.get("/api/v1/items/reports/once-only").json()
    assert figures["implementations"] == len(items_data.IMPLEMENTATIONS) and 0 < figures["rate"] < 1
    assert 0 < figures["zero_visit_rate"] < 1
    report = client.get("/api/v1/items/reports/deviations").json()
    assert report and all(r["deviations"] for r in report)
