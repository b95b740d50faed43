"""Every branch of a case's life (行政许可法 Art. 32, 42, 44, 45), on the real database and workflow."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.cases.conftest import LICENCE_DATA, CasesWorld
from tests.files.test_inspect import pdf
from tongban import clock as beijing
from tongban.cases import deadlines, handling, queries, service
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.schemas import (
    CaseCreate,
    Decision,
    Refusal,
    Resumption,
    Review,
    SupplementRequest,
    Suspension,
    Withdrawal,
)
from tongban.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from tongban.licences.models import Licence
from tongban.notifications.models import NotificationMessage
from tongban.workdays import service as workdays

PDF = pdf(1)


def _submitted(session, world: CasesWorld, impl_id: int | None = None, **create):  # type: ignore[no-untyped-def]
    actor = world.actor("enterprise")
    body = {"implementation_id": impl_id or world.company.id, "form_data": {"licence": LICENCE_DATA}, **create}
    case = service.create_draft(session=session, actor=actor, case_in=CaseCreate.model_validate(body))
    for m in session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case.id,
                                                        CaseMaterial.source == "upload")):
        service.upload_material(session=session, actor=actor, case_id=case.id, material_id=m.id, content=PDF,
                                filename="申请书.pdf")
    done = service.submit(session=session, actor=actor, case_id=case.id)
    session.commit()
    return done


def _material(session, case: Case, name: str) -> CaseMaterial:  # type: ignore[no-untyped-def]
    return session.scalar(select(CaseMaterial).where(CaseMaterial.case_id == case.id, CaseMaterial.name == name))


def test_promised_case_accepted_reviewed_approved_issues_the_licence(session, world: CasesWorld) -> None:
    done = _submitted(session, world)
    case = done.case
    assert case.number and case.status == "submitted" and case.accept_due_on is not None
    clerk, reviewer = world.actor("amr_clerk"), world.actor("amr_reviewer")
    assert [c.number for c in queries.clerk_queue(session, clerk).items] == [case.number]
    handling.accept(session=session, actor=clerk, case_id=case.id)
    assert (case.status, case.accept_due_on, case.legal_due_on is not None) == ("accepted", None, True)
    [task] = queries.task_list(session, reviewer)
    assert (task.task, task.case.number, task.due_on) == ("review", case.number, case.promised_due_on)
    handling.review(session=session, actor=reviewer, case_id=case.id, review_in=Review(opinion="材料齐全，符合条件"))
    handling.decide(session=session, actor=reviewer, case_id=case.id, decision=Decision(decision="approve"))
    session.commit()
    assert (case.status, case.decision, case.legal_due_on) == ("decided", "approve", None)
    licence = session.get(Licence, case.licence_id)
    assert (licence.holder_code, licence.type.name) == (world.enterprise.credit_code, "营业执照")
    msgs = session.scalars(select(NotificationMessage).where(
        NotificationMessage.recipient_user_id == world.enterprise.id)).all()
    assert any("准予许可" in m.subject for m in msgs)
    handling.close(session=session, actor=clerk, case_id=case.id)
    handling.deliver(session=session, actor=clerk, case_id=case.id, delivery=service_delivery())
    detail = queries.case_detail(session, world.actor("enterprise"), case.id)
    assert [e.title for e in detail.timeline][-5:] == ["受理", "审查", "准予许可", "办结", "送达（电子送达）"]
    assert detail.diagram_svg is None or "<svg" in detail.diagram_svg
    # Withdrawing after the decision is refused.
    with pytest.raises(InvalidTransition):
        service.withdraw(session=session, actor=world.actor("enterprise"), case_id=case.id, withdrawal=Withdrawal())


def service_delivery():  # type: ignore[no-untyped-def]
    from tongban.cases.schemas import Delivery

    return Delivery()


def test_refusal_with_reason_and_remedies_and_rejection(session, world: CasesWorld) -> None:
    clerk, reviewer = world.actor("amr_clerk"), world.actor("amr_reviewer")
    case = _submitted(session, world).case
    handling.accept(session=session, actor=clerk, case_id=case.id)
    handling.review(session=session, actor=reviewer, case_id=case.id, review_in=Review(opinion="不符合条件"))
    handling.decide(session=session, actor=reviewer, case_id=case.id,
                    decision=Decision(decision="refuse", reason="经营场所不符合要求"))
    assert (case.status, case.decision, case.licence_id) == ("decided", "refuse", None)
    assert "行政复议" in case.remedies
    other = _submitted(session, world).case
    handling.reject(session=session, actor=clerk, case_id=other.id, refusal=Refusal(reason="不属于本部门职权范围"))
    assert (other.status, other.reason) == ("rejected", "不属于本部门职权范围")
    with pytest.raises(InvalidTransition) as exc:
        handling.accept(session=session, actor=clerk, case_id=other.id)
    assert exc.value.status_code == 409


def test_immediate_case_is_decided_at_the_window(session, world: CasesWorld) -> None:
    case = _submitted(session, world, world.social.id).case
    clerk = world.actor("hrss_clerk")
    with pytest.raises(InvalidTransition):
        handling.accept(session=session, actor=clerk, case_id=case.id)
    handling.decide(session=session, actor=clerk, case_id=case.id, decision=Decision(decision="approve"))
    assert (case.status, case.decision, case.process_key) == ("decided", "approve", "immediate")


def test_supplement_stops_the_clock_across_a_holiday_and_restarts_it(session, world: CasesWorld) -> None:
    clerk, applicant = world.actor("amr_clerk"), world.actor("enterprise")
    with beijing.frozen(dt.date(2026, 9, 28)):
        case = _submitted(session, world).case
    with beijing.frozen(dt.date(2026, 9, 29)):
        form = _material(session, case, "申请书")
        handling.request_supplement(session=session, actor=clerk, case_id=case.id, request=SupplementRequest(
            items=[{"material_id": form.id, "how": "upload", "note": "缺少法定代表人签字"}]))
        assert (case.status, case.accept_due_on) == ("supplement", None)
        with pytest.raises(Exception) as again:  # one notice only
            handling.request_supplement(session=session, actor=clerk, case_id=case.id, request=SupplementRequest(
                items=[{"material_id": form.id, "how": "correct"}]))
        assert "一次性告知" in str(again.value.message)  # type: ignore[attr-defined]
    with beijing.frozen(dt.date(2026, 10, 9)):
        with pytest.raises(ValidationFailed):
            service.supplement(session=session, actor=applicant, case_id=case.id)
        service.upload_material(session=session, actor=applicant, case_id=case.id, material_id=form.id,
                                content=PDF, filename="申请书（已签字）.pdf")
        service.supplement(session=session, actor=applicant, case_id=case.id)
    assert case.status == "submitted"
    # One working day used before the notice (29 Sep); four more after the supplement day, leaving out 国庆.
    calendar = workdays.load(session)
    day, left = dt.date(2026, 10, 9), 4
    while left:
        day += dt.timedelta(days=1)
        left -= calendar.is_workday(day)
    assert case.accept_due_on == day > dt.date(2026, 10, 9)
    handling.accept(session=session, actor=clerk, case_id=case.id)
    assert case.status == "accepted"


def test_not_told_of_supplement_within_five_working_days_counts_as_accepted(session, world: CasesWorld) -> None:
    with beijing.frozen(dt.date(2026, 11, 2)):
        case = _submitted(session, world).case
    due = case.accept_due_on
    with beijing.frozen(due):
        assert deadlines.check_deadlines(session=session) == []
    with beijing.frozen(due + dt.timedelta(days=1)):
        [deemed] = deadlines.check_deadlines(session=session)
    assert (deemed.id, deemed.status, deemed.deemed_accepted) == (case.id, "accepted", True)
    detail = queries.case_detail(session, world.actor("enterprise"), case.id)
    assert "逾期未告知补正，视为受理" in [e.title for e in detail.timeline]


def test_special_procedure_suspends_and_resumes_the_decision_clock(session, world: CasesWorld) -> None:
    clerk, reviewer = world.actor("amr_clerk"), world.actor("amr_reviewer")
    with beijing.frozen(dt.date(2026, 11, 2)):
        case = _submitted(session, world).case
        handling.accept(session=session, actor=clerk, case_id=case.id)
        before = case.legal_due_on
        handling.suspend(session=session, actor=reviewer, case_id=case.id, suspension=Suspension(reason="专家评审"))
        assert (case.legal_due_on, case.suspended_reason) == (None, "专家评审")
    with beijing.frozen(dt.date(2026, 11, 9)):
        handling.resume(session=session, actor=reviewer, case_id=case.id, resumption=Resumption())
    assert case.legal_due_on > before and case.suspended_reason is None


def test_a_clerk_may_not_demand_an_upload_of_a_fetchable_material(session, world: CasesWorld) -> None:
    case = _submitted(session, world).case
    licence = _material(session, case, "营业执照")
    with pytest.raises(ValidationFailed) as exc:
        handling.request_supplement(session=session, actor=world.actor("amr_clerk"), case_id=case.id,
                                    request=SupplementRequest(items=[{"material_id": licence.id, "how": "upload"}]))
    assert exc.value.code == "supplement_fetchable" and "不得要求申请人上传" in exc.value.message
    assert case.status == "submitted"


def test_wrong_department_wrong_role_and_another_applicant_are_refused(session, world: CasesWorld) -> None:
    case = _submitted(session, world).case
    with pytest.raises((Forbidden, NotFound)):
        handling.accept(session=session, actor=world.actor("hrss_clerk"), case_id=case.id)
    with pytest.raises(Forbidden):
        handling.accept(session=session, actor=world.actor("amr_reviewer"), case_id=case.id)
    with pytest.raises(NotFound):
        service.withdraw(session=session, actor=world.actor("other"), case_id=case.id, withdrawal=Withdrawal())
    with pytest.raises(NotFound):
        queries.case_detail(session, world.actor("other"), case.id)
    service.withdraw(session=session, actor=world.actor("enterprise"), case_id=case.id, withdrawal=Withdrawal())
    assert case.status == "withdrawn"


def _bundle(session, world: CasesWorld, employees: int):  # type: ignore[no-untyped-def]
    actor = world.actor("enterprise")
    case = service.create_draft(session=session, actor=actor, case_in=CaseCreate(
        bundle_code="KBQY", form_data={"employees": employees, "licence": LICENCE_DATA}))
    form = _material(session, case, "申请书")
    service.upload_material(session=session, actor=actor, case_id=case.id, material_id=form.id, content=PDF,
                            filename="申请书.pdf")
    return service.submit(session=session, actor=actor, case_id=case.id).case


def test_a_bundle_creates_linked_sub_cases_by_its_conditions(session, world: CasesWorld) -> None:
    parent = _bundle(session, world, employees=0)
    subs = session.scalars(select(Case).where(Case.parent_id == parent.id)).all()
    assert [(s.item_name, s.department_id, s.number) for s in subs] == [
        ("有限责任公司设立登记", world.city.amr.id, f"{parent.number}-1")]
    mine = queries.my_cases(session, world.actor("enterprise"))
    assert [c.number for c in mine.items] == [parent.number]


def test_joint_approval_where_one_department_refuses(session, world: CasesWorld) -> None:
    parent = _bundle(session, world, employees=3)
    assert parent.process_key == "joint"
    a, b = session.scalars(select(Case).where(Case.parent_id == parent.id).order_by(Case.id)).all()
    handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=parent.id)
    assert (a.status, b.status) == ("accepted", "accepted")
    tasks = queries.task_list(session, world.actor("hrss_reviewer"))
    assert [t.case.number for t in tasks] == [b.number]
    handling.decide(session=session, actor=world.actor("amr_reviewer"), case_id=a.id,
                    decision=Decision(decision="approve"))
    assert parent.status == "accepted"
    handling.decide(session=session, actor=world.actor("hrss_reviewer"), case_id=b.id,
                    decision=Decision(decision="refuse", reason="未按规定提交参保人员名单"))
    session.commit()
    assert (parent.status, parent.decision, a.decision, b.decision) == ("decided", "refuse", "refuse", "refuse")
    assert "未按规定提交参保人员名单" in parent.reason and a.licence_id is None


def test_joint_approval_of_both_issues_the_licence(session, world: CasesWorld) -> None:
    parent = _bundle(session, world, employees=3)
    a, b = session.scalars(select(Case).where(Case.parent_id == parent.id).order_by(Case.id)).all()
    handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=parent.id)
    handling.decide(session=session, actor=world.actor("hrss_reviewer"), case_id=b.id,
                    decision=Decision(decision="approve"))
    handling.decide(session=session, actor=world.actor("amr_reviewer"), case_id=a.id,
                    decision=Decision(decision="approve"))
    assert (parent.status, parent.decision, a.status, b.status) == ("decided", "approve", "decided", "decided")
    assert a.licence_id is not None


def _verify(client, pdf: bytes) -> dict:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/verify", files={"file": ("notice.pdf", pdf, "application/pdf")})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_sealed_notices_are_issued(session, world: CasesWorld, client) -> None:  # type: ignore[no-untyped-def]
    """受理通知书, 补正材料通知书 (every item listed), 准予 / 不予许可决定书 and 不予受理决定书: numbered, sealed by the
    case's department in the act's own use-case, readable by the applicant, valid at POST /api/v1/verify."""
    from tongban.cases import outcome
    from tongban.documents.models import Document
    from tongban.files import get_store

    clerk, reviewer, applicant = world.actor("amr_clerk"), world.actor("amr_reviewer"), world.actor("enterprise")
    case = _submitted(session, world).case
    form, licence = _material(session, case, "申请书"), _material(session, case, "营业执照")
    handling.request_supplement(session=session, actor=clerk, case_id=case.id, request=SupplementRequest(items=[
        {"material_id": form.id, "how": "upload", "note": "缺少法定代表人签字"},
        {"material_id": licence.id, "how": "fetch"}]))
    service.upload_material(session=session, actor=applicant, case_id=case.id, material_id=form.id, content=PDF,
                            filename="申请书.pdf")
    service.supplement(session=session, actor=applicant, case_id=case.id)
    handling.accept(session=session, actor=clerk, case_id=case.id)
    promised = case.promised_due_on
    handling.review(session=session, actor=reviewer, case_id=case.id, review_in=Review(opinion="符合条件"))
    handling.decide(session=session, actor=reviewer, case_id=case.id, decision=Decision(decision="approve"))
    session.commit()

    notices = outcome.notices_of(session, applicant, case.id)
    assert [n.title for n in notices] == ["补正材料通知书", "受理通知书", "准予行政许可决定书"]
    assert all(n.department == "安康市市场监督管理局" and n.recipient_name == case.applicant_name for n in notices)
    supplement, acceptance, approval = notices
    assert supplement.fields["materials"] == ["申请书（请重新上传）：缺少法定代表人签字", "营业执照（请在平台授权调取）"]
    assert acceptance.fields["due_on"] == promised.isoformat()
    assert acceptance.fields["case_number"] == case.number
    assert "营业执照" in str(approval.fields["result"])  # the e-licence issued in the same decision
    assert outcome.notices_of(session, reviewer, case.id) == notices  # the department's staff read them too
    with pytest.raises(NotFound):
        outcome.notices_of(session, world.actor("other"), case.id)

    rejected = _submitted(session, world).case
    handling.reject(session=session, actor=clerk, case_id=rejected.id, refusal=Refusal(reason="不属于本部门职权范围"))
    refused = _submitted(session, world).case
    handling.accept(session=session, actor=clerk, case_id=refused.id)
    handling.review(session=session, actor=reviewer, case_id=refused.id, review_in=Review(opinion="不符合条件"))
    handling.decide(session=session, actor=reviewer, case_id=refused.id,
                    decision=Decision(decision="refuse", reason="经营场所不符合要求"))
    session.commit()
    [rejection] = outcome.notices_of(session, applicant, rejected.id)
    _, refusal = outcome.notices_of(session, applicant, refused.id)
    assert (rejection.title, rejection.fields["reason"]) == ("不予受理决定书", "不属于本部门职权范围")
    assert (refusal.title, refusal.fields["reason"]) == ("不予行政许可决定书", "经营场所不符合要求")

    for view in (*notices, rejection, refusal):
        doc = session.get(Document, view.id)
        verdict = _verify(client, get_store().read_blob(doc.pdf_sha256))
        assert (verdict["outcome"], verdict["kind"], verdict["type_name"], verdict["number"]) == (
            "valid", "document", view.title, view.number), verdict
        assert verdict["issuer_name"] == "安康市市场监督管理局"


def test_a_deemed_acceptance_issues_its_notice_and_a_failed_act_leaves_no_notice(session, world: CasesWorld,
                                                                                 client) -> None:  # type: ignore[no-untyped-def]
    from tongban.cases import outcome
    from tongban.documents.models import Document
    from tongban.errors import Conflict
    from tongban.files import get_store
    from tongban.seals.models import Seal

    with beijing.frozen(dt.date(2026, 11, 2)):
        case = _submitted(session, world).case
    with beijing.frozen(case.accept_due_on + dt.timedelta(days=1)):
        [deemed] = deadlines.check_deadlines(session=session)
    session.commit()
    [acceptance] = outcome.notices_of(session, world.actor("enterprise"), deemed.id)
    assert acceptance.title == "受理通知书"
    doc = session.get(Document, acceptance.id)
    assert _verify(client, get_store().read_blob(doc.pdf_sha256))["outcome"] == "valid"

    # A department without a usable seal cannot issue the notice: the act is refused whole (409), nothing kept.
    other = _submitted(session, world).case
    for seal in session.scalars(select(Seal).where(Seal.department_id == world.city.amr.id)):
        seal.status = "revoked"
    session.commit()
    with pytest.raises(Conflict) as exc:
        handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=other.id)
    assert exc.value.status_code == 409 and "印章" in exc.value.message
    session.rollback()
    assert session.get(Case, other.id).status == "submitted"
    assert outcome.notices_of(session, world.actor("enterprise"), other.id) == []
