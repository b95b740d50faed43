"""整改逾期: the working-morning job marks a rectification past its deadline once, tells the department head,
then the supervisor, each step audited; the lists show 逾期."""

from __future__ import annotations

import datetime as dt
from datetime import date as D

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of
from tongban import clock
from tongban.audit.models import AuditEntry
from tongban.db import make_session_factory
from tongban.jobs import run_pending
from tongban.jobs.models import DONE, Job
from tongban.notifications.models import NotificationMessage
from tongban.ratings import service
from tongban.ratings.models import Rating
from tongban.ratings.schemas import CallBack, RatingCreate, Rectified, RectifyPlan, Verification


def _rectifying(session: Session, city: SmallCity, case) -> str:  # type: ignore[no-untyped-def]
    rating = service.rate(session=session, actor=actor_of(city.users["citizen"]), rating_in=RatingCreate(
        case_number=case.number, level=1, tags=["XS01"], text="太慢"))
    dept = actor_of(city.users["amr_clerk"])
    service.call_back(session=session, actor=dept, number=rating.number,
                      callback=CallBack(called_at=dt.datetime(2026, 9, 25, 10), note="已回访"))
    service.verify(session=session, actor=dept, number=rating.number, verification=Verification(note="属实"))
    with clock.frozen(D(2026, 9, 28)):  # due 2026-10-16 (10 working days over the 国庆 holiday)
        service.plan_rectification(session=session, actor=dept, number=rating.number,
                                   plan=RectifyPlan(plan="压缩审查环节"))
    session.commit()
    return rating.number


def _told(session: Session, number: str) -> list[int]:
    return list(session.scalars(select(NotificationMessage.recipient_user_id).where(
        NotificationMessage.reference == number, NotificationMessage.channel == "inbox",
        NotificationMessage.subject.like("差评整改逾期%")).order_by(NotificationMessage.id)))


def _steps(session: Session, number: str) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_id == number, AuditEntry.action.like("rating.rectify_%")).order_by(AuditEntry.seq)))


def test_overdue_rectification_warned_once_then_escalated(engine: Engine, session: Session, city: SmallCity,  # type: ignore[no-untyped-def]
                                                          case_of) -> None:
    number = _rectifying(session, city, case_of())
    late = _rectifying(session, city, case_of())
    head, supervisor = city.users["amr_admin"].id, city.users["supervisor"].id
    assert service.warn_overdue_rectifications(session=session, day=D(2026, 10, 16)) == []  # the due day itself

    # The job runner fires it on the next working morning (Monday 10-19, 08:10 Beijing = 00:10 UTC).
    factory = make_session_factory(engine)
    morning = D(2026, 10, 19)
    run_pending(factory, periodic=True, now=dt.datetime.combine(morning, dt.time(0, 0)) - dt.timedelta(hours=1))
    with clock.frozen(morning):
        run_pending(factory, periodic=True, now=dt.datetime.combine(morning, dt.time(0, 10, 30)))
    assert [j.status for j in session.scalars(select(Job).where(Job.name == "ratings.overdue"))] == [DONE]
    session.expire_all()
    assert _told(session, number) == [head] and _told(session, late) == [head]
    follow = session.scalars(select(Rating).where(Rating.number == number)).one().follow_up
    assert follow is not None and follow.overdue_on == morning and follow.overdue_step == 1

    # Once: a rerun the same morning, or the next morning, tells no one again.
    assert service.warn_overdue_rectifications(session=session, day=morning) == []
    assert service.warn_overdue_rectifications(session=session, day=D(2026, 10, 20)) == []
    # One of them is rectified (late); the other is still overdue two working days later: the supervisor.
    service.complete_rectification(session=session, actor=actor_of(city.users["amr_clerk"]), number=late,
                                   done=Rectified(note="已完成"))
    assert service.warn_overdue_rectifications(session=session, day=D(2026, 10, 21)) == [(number, 2)]
    assert service.warn_overdue_rectifications(session=session, day=D(2026, 10, 21)) == []
    assert service.warn_overdue_rectifications(session=session, day=D(2026, 10, 30)) == []
    session.commit()
    assert _told(session, number) == [head, supervisor] and _told(session, late) == [head]
    assert _steps(session, number) == ["rating.rectify_plan", "rating.rectify_overdue", "rating.rectify_escalate"]
    assert _steps(session, late) == ["rating.rectify_plan", "rating.rectify_overdue"]
    message = session.scalars(select(NotificationMessage).where(
        NotificationMessage.recipient_user_id == supervisor, NotificationMessage.reference == number,
        NotificationMessage.channel == "inbox")).one()
    assert "2026-10-16" in message.body and "安康市市场监督管理局" in message.subject


def test_lists_show_overdue(session: Session, city: SmallCity, case_of, as_user) -> None:  # type: ignore[no-untyped-def]
    number = _rectifying(session, city, case_of())
    on_time = service.rate(session=session, actor=actor_of(city.users["citizen"]), rating_in=RatingCreate(
        case_number=case_of().number, level=2, tags=["XS03"])).number
    session.commit()
    clerk = as_user(city.users["amr_clerk"])
    with clock.frozen(D(2026, 10, 16)):
        assert "data-overdue" not in clerk.get("/ratings").text
    with clock.frozen(D(2026, 10, 19)):
        listing = clerk.get("/ratings").text
        assert "data-overdue" in listing and 'data-overdue-count="1"' in listing
        only = clerk.get("/ratings?overdue=1").text
        assert number in only and on_time not in only
        assert "data-overdue" in clerk.get(f"/ratings/{number}").text
        by_status = clerk.get("/ratings?status=open").text
        assert on_time in by_status and f'data-rating="{number}"' not in by_status
