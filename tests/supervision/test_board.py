"""The supervisor's board: closing an alert with its outcome (and the sweep keeping it closed), the counts by
department and by item and level, the department head's restricted board, a case's timeline, and the pages
and JSON API over real HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.cases.conftest import CasesWorld
from tests.cases.test_lifecycle import _submitted
from tests.supervision.conftest import rule
from tests.supervision.test_sweep import _alert, _sweep
from tongban import clock as beijing
from tongban.audit.models import AuditEntry
from tongban.cases import handling
from tongban.cases import service as cases
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.schemas import Resumption, SupplementRequest, Suspension, Withdrawal
from tongban.errors import Forbidden, InvalidTransition, ValidationFailed
from tongban.supervision import board_queries, oversight, queries, service
from tongban.supervision.models import SupervisionAlert, SupervisionRule
from tongban.supervision.schemas import AlertClose


def _close(session: Session, world: CasesWorld, alert: SupervisionAlert, outcome: str = "explained",
           note: str = "申请人补充材料，已电话说明", who: str = "supervisor") -> SupervisionAlert:
    closed = oversight.close_alert(session=session, actor=world.actor(who), alert_id=alert.id,
                                   close_in=AlertClose(outcome=outcome, note=note))
    session.commit()
    return closed


def _audited(session: Session, action: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)) or 0


def test_a_closed_alert_stays_closed_and_unescalated_while_its_condition_holds_then_clears(
        session: Session, world: CasesWorld, case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("late", "promised_overdue", "red"))
    [alert] = _sweep(session, dt.date(2026, 11, 10)).raised
    with pytest.raises(Forbidden):  # the platform admin does not act in the supervisor's place
        _close(session, world, alert, who="admin")
    session.rollback()
    with pytest.raises(ValidationFailed) as other:
        _close(session, world, alert, outcome="other", note="")
    assert other.value.code == "outcome_note_required"
    session.rollback()
    _close(session, world, alert)
    assert (alert.state, alert.outcome, queries.light(session, case.id)) == ("closed", "explained", "green")
    with pytest.raises(InvalidTransition):
        _close(session, world, alert)
    session.rollback()
    for day in (dt.date(2026, 11, 11), dt.date(2026, 11, 12), dt.date(2026, 11, 13)):
        result = _sweep(session, day)
        assert (result.raised, result.cleared, result.notified) == ([], [], [])  # not reopened, not escalated
    assert (_alert(session, case).state, _alert(session, case).step) == ("closed", 0)
    with beijing.frozen(dt.date(2026, 11, 13)):
        cases.withdraw(session=session, actor=world.actor("enterprise"), case_id=case.id, withdrawal=Withdrawal())
    session.commit()
    assert len(_sweep(session, dt.date(2026, 11, 16)).cleared) == 1  # the episode ends
    assert _alert(session, case).state == "cleared"
    assert _audited(session, "supervision.alert_close") == 1


def test_a_closed_alert_is_raised_again_when_its_condition_holds_in_a_new_episode(
        session: Session, world: CasesWorld, case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("near", "promised_near", "yellow", days=2))
    [first] = _sweep(session, dt.date(2026, 11, 5)).raised
    _close(session, world, first, outcome="urged", note="")
    reviewer = world.actor("amr_reviewer")
    with beijing.frozen(dt.date(2026, 11, 5)):
        handling.suspend(session=session, actor=reviewer, case_id=case.id, suspension=Suspension(reason="专家评审"))
    session.commit()
    assert _sweep(session, dt.date(2026, 11, 5)).cleared == [first]
    with beijing.frozen(dt.date(2026, 11, 6)):
        handling.resume(session=session, actor=reviewer, case_id=case.id, resumption=Resumption())
    session.commit()
    [again] = _sweep(session, dt.date(2026, 11, 6)).raised
    assert (again.id, again.state, again.outcome, again.closed_at) == (first.id, "open", "", None)


def test_a_material_alert_which_never_clears_by_itself_can_be_closed(session: Session, world: CasesWorld,
                                                                      no_rules: None) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("fetchable", "material", "yellow", days=None))
    with beijing.frozen(dt.date(2026, 11, 2)):
        made = _submitted(session, world).case
        licence = session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == made.id,
                                                              CaseMaterial.name == "营业执照")).one()
        handling.request_supplement(session=session, actor=world.actor("amr_clerk"), case_id=made.id,
                                    request=SupplementRequest(items=[{"material_id": licence.id, "how": "correct",
                                                                      "note": "请核对"}]))
    session.commit()
    [alert] = _sweep(session, dt.date(2026, 11, 3)).raised
    _close(session, world, alert, outcome="false_alarm", note="")
    result = _sweep(session, dt.date(2026, 11, 4))
    assert (result.raised, result.cleared) == ([], [])
    assert _alert(session, made).state == "closed"


def _planted(session: Session, case: Case, level: str, name: str, department_id: int | None = None) -> None:
    rule_ = SupervisionRule(code=f"p{level[:3]}{case.id}", name=name, kind="legal_overdue", level=level, days=0)
    session.add(rule_)
    session.flush()
    session.add(SupervisionAlert(rule_id=rule_.id, case_id=case.id, level=level, raised_on=dt.date(2026, 11, 2),
                                 department_id=department_id or case.department_id))
    session.commit()


@pytest.fixture
def three(session: Session, world: CasesWorld, no_rules: None) -> list[Case]:
    """Two AMR cases (red + yellow, yellow) and one HRSS case (red)."""
    amr1, amr2 = _submitted(session, world).case, _submitted(session, world).case
    hrss = _submitted(session, world, impl_id=world.social.id).case
    _planted(session, amr1, "red", "超过法定期限报警")
    _planted(session, amr1, "yellow", "临近承诺期限预警")
    _planted(session, amr2, "yellow", "临近承诺期限预警")
    _planted(session, hrss, "red", "超过法定期限报警")
    return [amr1, amr2, hrss]


def test_the_board_counts_open_alerts_by_department_and_by_item_and_level(
        session: Session, world: CasesWorld, three: list[Case]) -> None:
    amr1, _amr2, hrss = three
    board = board_queries.board(session, world.actor("supervisor"))
    counts = {d.department: (d.red, d.yellow, d.total) for d in board.departments}
    assert counts == {world.city.amr.name: (1, 2, 3), world.city.hrss.name: (1, 0, 1)}
    by_item = {(i.item_code, i.level): i.count for i in board.items}
    assert by_item == {(amr1.item_code, "red"): 1, (amr1.item_code, "yellow"): 2, (hrss.item_code, "red"): 1}
    assert [a.level for a in board.alerts.items][:2] == ["red", "red"]  # red first
    assert board.alerts.total == 4 and board.scope == "全市"
    reds = board_queries.board(session, world.actor("supervisor"), level="red", item_code=amr1.item_code)
    assert [a.case_number for a in reds.alerts.items] == [amr1.number]
    head = board_queries.board(session, world.actor("amr_admin"))
    assert (head.scope, [d.department for d in head.departments]) == (world.city.amr.name, [world.city.amr.name])
    assert head.alerts.total == 3 and head.can_oversee is False
    with pytest.raises(Forbidden):
        board_queries.board(session, world.actor("amr_admin"), department_id=world.city.hrss.id)
    with pytest.raises(Forbidden):  # handlers answer 督办 but do not read the board
        board_queries.board(session, world.actor("amr_clerk"))


def test_the_board_page_and_api_for_the_supervisor_and_a_department_head(
        session: Session, world: CasesWorld, three: list[Case], as_user: Any) -> None:
    amr1, _amr2, hrss = three
    supervisor = as_user(world.city.users["supervisor"])
    page = supervisor.get("/supervision/board")
    assert page.status_code == 200
    assert "监察看板 · 全市" in page.text and world.city.hrss.name in page.text and amr1.number in page.text
    assert "超过法定期限报警" in page.text and "尚未通知" in page.text
    filtered = supervisor.get(f"/supervision/board?department={world.city.hrss.id}&level=red")
    assert hrss.number in filtered.text and f">{amr1.number}<" not in filtered.text
    api = supervisor.get("/api/v1/supervision/alerts", params={"level": "yellow", "size": 1})
    assert api.status_code == 200 and (api.json()["total"], len(api.json()["items"])) == (2, 1)
    assert supervisor.get("/api/v1/supervision/alerts", params={"size": 500}).status_code == 422
    assert supervisor.get("/api/v1/supervision/alerts", params={"level": "purple"}).status_code == 422
    counts = supervisor.get("/api/v1/supervision/board").json()["departments"]
    assert sum(d["total"] for d in counts) == 4

    head = as_user(world.city.users["hrss_admin"])
    own = head.get("/supervision/board")
    assert own.status_code == 200 and hrss.number in own.text and amr1.number not in own.text
    assert head.get(f"/supervision/board?department={world.city.amr.id}").status_code == 403
    assert head.get(f"/supervision/cases/{amr1.number}").status_code == 404  # another department's case
    assert head.get(f"/api/v1/supervision/cases/{amr1.number}/timeline").status_code == 404
    assert head.get("/api/v1/supervision/alerts").json()["total"] == 1


def test_the_supervisor_closes_an_alert_on_the_case_page_and_sees_the_whole_timeline(
        session: Session, world: CasesWorld, case: Case, as_user: Any) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("late", "promised_overdue", "red"))
    _sweep(session, dt.date(2026, 11, 10))
    _sweep(session, dt.date(2026, 11, 11))  # escalated to the handlers
    alert = _alert(session, case)
    supervisor = as_user(world.city.users["supervisor"])
    page = supervisor.get(f"/supervision/cases/{case.number}")
    assert page.status_code == 200 and "关闭预警</button>" in page.text and "发出督办</button>" in page.text
    failed = supervisor.post(f"/supervision/alerts/{alert.id}/close",
                             data={"case_number": case.number, "outcome": "other", "note": ""})
    assert failed.status_code == 422 and "请填写说明" in failed.text
    done = supervisor.post(f"/supervision/alerts/{alert.id}/close", follow_redirects=False,
                           data={"case_number": case.number, "outcome": "urged", "note": "已电话督促"})
    assert done.status_code == 303
    timeline = supervisor.get(f"/api/v1/supervision/cases/{case.number}/timeline").json()
    titles = [e["title"] for e in timeline["entries"]]
    assert "受理" in " ".join(titles)  # the case's own events
    assert any(t.startswith("触发报警") for t in titles) and any(t.startswith("预警升级") for t in titles)
    assert any("处理结果：已督促办结" in t for t in titles)
    assert timeline["alerts"][0]["state"] == "closed"
    head = as_user(world.city.users["amr_admin"])
    seen = head.get(f"/supervision/cases/{case.number}")
    assert seen.status_code == 200 and "关闭预警</button>" not in seen.text  # the head reads; only the supervisor closes
    assert head.post(f"/api/v1/supervision/alerts/{alert.id}/close",
                     json={"outcome": "urged"}).status_code == 403
