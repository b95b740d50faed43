"""好差评 on the departments' and the supervisor's pages: the follow-up through real forms (CSRF from the page),
the appeal decided by the supervisor, who may not see or act, and the call-back gaps."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of, csrf_from
from tongban.notifications.models import NotificationMessage
from tongban.ratings import queries, service
from tongban.ratings.models import Rating
from tongban.ratings.schemas import CallBack, RatingCreate


def _bad(session: Session, city: SmallCity, case, level: int = 1, tags: list[str] | None = None,  # type: ignore[no-untyped-def]
         text: str = "材料清单与实际不符，跑了两趟") -> Rating:
    return service.rate(session=session, actor=actor_of(city.users["citizen"]), rating_in=RatingCreate.model_validate(
        {"case_number": case.number, "level": level, "tags": ["XS01", "XS02"] if tags is None else tags, "text": text}))


def _forms(html: str) -> list[str]:
    return re.findall(r'data-form="([a-z_]+)"', html)


def _submit(c: TestClient, number: str, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """Post a form of the rating page as a browser does: the CSRF token from the page itself."""
    page = c.get(f"/ratings/{number}")
    assert page.status_code == 200, page.text
    return c.post(f"/ratings/{number}/{action}", data={"csrf_token": csrf_from(page.text), **data},
                  follow_redirects=False)


def test_bad_rating_called_back_rectified_and_notified_on_the_pages(session: Session, city: SmallCity, case_of,  # type: ignore[no-untyped-def]
                                                                   as_user) -> None:
    number = _bad(session, city, case_of()).number
    clerk = as_user(city.users["amr_clerk"])
    listing = clerk.get("/ratings?bad=1")
    assert listing.status_code == 200 and number in listing.text and "非常不满意" in listing.text
    assert "李*" in listing.text and "李四" not in listing.text  # the applicant masked (identifiers.mask_name)
    page = clerk.get(f"/ratings/{number}")
    assert "有限责任公司设立登记" in page.text and "办事效率低" in page.text and "办事指南不准确" in page.text
    assert 'data-applicant>李*<' in page.text and "李四" not in page.text
    assert _forms(page.text) == ["callback", "appeal"]  # only what the state allows now, in state order
    assert re.search(r"<h3>\d", page.text) is None  # the <ol> numbers the steps: no second "1. 1. 回访"

    # A step out of order and an empty form are refused on the page, with what to fix.
    early = _submit(clerk, number, "notify", {"text": "已整改"})
    assert early.status_code == 409 and "待回访" in early.text and "已整改</textarea>" not in early.text
    empty = _submit(clerk, number, "callback", {"called_at": "2026-09-25T10:00", "note": ""})
    assert empty.status_code == 422 and "回访情况" not in _forms(empty.text) and "情况" in empty.text

    assert _submit(clerk, number, "callback", {"called_at": "2026-09-25T10:00",
                                               "note": "电话回访，申请人反映材料清单有误"}).status_code == 303
    page = clerk.get(f"/ratings/{number}")
    assert _forms(page.text) == ["verify", "appeal"] and "2026-09-25 10:00" in page.text
    assert _submit(clerk, number, "verify", {"note": "办事指南漏列一项材料"}).status_code == 303
    assert _forms(clerk.get(f"/ratings/{number}").text) == ["rectify_plan", "explain", "appeal"]
    assert 'name="days" min="5" max="15" value="10"' in clerk.get(f"/ratings/{number}").text  # the setting
    too_long = _submit(clerk, number, "rectify_plan", {"plan": "更正办事指南", "days": "20"})
    assert too_long.status_code == 422 and "整改期限" in too_long.text and "更正办事指南</textarea>" in too_long.text
    assert _submit(clerk, number, "rectify_plan", {"plan": "更正办事指南材料清单", "days": "5"}).status_code == 303
    page = clerk.get(f"/ratings/{number}")
    assert "整改中" in page.text and "5 个工作日" in page.text and _forms(page.text) == ["rectified"]
    assert _submit(clerk, number, "rectified", {"note": "已更正并发布"}).status_code == 303
    done = _submit(clerk, number, "notify", {"text": "办事指南已更正，感谢您的监督。"})
    assert done.status_code == 303
    page = clerk.get(f"/ratings/{number}")
    assert "已告知办结" in page.text and _forms(page.text) == []

    told = session.scalars(select(NotificationMessage).where(
        NotificationMessage.recipient_user_id == city.users["citizen"].id,
        NotificationMessage.channel == "inbox", NotificationMessage.reference == number)).one()
    assert "办事指南已更正" in told.body
    # The supervisor sees the whole trail: every step with who and when.
    trail = as_user(city.users["supervisor"]).get(f"/ratings/{number}").text
    steps = re.findall(r'data-action="(rating\.[a-z_]+)"', trail)
    assert steps == ["rating.create", "rating.callback", "rating.verify", "rating.rectify_plan", "rating.rectified",
                     "rating.notify"]
    assert "amrclerk" in trail and "安康市市场监督管理局" in trail and "整改结果告知申请人" in trail


def test_appeal_voided_by_the_supervisor_not_the_platform_admin(session: Session, city: SmallCity, case_of,  # type: ignore[no-untyped-def]
                                                               as_user) -> None:
    number = _bad(session, city, case_of(), level=2, tags=["XS04"], text="停车难").number
    head = as_user(city.users["amr_admin"])
    assert _submit(head, number, "appeal", {"reason": "评价内容为停车问题，与办事服务无关"}).status_code == 303
    assert "申诉复核中" in head.get(f"/ratings/{number}").text
    assert head.get("/ratings/appeals").status_code == 403  # the department does not decide its own appeal

    admin = as_user(city.users["admin"])
    assert admin.get("/ratings/appeals").status_code == 403
    refused = admin.post(f"/ratings/{number}/decide_appeal", data={"decision": "void", "note": "x"})
    assert refused.status_code in (403, 404)

    supervisor = as_user(city.users["supervisor"])
    waiting = supervisor.get("/ratings/appeals")
    assert waiting.status_code == 200 and f'data-appeal="{number}"' in waiting.text and "停车问题" in waiting.text
    assert "decide_appeal" in _forms(supervisor.get(f"/ratings/{number}").text)
    missing = _submit(supervisor, number, "decide_appeal", {"note": "与服务无关"})
    assert missing.status_code == 422 and "复核决定" in missing.text
    assert _submit(supervisor, number, "decide_appeal",
                   {"decision": "void", "note": "评价内容为停车问题，与办事服务无关"}).status_code == 303
    session.expire_all()
    rating = session.scalars(select(Rating).where(Rating.number == number)).one()
    assert rating.status == "voided"
    assert f'data-appeal="{number}"' not in supervisor.get("/ratings/appeals").text
    page = supervisor.get(f"/ratings/{number}").text
    assert "data-voided" in page and "申诉成立，评价作废" in page and "邓永红" in page
    assert _forms(head.get(f"/ratings/{number}").text) == []  # nothing left to do on a voided rating


def test_another_department_cannot_see_or_act(session: Session, city: SmallCity, case_of, as_user) -> None:  # type: ignore[no-untyped-def]
    number = _bad(session, city, case_of()).number
    other = as_user(city.users["hrss_clerk"])
    hidden, absent = other.get(f"/ratings/{number}"), other.get("/ratings/PJ2099010100001")
    assert hidden.status_code == absent.status_code == 404
    assert "评价不存在" in hidden.text and number not in hidden.text  # the same answer as for no rating at all
    assert number not in other.get("/ratings").text
    page = other.get("/ratings")
    acted = other.post(f"/ratings/{number}/callback", data={"csrf_token": csrf_from(page.text),
                                                            "called_at": "2026-09-25T10:00", "note": "x"})
    assert acted.status_code == 404
    assert as_user(city.users["amr_reviewer"]).get("/ratings").status_code == 403  # no rating.handle
    assert as_user(city.users["amr_reviewer"]).get(f"/ratings/{number}").status_code == 404
    assert as_user(city.users["citizen"]).get(f"/ratings/{number}").status_code == 404
    session.expire_all()
    follow = session.scalars(select(Rating).where(Rating.number == number)).one().follow_up
    assert follow is not None and follow.status == "open"


def test_callback_gaps_below_100_percent(session: Session, city: SmallCity, case_of, as_user) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    clerk = actor_of(city.users["amr_clerk"])
    called = _bad(session, city, case_of())
    _bad(session, city, case_of())  # not called back
    voided = _bad(session, city, case_of())
    _bad(session, city, case_of(), level=5, tags=[], text="")  # not a bad rating
    service.call_back(session=session, actor=clerk, number=called.number,
                      callback=CallBack(called_at=dt.datetime(2026, 9, 25, 10), note="已回访"))
    voided.status = "voided"
    session.commit()
    gaps = queries.callback_gaps(session)
    assert [(g.department_name, g.bad, g.called_back, g.rate_label) for g in gaps] == [
        ("安康市市场监督管理局", 2, 1, "50.0%")]
    assert queries.callback_gaps(session, department_id=city.hrss.id) == []
    assert "50.0%" in as_user(city.users["supervisor"]).get("/ratings/appeals").text
    service.call_back(session=session, actor=clerk, number=session.scalars(select(Rating.number).where(
        Rating.number.not_in([called.number, voided.number]), Rating.level == 1)).one(),
        callback=CallBack(called_at=dt.datetime(2026, 9, 25, 11), note="已回访"))
    assert queries.callback_gaps(session) == []  # 100%: no row
