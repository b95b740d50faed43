"""电子监察's 收费 and 流程 rules raising and clearing alerts; fee recording (validation, permissions, audit) through
the API and the staff case page; the fee standard of implementations and migration 0028."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.cases.conftest import CasesWorld, _impl
from tests.cases.test_lifecycle import _submitted
from tests.factories import actor_of, staff
from tests.migration_support import foreign_keys_off, insert_row
from tests.supervision.conftest import rule
from tongban import clock as beijing
from tongban.audit.models import AuditEntry
from tongban.cases import deadlines, fees, handling
from tongban.cases.models import Case, CaseFee
from tongban.cases.schemas import Decision, Delivery, Review
from tongban.cli import alembic_config
from tongban.db import make_engine
from tongban.errors import Conflict, NotFound
from tongban.items import service as items
from tongban.items.schemas import BasicItemIn, ImplementationIn
from tongban.supervision import service
from tongban.supervision.models import SupervisionAlert

PG_URL = os.environ.get("TONGBAN_TEST_DATABASE_URL", "")


def _sweep(session: Session, day: dt.date) -> service.SweepResult:
    with beijing.frozen(day):
        result = service.sweep(session=session)
    session.commit()
    return result


def _alert(session: Session, case: Case) -> SupervisionAlert:
    return session.scalars(select(SupervisionAlert).where(SupervisionAlert.case_id == case.id)).one()


def _audit_detail(session: Session, action: str) -> list[dict[str, Any]]:
    return [json.loads(e.detail) if isinstance(e.detail, str) else e.detail for e in session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                              .order_by(AuditEntry.seq))]


def _fee(session: Session, world: CasesWorld, case: Case, amount: int, kind: str = "charge", **more: str) -> None:
    body = {"kind": kind, "amount_fen": amount, **more}
    body.setdefault("receipt_number" if kind == "charge" else "note", f"No.{amount}" if kind == "charge" else "多收退还")
    fees.record_fee(session=session, actor=world.actor("amr_clerk"), case_id=case.id,
                    fee_in=fees.FeeIn.model_validate(body))
    session.commit()


def _fixed_fee_item(session: Session, world: CasesWorld, code: str, name: str, **fee: Any) -> int:
    items.create_basic_item(session=session, actor=world.actor("admin"), item_in=BasicItemIn(
        code=code, name=name, item_type="行政许可", legal_basis="《中华人民共和国行政许可法》", levels=["市级"]))
    return _impl(session, world.city, "amr_admin", basic_code=code, **fee).id


# ---------------------------------------------------------------- 收费


def test_a_charge_on_a_free_item_raises_a_fee_alert_once_and_a_refund_clears_it(
        session: Session, world: CasesWorld, case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"), rule_in=rule("fee", "fee", "red", days=None))
    assert case.snapshot["fee_amount_fen"] == 0  # "不收费" gives the standard 0
    assert _sweep(session, dt.date(2026, 11, 3)).raised == []  # nothing recorded: not judged
    _fee(session, world, case, 2000)
    [raised] = _sweep(session, dt.date(2026, 11, 3)).raised
    assert (raised.case_id, raised.level, raised.state) == (case.id, "red", "open")
    assert _audit_detail(session, "supervision.alert_raise")[0]["standard"] == "不收费"
    assert _audit_detail(session, "supervision.alert_raise")[0]["total"] == "20.00 元"
    assert _sweep(session, dt.date(2026, 11, 4)).raised == []  # once per case and rule
    _fee(session, world, case, 500, "refund")
    assert _sweep(session, dt.date(2026, 11, 4)).cleared == []  # 15 元 still taken on a free item
    _fee(session, world, case, 1500, "refund")
    assert len(_sweep(session, dt.date(2026, 11, 5)).cleared) == 1
    assert (_alert(session, case).state, _alert(session, case).clear_reason) == ("cleared", "收费已与收费标准一致")


def test_a_fixed_fee_is_checked_by_amount_and_a_fee_by_the_text_is_not_judged(
        session: Session, world: CasesWorld, no_rules: None) -> None:
    fixed = _fixed_fee_item(session, world, "011000000009", "印章刻制备案", fee="工本费20元", fee_amount_fen=2000)
    by_text = _fixed_fee_item(session, world, "011000000008", "不动产登记", fee="住宅每件80元，非住宅每件550元")
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("fee", "fee", "yellow", days=None, scope="department",
                                     department_id=world.city.amr.id))
    with beijing.frozen(dt.date(2026, 11, 2)):
        right, wrong, variable = (_submitted(session, world, impl).case for impl in (fixed, fixed, by_text))
    _fee(session, world, right, 2000)
    _fee(session, world, wrong, 3000)
    _fee(session, world, variable, 55000)
    assert [a.case_id for a in _sweep(session, dt.date(2026, 11, 3)).raised] == [wrong.id]
    sheet = fees.sheet_of(session, world.actor("amr_reviewer"), wrong.id)
    assert (sheet.standard_label, sheet.total_yuan, sheet.differs) == ("20.00 元", "30.00", True)
    assert fees.sheet_of(session, world.actor("amr_reviewer"), variable.id).standard_fen is None
    _fee(session, world, wrong, 1000, "refund")
    assert [a.case_id for a in _sweep(session, dt.date(2026, 11, 4)).cleared] == [wrong.id]


def test_recording_fees_through_the_api_validates_amounts_in_chinese_and_only_the_department_records(
        session: Session, world: CasesWorld, case: Case, as_user) -> None:  # type: ignore[no-untyped-def]
    clerk = as_user(world.city.users["amr_clerk"])
    url = f"/api/v1/cases/{case.id}/fees"
    for body in ({"amount_fen": 0, "receipt_number": "A1"}, {"amount_fen": -100, "receipt_number": "A1"},
                 {"amount_fen": 12.5, "receipt_number": "A1"}, {"amount_fen": 100_000_001, "receipt_number": "A1"},
                 {"amount_fen": "二十元", "receipt_number": "A1"}, {"amount_fen": 2000},
                 {"kind": "refund", "amount_fen": 100}, {"kind": "gift", "amount_fen": 100, "receipt_number": "A1"}):
        refused = clerk.post(url, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.json()["message"]), refused.json()
    assert "票据号" in clerk.post(url, json={"amount_fen": 2000}).json()["message"]
    too_much = clerk.post(url, json={"kind": "refund", "amount_fen": 100, "note": "退还"})
    assert too_much.status_code == 409 and too_much.json()["code"] == "case_fee_refund_exceeds"
    for other in ("hrss_clerk", "hrss_reviewer"):  # another department's staff
        assert as_user(world.city.users[other]).post(url, json={"amount_fen": 2000, "receipt_number": "B1"}) \
            .status_code in (403, 404)
    assert as_user(world.other).post(url, json={"amount_fen": 2000, "receipt_number": "B1"}).status_code == 404
    assert session.scalar(select(func.count()).select_from(CaseFee)) == 0  # nothing half-written
    made = clerk.post(url, json={"amount_fen": 2000, "receipt_number": "FS-0001"})
    assert made.status_code == 201, made.text
    assert made.json()["total_fen"] == 2000 and made.json()["differs"] is True
    again = clerk.post(url, json={"amount_fen": 2000, "receipt_number": "FS-0001"})
    assert again.status_code == 409 and again.json()["code"] == "case_fee_receipt_taken"
    sheet = as_user(world.city.users["amr_reviewer"]).get(url).json()
    assert [(r["kind_label"], r["amount_yuan"], r["receipt_number"]) for r in sheet["records"]] == \
        [("收费", "20.00", "FS-0001")]
    assert as_user(world.city.users["hrss_clerk"]).get(url).status_code == 404
    [entry] = _audit_detail(session, "case.fee_charge")
    assert (entry["amount_fen"], entry["receipt_number"]) == (2000, "FS-0001")


def test_the_staff_case_page_records_a_fee_in_yuan_and_shows_the_sheet(
        session: Session, world: CasesWorld, case: Case, as_user) -> None:  # type: ignore[no-untyped-def]
    clerk = as_user(world.city.users["amr_clerk"])
    page = clerk.get(f"/cases/{case.number}")
    assert page.status_code == 200 and "尚未登记收费" in page.text and 'action="/cases/' in page.text
    bad = clerk.post(f"/cases/{case.number}/fee", data={"kind": "charge", "amount": "20.505", "receipt_number": "P1"})
    assert bad.status_code == 422 and "金额" in bad.text and 'value="20.505"' in bad.text
    done = clerk.post(f"/cases/{case.number}/fee", data={"kind": "charge", "amount": "20.5", "receipt_number": "P1"},
                      follow_redirects=False)
    assert done.status_code == 303, done.text
    shown = clerk.get(f"/cases/{case.number}").text
    assert "20.50" in shown and "与收费标准不一致" in shown and "收费登记（20.50 元）" in shown
    assert session.scalars(select(CaseFee.amount_fen)).all() == [2050]
    assert 'id="fee"' not in as_user(world.city.users["supervisor"]).get(f"/cases/{case.number}").text


def test_fees_are_refused_on_drafts_and_charges_on_withdrawn_cases(session: Session, world: CasesWorld,
                                                                   case: Case) -> None:
    from tongban.cases import service as cases
    from tongban.cases.schemas import CaseCreate, Withdrawal

    draft = cases.create_draft(session=session, actor=world.actor("enterprise"),
                               case_in=CaseCreate.model_validate({"implementation_id": world.company.id}))
    session.commit()
    with pytest.raises(Exception) as refused:
        _fee(session, world, draft, 100)
    assert getattr(refused.value, "code", "") == "case_fee_draft"
    session.rollback()
    _fee(session, world, case, 100)
    cases.withdraw(session=session, actor=world.actor("enterprise"), case_id=case.id, withdrawal=Withdrawal())
    session.commit()
    with pytest.raises(Exception) as closed:
        _fee(session, world, case, 100)
    assert getattr(closed.value, "code", "") == "case_fee_closed"
    session.rollback()
    _fee(session, world, case, 100, "refund")  # the refund of a withdrawn case is recorded
    with pytest.raises(NotFound):
        fees.record_fee(session=session, actor=world.actor("hrss_clerk"), case_id=case.id,
                        fee_in=fees.FeeIn(amount_fen=1, receipt_number="X"))
    session.rollback()
    with pytest.raises(Conflict):
        _fee(session, world, case, 1, "refund")


# ---------------------------------------------------------------- 流程


def _decided(session: Session, world: CasesWorld, case: Case, day: dt.date, decider: str = "amr_reviewer") -> None:
    with beijing.frozen(day):
        handling.review(session=session, actor=world.actor("amr_reviewer"), case_id=case.id,
                        review_in=Review(opinion="符合条件"))
        handling.decide(session=session, actor=world.actor(decider), case_id=case.id,
                        decision=Decision(decision="approve"))
        handling.close(session=session, actor=world.actor("amr_clerk"), case_id=case.id)
    session.commit()


def test_a_result_not_served_within_the_delivery_limit_raises_a_process_alert_cleared_by_delivery(
        session: Session, world: CasesWorld, case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("deliver", "process_delivery", "yellow", days=2))
    _decided(session, world, case, dt.date(2026, 11, 4))  # closed without 送达: due ten working days later
    due = dt.date(2026, 11, 18)
    assert _sweep(session, due).raised == []
    assert _sweep(session, dt.date(2026, 11, 19)).raised == []  # the rule: two working days past it
    [raised] = _sweep(session, dt.date(2026, 11, 20)).raised
    assert (raised.case_id, raised.due_on) == (case.id, due)
    assert _audit_detail(session, "supervision.alert_raise")[0]["checks"] == ["决定后逾期未送达"]
    with beijing.frozen(dt.date(2026, 11, 20)):
        handling.deliver(session=session, actor=world.actor("amr_clerk"), case_id=case.id,
                         delivery=Delivery(method="电子送达"))
    session.commit()
    assert len(_sweep(session, dt.date(2026, 11, 20)).cleared) == 1
    assert (_alert(session, case).state, _alert(session, case).clear_reason) == ("cleared", "已送达")


def test_the_same_reviewer_reviewing_and_deciding_a_promised_case_raises_a_separation_alert(
        session: Session, world: CasesWorld, case: Case) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("separate", "process_separation", "red", days=None))
    reviewer2 = staff(session, "amr_reviewer2", world.city.amr, "reviewer", name="审批人员乙")
    session.commit()
    with beijing.frozen(dt.date(2026, 11, 2)):
        apart = _submitted(session, world).case
        handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=apart.id)
        instant = _submitted(session, world, world.social.id).case
        handling.decide(session=session, actor=world.actor("hrss_clerk"), case_id=instant.id,
                        decision=Decision(decision="approve"))
    session.commit()
    with beijing.frozen(dt.date(2026, 11, 3)):
        handling.review(session=session, actor=world.actor("amr_reviewer"), case_id=apart.id,
                        review_in=Review(opinion="符合条件"))
        handling.decide(session=session, actor=actor_of(reviewer2), case_id=apart.id,
                        decision=Decision(decision="approve"))
    session.commit()
    _decided(session, world, case, dt.date(2026, 11, 3))  # the same reviewer reviews and decides
    raised = _sweep(session, dt.date(2026, 11, 4)).raised
    assert [a.case_id for a in raised] == [case.id]  # not the one decided by another, nor the 即办件
    assert _audit_detail(session, "supervision.alert_raise")[0]["checks"] == ["审查与决定为同一人（审批分离）"]
    assert _sweep(session, dt.date(2026, 11, 5)).raised == []  # once
    # a fact of the past: the alert stays while the rule covers the case, and clears when it no longer does
    service.update_rule(session=session, actor=world.actor("supervisor"), code="separate",
                        rule_in=rule("separate", "process_separation", "red", days=None, scope="department",
                                     department_id=world.city.hrss.id))
    session.commit()
    [cleared] = _sweep(session, dt.date(2026, 11, 5)).cleared
    assert (cleared.case_id, cleared.clear_reason) == (case.id, "不在规则适用范围内")


def test_one_person_accepting_and_deciding_a_promised_case_raises_a_separation_alert(
        session: Session, world: CasesWorld, no_rules: None) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("separate", "process_separation", "red", days=None))
    both = staff(session, "amr_both", world.city.amr, "window_clerk", "reviewer", name="窗口兼审批")
    session.commit()
    with beijing.frozen(dt.date(2026, 11, 2)):
        made = _submitted(session, world).case
        handling.accept(session=session, actor=actor_of(both), case_id=made.id)
        handling.review(session=session, actor=world.actor("amr_reviewer"), case_id=made.id,
                        review_in=Review(opinion="符合条件"))
        handling.decide(session=session, actor=actor_of(both), case_id=made.id, decision=Decision(decision="approve"))
    session.commit()
    [raised] = _sweep(session, dt.date(2026, 11, 3)).raised
    assert raised.case_id == made.id
    assert _audit_detail(session, "supervision.alert_raise")[0]["checks"] == ["受理与决定为同一人（受审分离）"]


def test_a_deemed_acceptance_raises_the_process_alert_of_an_all_checks_rule(
        session: Session, world: CasesWorld, no_rules: None) -> None:
    service.create_rule(session=session, actor=world.actor("supervisor"),
                        rule_in=rule("process", "process", "yellow", days=None))
    with beijing.frozen(dt.date(2026, 11, 2)):
        late = _submitted(session, world).case
    assert _sweep(session, dt.date(2026, 11, 9)).raised == []
    with beijing.frozen(dt.date(2026, 11, 10)):
        assert deadlines.check_deadlines(session=session) == [late]
    session.commit()
    assert late.deemed_accepted
    [raised] = _sweep(session, dt.date(2026, 11, 10)).raised
    assert raised.case_id == late.id
    assert _audit_detail(session, "supervision.alert_raise")[0]["checks"] == ["逾期未受理，视为受理"]
    service.update_rule(session=session, actor=world.actor("supervisor"), code="process",
                        rule_in=rule("process", "process", "yellow", days=None, active=False))
    session.commit()
    [cleared] = _sweep(session, dt.date(2026, 11, 11)).cleared
    assert (cleared.case_id, cleared.clear_reason) == (late.id, "规则已停用")


def test_process_and_fee_kinds_are_offered_on_the_rules_api(client: TestClient, as_user,  # type: ignore[no-untyped-def]
                                                            world: CasesWorld, no_rules: None) -> None:
    supervisor = as_user(world.city.users["supervisor"])
    for code, kind in (("p1", "process_separation"), ("p2", "process_delivery"), ("f1", "fee")):
        made = supervisor.post("/api/v1/supervision/rules", json=rule(code, kind, "yellow", days=None).model_dump())
        assert made.status_code in (200, 201), made.text
    assert supervisor.post("/api/v1/supervision/rules", json={**rule("xx", "process", "red").model_dump(),
                                                              "code": "xx", "kind": "process_nonsense"}).status_code == 422


# ---------------------------------------------------------------- the fee standard


def test_the_fee_standard_is_derived_from_no_fee_and_must_agree_with_it(session: Session) -> None:
    base: dict[str, Any] = {"basic_code": "011000000001", "legal_days": 20, "promised_days": 5}
    assert ImplementationIn.model_validate(base).fee_amount_fen == 0
    assert ImplementationIn.model_validate({**base, "fee": "工本费20元"}).fee_amount_fen is None
    assert ImplementationIn.model_validate({**base, "fee": "工本费20元", "fee_amount_fen": 2000}).fee_amount_fen == 2000
    for wrong in ({"fee": "不收费", "fee_amount_fen": 100}, {"fee_amount_fen": -1}, {"fee_amount_fen": 10**9}):
        with pytest.raises(ValueError):
            ImplementationIn.model_validate({**base, **wrong})


def test_migration_0028_gives_free_implementations_the_standard_zero(fresh_url: str) -> None:
    cfg = alembic_config(fresh_url)
    command.upgrade(cfg, "0027")
    engine = make_engine(fresh_url)
    with engine.begin() as conn:
        foreign_keys_off(conn)
        insert_row(conn, "item_implementations", id=1, basic_item_id=1, fee="不收费")
        insert_row(conn, "item_implementations", id=2, basic_item_id=2, fee=" 不收费 ")
        insert_row(conn, "item_implementations", id=3, basic_item_id=3, fee="工本费20元")
    command.upgrade(cfg, "0028")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, fee_amount_fen FROM item_implementations ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, 0), (2, 0), (3, None)]
    assert "case_fees" in sa.inspect(engine).get_table_names()
    command.downgrade(cfg, "0027")
    inspector = sa.inspect(engine)
    assert "case_fees" not in inspector.get_table_names()
    assert "fee_amount_fen" not in {c["name"] for c in inspector.get_columns("item_implementations")}
    engine.dispose()
