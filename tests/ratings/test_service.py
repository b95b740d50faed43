"""好差评 use-cases: rating rules, the bad-rating follow-up with its state machine, appeals, the default job."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of, citizen
from tongban import clock
from tongban.audit.models import AuditEntry
from tongban.config import get_settings
from tongban.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from tongban.notifications.models import NotificationMessage
from tongban.ratings import service
from tongban.ratings.models import Rating
from tongban.ratings.schemas import (
    Appeal,
    AppealDecision,
    CallBack,
    Explanation,
    Notice,
    RatingAddition,
    RatingCreate,
    Rectified,
    RectifyPlan,
    Verification,
)

D = dt.date


def _rate(session: Session, user, case, **kw) -> Rating:  # type: ignore[no-untyped-def]
    data = {"case_number": case.number, "level": 5, **kw}
    return service.rate(session=session, actor=actor_of(user), rating_in=RatingCreate.model_validate(data))


def test_once_per_case_and_channel(session: Session, city: SmallCity, case_of) -> None:  # type: ignore[no-untyped-def]
    case = case_of()
    me = city.users["citizen"]
    rating = _rate(session, me, case, level=4, text="办理很快")
    assert rating.number.startswith("PJ") and rating.follow_up is None and rating.department_id == city.amr.id
    with pytest.raises(Conflict) as refused:
        _rate(session, me, case, level=5)
    assert refused.value.code == "rating_exists" and "只能评价一次" in refused.value.message
    _rate(session, me, case, channel="window", level=5)  # 一次一评 at the window is a rating of its own
    service.add_to_rating(session=session, actor=actor_of(me), number=rating.number,
                          addition=RatingAddition(text="补充：窗口人员很耐心"))
    with pytest.raises(InvalidTransition):
        service.add_to_rating(session=session, actor=actor_of(me), number=rating.number,
                              addition=RatingAddition(text="再补充一次"))
    assert session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == rating.number).order_by(AuditEntry.seq)).all() == [
        "rating.create", "rating.add"]


def test_not_before_the_result_nor_someone_elses(session: Session, city: SmallCity, case_of) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidTransition) as early:
        _rate(session, city.users["citizen"], case_of(status="accepted"))
    assert early.value.status_code == 409 and "办结后" in early.value.message
    other = citizen(session, name="王五")
    session.commit()
    with pytest.raises(NotFound):
        _rate(session, other, case_of())
    with pytest.raises(NotFound):  # staff do not rate in the applicant's place
        _rate(session, city.users["amr_clerk"], case_of())


def test_tags_follow_the_standard(session: Session, city: SmallCity, case_of) -> None:  # type: ignore[no-untyped-def]
    me = city.users["citizen"]
    with pytest.raises(ValidationFailed) as missing:
        _rate(session, me, case_of(), level=2)
    assert missing.value.code == "tags_required"
    with pytest.raises(ValidationFailed):
        _rate(session, me, case_of(), level=5, tags=["XS01"])
    with pytest.raises(ValidationFailed):
        _rate(session, me, case_of(), level=1, tags=["XX03"])  # a window tag on an online rating


def test_bad_rating_call_back_rectify_and_notice(session: Session, city: SmallCity, case_of) -> None:  # type: ignore[no-untyped-def]
    me, clerk = city.users["citizen"], city.users["amr_clerk"]
    rating = _rate(session, me, case_of(), level=1, tags=["XS01", "XS02"], text="材料清单与实际不符，跑了两趟")
    number = rating.number
    assert rating.follow_up is not None and rating.follow_up.status == "open"
    told = session.scalars(select(NotificationMessage.recipient_user_id).where(
        NotificationMessage.reference == number, NotificationMessage.channel == "inbox")).all()
    assert set(told) == {clerk.id, city.users["amr_admin"].id}  # not the reviewer, not another department
    dept = actor_of(clerk)
    # Another department, or a step out of order, is refused.
    with pytest.raises(NotFound):
        service.call_back(session=session, actor=actor_of(city.users["hrss_clerk"]), number=number,
                          callback=CallBack(called_at=dt.datetime(2026, 9, 25, 2), note="x"))
    with pytest.raises(InvalidTransition) as order:
        service.verify(session=session, actor=dept, number=number, verification=Verification(note="x"))
    assert order.value.status_code == 409 and "待回访" in order.value.message
    service.call_back(session=session, actor=dept, number=number,
                      callback=CallBack(called_at=dt.datetime(2026, 9, 25, 2), note="电话回访，申请人反映材料清单有误"))
    service.verify(session=session, actor=dept, number=number, verification=Verification(note="办事指南漏列一项材料"))
    with clock.frozen(D(2026, 9, 28)):  # Monday before the 国庆 holiday (10-01 … 10-07, 10-10 a working Saturday)
        rating = service.plan_rectification(session=session, actor=dept, number=number,
                                            plan=RectifyPlan(plan="更正办事指南材料清单"))
    assert rating.follow_up is not None
    assert rating.follow_up.rectify_days == 10 and rating.follow_up.rectify_due_on == D(2026, 10, 16)
    service.complete_rectification(session=session, actor=dept, number=number, done=Rectified(note="已更正并发布"))
    rating = service.notify_applicant(session=session, actor=dept, number=number,
                                      notice=Notice(text="办事指南已更正，感谢您的监督。"))
    assert rating.follow_up is not None and rating.follow_up.status == "notified"
    assert rating.follow_up.callback_at == dt.datetime(2026, 9, 24, 18)  # 09-25 02:00 Beijing time, kept in UTC
    message = session.scalars(select(NotificationMessage).where(
        NotificationMessage.recipient_user_id == me.id, NotificationMessage.channel == "inbox")).one()
    assert rating.case_number in message.subject and "办事指南已更正" in message.body
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == number)
                              .order_by(AuditEntry.seq)).all()
    assert actions == ["rating.create", "rating.callback", "rating.verify", "rating.rectify_plan", "rating.rectified",
                       "rating.notify"]
    # The department sees the text but not the applicant's name; the applicant sees their own.
    shown = service.rating_read(session, dept, rating)
    assert shown.text.startswith("材料清单") and shown.applicant != me.display_name and "*" in shown.applicant
    assert service.rating_read(session, actor_of(me), rating).applicant == me.display_name


def test_rectify_days_within_local_rules(session: Session, city: SmallCity, case_of) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        RectifyPlan(plan="x", days=4)
    with pytest.raises(ValueError):
        RectifyPlan(plan="x", days=16)


def test_appeal_voided_by_the_supervisor(session: Session, city: SmallCity, case_of) -> None:  # type: ignore[no-untyped-def]
    rating = _rate(session, city.users["citizen"], case_of(), level=2, tags=["XS04"], text="停车难")
    dept = actor_of(city.users["amr_admin"])
    service.appeal(session=session, actor=dept, number=rating.number, appeal_in=Appeal(reason="评价内容与服务无关"))
    with pytest.raises(Forbidden):  # the department does not decide its own appeal
        service.decide_appeal(session=session, actor=dept, number=rating.number,
                              decision=AppealDecision(decision="void", note="x"))
    with pytest.raises(InvalidTransition):  # nor go on while it is under review
        service.call_back(session=session, actor=dept, number=rating.number,
                          callback=CallBack(called_at=dt.datetime(2026, 9, 25, 2), note="x"))
    rating = service.decide_appeal(session=session, actor=actor_of(city.users["supervisor"]), number=rating.number,
                                   decision=AppealDecision(decision="void", note="评价内容为停车问题，与办事服务无关"))
    assert rating.status == "voided" and rating.void_reason.startswith("评价内容")
    assert rating.follow_up is not None and rating.follow_up.status == "voided"


def test_appeal_kept_resumes_the_follow_up(session: Session, city: SmallCity, case_of) -> None:  # type: ignore[no-untyped-def]
    rating = _rate(session, city.users["citizen"], case_of(), level=2, tags=["XS01"])
    dept = actor_of(city.users["amr_admin"])
    service.appeal(session=session, actor=dept, number=rating.number, appeal_in=Appeal(reason="申请人未按要求提交"))
    rating = service.decide_appeal(session=session, actor=actor_of(city.users["supervisor"]), number=rating.number,
                                   decision=AppealDecision(decision="keep", note="评价针对办理时长，应予整改"))
    assert rating.status == "valid" and rating.follow_up is not None and rating.follow_up.status == "open"
    service.call_back(session=session, actor=dept, number=rating.number,
                      callback=CallBack(called_at=dt.datetime(2026, 9, 25, 2), note="已回访"))
    service.verify(session=session, actor=dept, number=rating.number, verification=Verification(note="属实"))
    rating = service.explain(session=session, actor=dept, number=rating.number,
                             explanation=Explanation(text="法定审查环节所需时间，已向申请人说明"))
    assert rating.follow_up is not None and rating.follow_up.status == "explained"


def test_default_rating_job(session: Session, city: SmallCity, case_of, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    old = case_of(decided_at=dt.datetime(2026, 9, 1, 2))
    recent = case_of(decided_at=dt.datetime(2026, 9, 9, 2))
    rated = case_of(decided_at=dt.datetime(2026, 9, 1, 2))
    case_of(status="accepted")
    _rate(session, city.users["citizen"], rated, level=5)
    now = dt.datetime(2026, 9, 10, 2)
    assert service.apply_default_ratings(session=session, on=now) == 0  # off by default
    monkeypatch.setenv("TONGBAN_RATING_DEFAULT_AFTER_DAYS", "7")
    get_settings.cache_clear()
    try:
        assert service.apply_default_ratings(session=session, on=now) == 1
        assert service.apply_default_ratings(session=session, on=now) == 0  # once
    finally:
        monkeypatch.delenv("TONGBAN_RATING_DEFAULT_AFTER_DAYS")
        get_settings.cache_clear()
    default = session.scalars(select(Rating).where(Rating.case_id == old.id)).one()
    assert default.is_default and default.level == 3 and default.follow_up is None
    assert session.scalars(select(Rating).where(Rating.case_id == recent.id)).first() is None
