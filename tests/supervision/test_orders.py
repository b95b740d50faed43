"""督办: the supervisor orders the case's department to explain within working days; the department answers in
time or late (逾期答复), or not at all (overdue on the board); the supervisor concludes it or sends it back.
Other departments can neither read nor answer it, and nobody acts in the other side's place."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.cases.conftest import CasesWorld
from tests.supervision.conftest import rule
from tests.supervision.test_sweep import _sweep
from tongban import clock as beijing
from tongban.audit.models import AuditEntry
from tongban.cases.models import Case
from tongban.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from tongban.notifications.models import NotificationMessage
from tongban.org.models import User
from tongban.supervision import board_queries, oversight, service
from tongban.supervision.models import SupervisionOrder
from tongban.supervision.schemas import OrderAnswer, OrderIn, OrderReview

ISSUED_ON = dt.date(2026, 11, 10)  # a Tuesday: three working days → due Friday 13 Nov


def _issue(session: Session, world: CasesWorld, case: Case, days: int = 3, **more: Any) -> SupervisionOrder:
    with beijing.frozen(ISSUED_ON):
        order = oversight.issue_order(session=session, actor=world.actor("supervisor"), order_in=OrderIn(
            case_number=case.number or "", days=days, requirement="请说明该件超过承诺期限的原因及办结时间", **more))
    session.commit()
    return order


def _answer(session: Session, world: CasesWorld, order: SupervisionOrder, day: dt.date,
            who: str = "amr_clerk") -> SupervisionOrder:
    with beijing.frozen(day):
        done = oversight.answer_order(session=session, actor=world.actor(who), number=order.number,
                                      answer_in=OrderAnswer(explanation="专家评审意见返回较晚，已于当日办结"))
    session.commit()
    return done


def _told(session: Session, username: str, subject: str) -> int:
    return session.scalar(select(func.count()).select_from(NotificationMessage).join(
        User, User.id == NotificationMessage.recipient_user_id).where(
        User.username == username, NotificationMessage.channel == "inbox",
        NotificationMessage.subject.like(f"{subject}%"))) or 0


def test_a_supervision_order_answered_in_time_and_concluded(session: Session, world: CasesWorld,
                                                            case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("late", "promised_overdue", "red"))
    [alert] = _sweep(session, ISSUED_ON).raised
    order = _issue(session, world, case, alert_id=alert.id)
    assert order.number == "DB202611100001" and order.due_on == dt.date(2026, 11, 13)
    assert (order.department_id, order.state) == (case.department_id, "issued")
    assert _told(session, "amr_admin", "【督办】") == 1 and _told(session, "amr_clerk", "【督办】") == 1
    assert _told(session, "hrss_admin", "【督办】") == 0
    with pytest.raises(Conflict) as again:  # one unfinished order per alert
        _issue(session, world, case, alert_id=alert.id)
    assert again.value.code == "order_pending"
    session.rollback()
    _answer(session, world, order, dt.date(2026, 11, 13))  # the deadline day itself is in time
    assert (order.state, order.late) == ("answered", False)
    assert _told(session, "supervisor", "【督办答复】") == 1
    with pytest.raises(Forbidden):  # the department does not conclude its own order
        oversight.conclude_order(session=session, actor=world.actor("amr_admin"), number=order.number,
                                 review_in=OrderReview())
    session.rollback()
    with pytest.raises(Forbidden):  # nor does the platform admin in the supervisor's place
        oversight.conclude_order(session=session, actor=world.actor("admin"), number=order.number,
                                 review_in=OrderReview())
    session.rollback()
    oversight.conclude_order(session=session, actor=world.actor("supervisor"), number=order.number,
                             review_in=OrderReview(note="说明属实"))
    session.commit()
    assert order.state == "concluded" and _told(session, "amr_admin", "【督办办结】") == 1
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "supervision_order",
                                                               AuditEntry.object_id == order.number)
                              .order_by(AuditEntry.seq)).all()
    assert actions == ["supervision.order_issue", "supervision.order_answer", "supervision.order_conclude"]
    with pytest.raises(InvalidTransition):
        _answer(session, world, order, dt.date(2026, 11, 16))
    session.rollback()


def test_a_late_answer_is_recorded_as_late_and_a_returned_answer_is_answered_again(
        session: Session, world: CasesWorld, case: Case) -> None:
    order = _issue(session, world, case)
    _answer(session, world, order, dt.date(2026, 11, 16))  # Monday after the Friday deadline
    assert (order.state, order.late) == ("answered", True)
    with pytest.raises(ValidationFailed) as empty:
        oversight.return_order(session=session, actor=world.actor("supervisor"), number=order.number,
                               review_in=OrderReview(note=""))
    assert empty.value.code == "return_note_required"
    session.rollback()
    oversight.return_order(session=session, actor=world.actor("supervisor"), number=order.number,
                           review_in=OrderReview(note="请附专家评审意见的送达时间"))
    session.commit()
    assert (order.state, order.returns) == ("returned", 1)
    assert _told(session, "amr_reviewer", "【督办退回】") == 1
    _answer(session, world, order, dt.date(2026, 11, 17), who="amr_admin")
    assert (order.state, order.late) == ("answered", True)  # 逾期答复 stays recorded
    with beijing.frozen(dt.date(2026, 11, 17)):
        row = board_queries.order_page(session, world.actor("supervisor")).items[0]
    assert (row.late, row.overdue, row.state_label) == (True, False, "已答复待审核")


def test_an_unanswered_order_past_its_deadline_is_overdue_on_the_board(session: Session, world: CasesWorld,
                                                                       case: Case) -> None:
    order = _issue(session, world, case)
    supervisor = world.actor("supervisor")
    with beijing.frozen(dt.date(2026, 11, 13)):
        assert board_queries.order_page(session, supervisor).overdue == 0
    with beijing.frozen(dt.date(2026, 11, 16)):
        page = board_queries.order_page(session, supervisor)
        board = board_queries.board(session, supervisor)
        head = board_queries.order_page(session, world.actor("amr_admin"), overdue_only=True)
    assert (page.overdue, page.items[0].number, page.items[0].overdue) == (1, order.number, True)
    assert board.orders.overdue == 1 and [r.number for r in head.items] == [order.number]


def test_another_department_can_neither_read_nor_answer_and_bad_input_gets_a_code(
        session: Session, world: CasesWorld, case: Case, as_user: Any) -> None:
    order = _issue(session, world, case)
    with pytest.raises(NotFound):
        _answer(session, world, order, dt.date(2026, 11, 11), who="hrss_clerk")
    session.rollback()
    with pytest.raises(Forbidden):  # the platform admin sees it but does not answer for the department
        _answer(session, world, order, dt.date(2026, 11, 11), who="admin")
    session.rollback()
    with pytest.raises(Forbidden):  # only the supervisor issues
        oversight.issue_order(session=session, actor=world.actor("admin"),
                              order_in=OrderIn(case_number=case.number or "", days=3, requirement="请说明"))
    session.rollback()

    other = as_user(world.city.users["hrss_admin"])
    assert other.get(f"/api/v1/supervision/orders/{order.number}").status_code == 404
    assert other.get(f"/supervision/orders/{order.number}").status_code == 404
    refused = other.post(f"/api/v1/supervision/orders/{order.number}/answer", json={"explanation": "我们来答复"})
    assert (refused.status_code, refused.json()["code"]) == (404, "order_not_found")
    assert other.get("/api/v1/supervision/orders").json()["total"] == 0
    assert as_user(world.city.users["hrss_clerk"]).get("/supervision/orders").status_code == 200

    supervisor = as_user(world.city.users["supervisor"])
    for body, code in (({"case_number": "NOPE", "days": 3, "requirement": "请说明"}, "case_not_found"),
                       ({"case_number": case.number, "days": 0, "requirement": "请说明"}, "validation_failed"),
                       ({"case_number": case.number, "days": 3, "requirement": "请说明", "x": 1},
                        "validation_failed")):
        r = supervisor.post("/api/v1/supervision/orders", json=body)
        assert (r.status_code, r.json()["code"]) == (422, code)
    own = as_user(world.city.users["amr_reviewer"])
    empty = own.post(f"/api/v1/supervision/orders/{order.number}/answer", json={"explanation": ""})
    assert empty.status_code == 422
    assert session.get(SupervisionOrder, order.id).state == "issued"  # type: ignore[union-attr]


def test_the_department_answers_and_the_supervisor_concludes_on_the_pages(
        session: Session, world: CasesWorld, case: Case, as_user: Any) -> None:
    supervisor = as_user(world.city.users["supervisor"])
    failed = supervisor.post("/supervision/orders", data={"case_number": case.number, "days": "x",
                                                          "requirement": "请说明"})
    assert failed.status_code == 422 and "答复期限" in failed.text
    issued = supervisor.post("/supervision/orders", follow_redirects=False,
                             data={"case_number": case.number, "days": "3", "alert_id": "",
                                   "requirement": "请说明办理进度"})
    assert issued.status_code == 303
    number = session.scalars(select(SupervisionOrder.number)).one()
    clerk = as_user(world.city.users["amr_clerk"])
    listing = clerk.get("/supervision/orders")
    assert listing.status_code == 200 and number in listing.text and "待答复" in listing.text
    page = clerk.get(f"/supervision/orders/{number}")
    assert "提交答复" in page.text and "办结督办" not in page.text
    assert clerk.post(f"/supervision/orders/{number}/answer", data={"explanation": ""}).status_code == 422
    assert clerk.post(f"/supervision/orders/{number}/answer", follow_redirects=False,
                      data={"explanation": "已于今日办结"}).status_code == 303
    review = supervisor.get(f"/supervision/orders/{number}")
    assert "已于今日办结" in review.text and "采纳答复，办结督办" in review.text
    done = supervisor.post(f"/supervision/orders/{number}/review", follow_redirects=False,
                           data={"decision": "conclude", "note": ""})
    assert done.status_code == 303
    final = supervisor.get(f"/supervision/orders/{number}")
    assert "已办结" in final.text and "办结督办" in final.text
    timeline = supervisor.get(f"/supervision/cases/{case.number}").text
    assert f"{number} 发出督办" in timeline and "部门答复督办" in timeline
