"""The 时效 rules raising and clearing alerts on a frozen clock, the lights, and escalation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.cases.conftest import CasesWorld
from tests.cases.test_lifecycle import _submitted
from tests.supervision.conftest import rule
from tongban import clock as beijing
from tongban.audit.models import AuditEntry
from tongban.cases import handling
from tongban.cases import service as cases
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.schemas import Resumption, SupplementRequest, Suspension, Withdrawal
from tongban.notifications.models import NotificationMessage
from tongban.org.models import User
from tongban.supervision import queries, service
from tongban.supervision.models import SupervisionAlert


def _sweep(session: Session, day: dt.date) -> service.SweepResult:
    with beijing.frozen(day):
        result = service.sweep(session=session)
    session.commit()
    return result


def _alert(session: Session, case: Case) -> SupervisionAlert:
    return session.scalars(select(SupervisionAlert).where(SupervisionAlert.case_id == case.id)).one()


def _audited(session: Session, action: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)) or 0


def test_near_the_promised_deadline_turns_yellow_once_and_clears_when_the_clock_is_suspended(
        session: Session, world: CasesWorld, case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("near", "promised_near", "yellow", days=2))
    assert _sweep(session, dt.date(2026, 11, 4)).raised == []  # three working days left
    assert queries.light(session, case.id) == "green"
    assert len(_sweep(session, dt.date(2026, 11, 5)).raised) == 1  # two left: 6 and 9 Nov
    assert queries.light(session, case.id) == "yellow"
    again = _sweep(session, dt.date(2026, 11, 5))
    assert (again.raised, again.cleared) == ([], [])  # once per case and rule
    with beijing.frozen(dt.date(2026, 11, 5)):
        handling.suspend(session=session, actor=world.actor("amr_reviewer"), case_id=case.id,
                         suspension=Suspension(reason="专家评审"))
    session.commit()
    assert len(_sweep(session, dt.date(2026, 11, 5)).cleared) == 1
    alert = _alert(session, case)
    assert (alert.state, alert.clear_reason) == ("cleared", "期限已中止")
    assert queries.light(session, case.id) == "green"
    assert (_audited(session, "supervision.alert_raise"), _audited(session, "supervision.alert_clear")) == (1, 1)


def test_a_share_of_the_time_limit_raises_a_reminder_that_keeps_the_light_green(
        session: Session, world: CasesWorld, case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("admin"),
                        rule_in=rule("share", "promised_near", "remind", days=None, share=80, action="record",
                                     recipients=[]))
    assert _sweep(session, dt.date(2026, 11, 5)).raised == []  # 3 of 5 working days used
    assert len(_sweep(session, dt.date(2026, 11, 6)).raised) == 1  # 4 of 5: 80 %
    assert (_alert(session, case).level, queries.light(session, case.id)) == ("remind", "green")


def test_past_the_promised_deadline_turns_red_and_clears_when_the_case_ends(
        session: Session, world: CasesWorld, case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("late", "promised_overdue", "red"))
    assert _sweep(session, dt.date(2026, 11, 9)).raised == []  # the due day itself is not late
    assert len(_sweep(session, dt.date(2026, 11, 10)).raised) == 1
    assert queries.light(session, case.id) == "red"
    with beijing.frozen(dt.date(2026, 11, 10)):
        cases.withdraw(session=session, actor=world.actor("enterprise"), case_id=case.id, withdrawal=Withdrawal())
    session.commit()
    assert len(_sweep(session, dt.date(2026, 11, 11)).cleared) == 1
    assert (_alert(session, case).clear_reason, queries.light(session, case.id)) == ("办件已办结或终止", "green")


def test_past_the_legal_deadline_turns_red_and_clears_when_the_rule_is_deactivated(
        session: Session, world: CasesWorld, case: Case) -> None:
    supervisor = world.actor("supervisor")
    service.create_rule(session=session, actor=supervisor, rule_in=rule("legal", "legal_overdue", "red", days=1))
    assert _sweep(session, dt.date(2026, 11, 30)).raised == []
    assert _sweep(session, dt.date(2026, 12, 1)).raised != []  # one working day past 30 Nov
    assert queries.light(session, case.id) == "red"
    service.update_rule(session=session, actor=supervisor, code="legal",
                        rule_in=rule("legal", "legal_overdue", "red", days=1, active=False))
    session.commit()
    assert len(_sweep(session, dt.date(2026, 12, 2)).cleared) == 1
    assert _alert(session, case).clear_reason == "规则已停用"


def test_a_rule_scoped_to_another_department_raises_nothing(session: Session, world: CasesWorld,
                                                            case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"), rule_in=rule(
        "hrss", "promised_overdue", "red", scope="department", department_id=world.city.hrss.id))
    assert _sweep(session, dt.date(2026, 11, 10)).raised == []
    service.create_rule(session=session, actor=world.actor("supervisor"), rule_in=rule(
        "item", "promised_overdue", "red", scope="item", item_code=case.item_code))
    assert len(_sweep(session, dt.date(2026, 11, 10)).raised) == 1


def _told(session: Session, usernames: list[str]) -> int:
    return session.scalar(select(func.count()).select_from(NotificationMessage).join(
        User, User.id == NotificationMessage.recipient_user_id).where(
        User.username.in_(usernames), NotificationMessage.channel == "inbox",
        NotificationMessage.subject.like("【电子监察%"))) or 0


def test_an_open_alert_escalates_to_the_handler_then_the_department_head_then_the_supervisor_once_each(
        session: Session, world: CasesWorld, case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("late", "promised_overdue", "red", escalate_days=1))
    handlers, head, supervisor = ["amr_clerk", "amr_reviewer"], ["amr_admin"], ["supervisor"]
    _sweep(session, dt.date(2026, 11, 10))  # raised: nobody told yet (the cases' own sweep warns the handlers)
    assert _told(session, handlers + head + supervisor) == 0
    steps = []
    for day in (dt.date(2026, 11, 11), dt.date(2026, 11, 11), dt.date(2026, 11, 12), dt.date(2026, 11, 12),
                dt.date(2026, 11, 13), dt.date(2026, 11, 16), dt.date(2026, 11, 17)):
        steps.append([kind for _alert_, kind in _sweep(session, day).notified])
    assert steps == [["handler"], [], ["dept_admin"], [], ["supervisor"], [], []]
    assert (_told(session, handlers), _told(session, head), _told(session, supervisor)) == (2, 1, 1)
    assert _told(session, ["hrss_admin", "hrss_clerk"]) == 0
    assert _audited(session, "supervision.alert_escalate") == 3
    assert _alert(session, case).step == 3


def test_several_alerts_escalating_together_reach_each_person_in_one_notice_that_lists_them(
        session: Session, world: CasesWorld, case: Case) -> None:
    with beijing.frozen(dt.date(2026, 11, 2)):
        other = _submitted(session, world).case
        handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=other.id)
    session.commit()
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("late", "promised_overdue", "red", escalate_days=1))
    assert len(_sweep(session, dt.date(2026, 11, 10)).raised) == 2
    assert [k for _a, k in _sweep(session, dt.date(2026, 11, 11)).notified] == ["handler", "handler"]
    assert _told(session, ["amr_clerk"]) == 1  # one notice about both cases
    notice = session.scalars(select(NotificationMessage).join(User, User.id == NotificationMessage.recipient_user_id)
                             .where(User.username == "amr_clerk", NotificationMessage.channel == "inbox",
                                    NotificationMessage.subject.like("【电子监察%"))).one()
    assert "2 件办件" in notice.subject and case.number in notice.body and other.number in notice.body
    assert _audited(session, "supervision.alert_escalate") == 2  # each case's step on its own timeline


def test_escalation_waits_for_the_working_days_of_the_interval(session: Session, world: CasesWorld,
                                                              case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("late", "promised_overdue", "red", escalate_days=2))
    _sweep(session, dt.date(2026, 11, 12))  # Thursday: raised
    assert _sweep(session, dt.date(2026, 11, 13)).notified == []  # one working day
    assert _sweep(session, dt.date(2026, 11, 15)).notified == []  # Sunday: still one
    assert [k for _a, k in _sweep(session, dt.date(2026, 11, 16)).notified] == ["handler"]


def test_a_supplement_notice_asking_the_applicant_for_a_fetchable_material_raises_a_material_alert(
        session: Session, world: CasesWorld, no_rules: None) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("fetchable", "material", "yellow", days=None))
    clerk = world.actor("amr_clerk")
    with beijing.frozen(dt.date(2026, 11, 2)):
        asked, fetched = _submitted(session, world).case, _submitted(session, world).case
        for made, how in ((asked, "correct"), (fetched, "fetch")):
            licence = session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == made.id,
                                                                  CaseMaterial.name == "营业执照")).one()
            handling.request_supplement(session=session, actor=clerk, case_id=made.id, request=SupplementRequest(
                items=[{"material_id": licence.id, "how": how, "note": "请核对"}]))
    session.commit()
    raised = _sweep(session, dt.date(2026, 11, 3)).raised
    assert [a.case_id for a in raised] == [asked.id]
    assert _sweep(session, dt.date(2026, 11, 3)).raised == []  # once
    assert queries.light(session, asked.id) == "yellow" and queries.light(session, fetched.id) == "green"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "supervision.alert_raise")).one()
    assert "营业执照" in str(entry.detail)
    service.update_rule(session=session, actor=world.actor("supervisor"), code="fetchable",
                        rule_in=rule("fetchable", "material", "yellow", days=None, active=False))
    session.commit()
    assert len(_sweep(session, dt.date(2026, 11, 4)).cleared) == 1


def test_a_cleared_alert_is_raised_again_on_the_same_row_when_the_condition_holds_again(
        session: Session, world: CasesWorld, case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("near", "promised_near", "yellow", days=2))
    [first] = _sweep(session, dt.date(2026, 11, 5)).raised
    reviewer = world.actor("amr_reviewer")
    with beijing.frozen(dt.date(2026, 11, 5)):
        handling.suspend(session=session, actor=reviewer, case_id=case.id, suspension=Suspension(reason="专家评审"))
    session.commit()
    assert _sweep(session, dt.date(2026, 11, 5)).cleared == [first]
    with beijing.frozen(dt.date(2026, 11, 6)):
        handling.resume(session=session, actor=reviewer, case_id=case.id, resumption=Resumption())
    session.commit()
    assert case.promised_due_on is not None and case.promised_due_on > dt.date(2026, 11, 9)
    [again] = _sweep(session, dt.date(2026, 11, 6)).raised
    assert (again.id, again.state, again.step, again.clear_reason) == (first.id, "open", 0, "")
    assert _audited(session, "supervision.alert_raise") == 2
