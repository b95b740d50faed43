"""Demo disputes load on the demo city and show up where the demo users look."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import login
from tongban.demo.loader import DEMO_PASSWORD, DemoSummary

HTML = {"accept": "text/html"}


def test_demo_disputes_in_every_state(demo: DemoSummary, session: Session, client: TestClient) -> None:
    numbers = demo.dispute_numbers  # the demo loads them after the registers
    assert set(numbers) == {"open", "corrected", "escalated", "against_amr"}
    platform = TestClient(client.app)
    login(platform, "admin", DEMO_PASSWORD)
    queue = platform.get("/disputes?tab=platform&status=escalated", headers=HTML).text
    assert numbers["escalated"] in queue and numbers["open"] not in queue
    amr = TestClient(client.app)
    login(amr, "amr_data", DEMO_PASSWORD)
    assert numbers["against_amr"] in amr.get("/disputes?tab=against", headers=HTML).text
    raised = amr.get("/disputes?tab=raised", headers=HTML).text
    assert all(numbers[k] in raised for k in ("open", "corrected", "escalated"))
