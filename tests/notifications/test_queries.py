"""The notification pages' read models, called directly: each person sees only their own 站内信."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tests.factories import actor_of
from tongban.errors import Forbidden, NotFound
from tongban.notifications import deadline_near, queries


def test_inbox_and_message_are_the_recipients_own(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    msgs = []
    for i in range(2):
        msgs += deadline_near(session, owed_by="provider", department_id=city.hrss.id, what="共享申请",
                              number=f"GX{i}", title="t", due_on=dt.date(2026, 12, 8), days_left=2)
    session.commit()
    reader = actor_of(city.users["hrss_data"])
    inbox = queries.inbox_page(session, reader)
    assert {m.id for m in inbox.messages} == {m.id for m in msgs} and inbox.unread == 2 and inbox.pages == 1
    opened = queries.message_detail(session, reader, msgs[0].id)
    assert opened.msg.id == msgs[0].id and opened.msg.read_at is not None  # opening marks it read
    assert queries.unread_count(session, city.users["hrss_data"].id) == 1
    assert [m.id for m in queries.inbox_page(session, reader, unread_only=True).messages] == [msgs[1].id]
    # Someone else (another department's data officer) sees none of them, and cannot open one.
    other = actor_of(city.users["amr_data"])
    assert queries.inbox_page(session, other).messages == [] and queries.inbox_page(session, other).unread == 0
    with pytest.raises(NotFound):
        queries.message_detail(session, other, msgs[1].id)
    assert queries.unread_count(session, city.users["hrss_data"].id) == 1  # the refused open changed nothing


def test_inbox_is_for_people_not_systems(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    from tongban.authz import SYSTEM

    with pytest.raises(Forbidden):
        queries.inbox_page(session, SYSTEM)
