"""Pages speak Chinese to their readers: no package names or internal codes in what they see."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.factories import login


def test_calendar_names_the_notice_not_the_package(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "admin")
    page = client.get("/admin/calendar?year=2026", headers={"accept": "text/html"})
    assert page.status_code == 200
    shown = re.sub(r"<[^>]+>", " ", page.text)
    assert "chinese-calendar" not in shown and "软件包" not in shown
    assert "国务院办公厅关于2026年部分节假日安排的通知" in shown
