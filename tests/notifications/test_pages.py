"""The 消息 page through the real app: the unread badge in the shared layout, opening, marking read."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import csrf_from, login
from tongban.notifications import deadline_near
from tongban.notifications.models import NotificationMessage
from tongban.org.models import User


def _badge(html: str) -> str | None:
    m = re.search(r'<a href="/messages" class="messages">消息(?: <span class="tag warn">未读 (\d+)</span>)?</a>', html)
    assert m, "the layout has no 消息 entry"
    return m.group(1)


def _tell(session: Session, city, n: int) -> list[NotificationMessage]:  # type: ignore[no-untyped-def]
    msgs = []
    for i in range(n):
        msgs += deadline_near(session, owed_by="provider", department_id=city.hrss.id, what="共享申请", number=f"GX2026120300{i}",
                              title="户籍人口基本信息", due_on=dt.date(2026, 12, 8), days_left=2,
                              link="/sharing")
    session.commit()
    return msgs


def test_unread_badge_message_page_and_marking_read(client: TestClient, session: Session, city) -> None:  # type: ignore[no-untyped-def]
    first, second = _tell(session, city, 2)
    login(client, "hrss_data")
    home = client.get("/home")
    assert _badge(home.text) == "2"

    page = client.get("/messages")
    assert page.status_code == 200
    assert "共享申请 GX20261203000 将于 2026-12-08 到期" in page.text and "未读（2）" in page.text

    opened = client.get(f"/messages/{first.id}")
    assert opened.status_code == 200
    assert "还剩 2 个工作日，请及时办理。" in opened.text and 'href="/sharing"' in opened.text
    assert _badge(opened.text) == "1"  # opening marks it read

    r = client.post(f"/messages/{second.id}/read", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert _badge(client.get("/home").text) is None
    assert "没有未读消息。" in client.get("/messages?unread=1").text


def test_read_all_and_other_peoples_messages(client: TestClient, session: Session, city) -> None:  # type: ignore[no-untyped-def]
    msgs = _tell(session, city, 3)
    login(client, "amr_data")  # not the recipient
    assert _badge(client.get("/home").text) is None
    assert client.get(f"/messages/{msgs[0].id}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/home").text)})

    login(client, "hrss_data")
    page = client.get("/messages")
    r = client.post("/messages/read-all", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 200 and "已将 3 条消息标为已读" in r.text
    assert _badge(r.text) is None


def test_every_kind_of_user_has_a_message_page(client: TestClient, session: Session, city) -> None:  # type: ignore[no-untyped-def]
    citizen: User = city.users["citizen"]
    login(client, citizen.username)
    page = client.get("/messages")
    assert page.status_code == 200 and "暂无消息。" in page.text
    assert _badge(page.text) is None


def test_the_badge_costs_one_query_per_page(client: TestClient, engine: Engine, session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _tell(session, city, 1)
    login(client, "hrss_data")
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if "notification_messages" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert _badge(client.get("/sharing").text) == "1"  # drawn in its handler's thread, with its session
        assert _badge(client.get("/account/password").text) == "1"  # drawn with no session: a pooled connection
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(seen) == 2
    # The home is drawn on the event loop (tongban/cards.py): the badge is counted there, the same number.
    assert _badge(client.get("/home").text) == "1"
    _tell(session, city, 2)
    assert _badge(client.get("/home").text) == "3"
