"""Notifications on the transaction scope: a notice queued by a rolled-back use-case is never made nor
delivered; one queued by a committed use-case is delivered once; marking read is a use-case of its own."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import actor_of
from tests.notifications.conftest import MailServer
from tongban.jobs import run_pending
from tongban.jobs.models import Job
from tongban.notifications import deadline_near, queries
from tongban.notifications import service as notifications
from tongban.notifications.models import NotificationMessage
from tongban.org import service as org
from tongban.org.schemas import RegionCreate
from tongban.transactions import scope


def _use_case(session: Session, city, *, code: str) -> None:  # type: ignore[no-untyped-def]
    """A real org use-case, then the deadline notice to the provider's data officers (站内信 + e-mail)."""
    org.create_region(session=session, actor=actor_of(city.users["admin"]),
                      region_in=RegionCreate(code=code, name="测试区", level="county"))
    deadline_near(session, owed_by="provider", department_id=city.hrss.id, what="共享申请", number=f"GX{code}",
                  title="户籍人口基本信息", due_on=dt.date(2026, 12, 8), days_left=2)


def _count(session: Session, model, *where) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_a_notice_queued_by_a_rolled_back_use_case_is_never_delivered(session: Session, city, mail_on,  # type: ignore[no-untyped-def]
                                                                      smtp: MailServer,
                                                                      factory: sessionmaker[Session]) -> None:
    city.users["hrss_data"].email = "hrss.data@ankang.test"
    session.commit()
    with pytest.raises(RuntimeError), scope(session):
        _use_case(session, city, code="970001")
        raise RuntimeError("the outer use-case fails after the notice was queued")
    assert _count(session, NotificationMessage) == 0 and _count(session, Job) == 0
    run_pending(factory)
    assert smtp.messages == []

    with scope(session):
        _use_case(session, city, code="970002")
    assert _count(session, NotificationMessage, NotificationMessage.reference == "GX970002") == 2  # inbox, e-mail
    run_pending(factory)
    run_pending(factory)
    assert len(smtp.to("hrss.data@ankang.test")) == 1
    [mail] = session.execute(select(NotificationMessage).where(NotificationMessage.channel == "email")).scalars()
    assert (mail.status, mail.attempts) == ("delivered", 1)


def test_marking_read_inside_a_failing_use_case_leaves_the_message_unread(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    with scope(session):
        [msg] = deadline_near(session, owed_by="provider", department_id=city.hrss.id, what="共享申请",
                              number="GX1", title="t", due_on=dt.date(2026, 12, 8), days_left=2)
    reader = actor_of(city.users["hrss_data"])
    with pytest.raises(RuntimeError), scope(session):
        notifications.open_message(session=session, actor=reader, message_id=msg.id)
        notifications.mark_all_read(session=session, actor=reader)
        raise RuntimeError
    assert queries.unread_count(session, reader.id or 0) == 1
    assert notifications.mark_all_read(session=session, actor=reader) == 1
    assert _count(session, NotificationMessage, NotificationMessage.read_at.is_(None)) == 0
