"""The demo city agrees with itself and with the README: what one page says, no other contradicts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import login
from tongban.catalog.models import InformationResource, ResourceVersion
from tongban.demo import city, loader, registry_loader
from tongban.demo.loader import DemoSummary
from tongban.licences.models import Licence
from tongban.registries.models import RegistryRecord

README = Path(__file__).resolve().parents[2] / "README.md"
BEIJING = dt.timezone(dt.timedelta(hours=8))


def test_demo_is_consistent_with_itself_and_the_readme(demo: DemoSummary, session: Session, client: TestClient) -> None:
    summary = demo

    # One number of resources: the loader's summary, the database, the catalog's statistics, the README.
    published = session.execute(select(func.count()).select_from(InformationResource).where(
        InformationResource.status == "published")).scalar_one()
    drafts = session.execute(select(func.count()).select_from(InformationResource).where(
        InformationResource.status == "draft")).scalar_one()
    assert summary.resources == published
    login(client, "admin", loader.DEMO_PASSWORD)  # anonymous callers count only open resources
    assert client.get("/api/v1/catalog/stats").json()["resources"] == published
    readme = README.read_text(encoding="utf-8")
    claimed = {int(n) for n in re.findall(r"(\d+) published (?:catalog entries|resources)", readme)}
    assert claimed == {published}
    assert f"{drafts} more are drafts" in readme

    # A resource's 发布日期 is the day of its first version, and it was not created after it.
    firsts = dict(session.execute(select(ResourceVersion.resource_id, ResourceVersion.published_at)
                                  .where(ResourceVersion.version == 1)).all())
    for r in session.execute(select(InformationResource).where(InformationResource.status == "published")).scalars():
        first = firsts[r.id].replace(tzinfo=dt.UTC).astimezone(BEIJING).date()
        assert r.published_on == first, r.code
        assert r.created_at <= firsts[r.id], r.code

    # An enterprise holding a valid licence is operating in the market register, as its licence says.
    market = registry_loader.register(session, "legal_entities")
    firms = {e.uscc: e for e in city.ENTERPRISES}
    held = session.execute(select(Licence).where(Licence.holder_code.in_(firms))).scalars().all()
    assert held
    for licence in held:
        row = session.get(RegistryRecord, (market.id, licence.holder_code))
        assert row is not None and not row.deleted
        assert row.data["reg_status"] in ("存续", "在业"), licence.holder_code
        assert row.data["entity_name"] == licence.holder_name
        assert row.data["approval_date"] >= row.data["established_date"]
        if "entity_type" in licence.data:  # the 营业执照 prints the register's own facts
            assert licence.data["entity_type"] == row.data["entity_type"]
            assert licence.data["established_on"] == row.data["established_date"]
            assert licence.data["address"] == row.data["domicile"]
        assert licence.data["legal_representative"] == row.data["legal_rep"]
    for e in city.ENTERPRISES:
        row = session.get(RegistryRecord, (market.id, e.uscc))
        assert row is not None and row.data["reg_status"] == "存续", e.name
