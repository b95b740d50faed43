"""Demo disputes load on the demo city and show up where the demo users look."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import login
from tongban.demo import dispute_loader, loader
from tongban.demo.loader import DEMO_PASSWORD

HTML = {"accept": "text/html"}


def test_demo_disputes_in_every_state(session: Session, client: TestClient) -> None:
    loader.load(session)
    summary = dispute_loader.load(session)
    assert set(summary.numbers) == {"open", "corrected", "escalated", "against_amr"}
    platform = TestClient(client.app)
    login(platform, "admin", DEMO_PASSWORD)
    queue = platform.get("/disputes?tab=platform&status=escalated", headers=HTML).text
    assert summary.numbers["escalated"] in queue and summary.numbers["open"] not in queue
    amr = TestClient(client.app)
    login(amr, "amr_data", DEMO_PASSWORD)
    assert summary.numbers["against_amr"] in amr.get("/disputes?tab=against", headers=HTML).text
    raised = amr.get("/disputes?tab=raised", headers=HTML).text
    assert all(summary.numbers[k] in raised for k in ("open", "corrected", "escalated"))
