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


def _joint_bundle(session, world: CasesWorld, departments: int):  # type: ignore[no-untyped-def]
    """A bundle of `departments` members (开办企业 with 税务 and 公安 …), all applying: a joint case."""
    from tests.cases.conftest import _impl
    from tests.factories import actor_of, department, staff
    from tongban.items import service as items
    from tongban.items.schemas import BasicItemIn, BundleIn
    from tongban.seals import service as seals

    city, admin = world.city, world.actor("admin")
    members: list[dict] = [{"basic_code": "011000000001"}, {"basic_code": "011000000002"}]
    for n, name in enumerate(("安康市税务局", "安康市公安局", "安康市住房公积金管理中心")[:departments - 2], start=1):
        dept = department(session, name)
        for suffix, role in (("admin", "dept_admin"), ("reviewer", "reviewer")):
            city.users[f"x{n}_{suffix}"] = staff(session, f"x{n}_{suffix}", dept, role, name=f"x{n}{suffix}")
        seals.create_seal(session=session, actor=admin, seal_in=seals.SealCreate(department_id=dept.id,
                                                                                 kind="approval"))
        code = f"01100000010{n}"
        items.create_basic_item(session=session, actor=admin, item_in=BasicItemIn(
            code=code, name=f"{name}登记", item_type="行政许可", legal_basis="《中华人民共和国行政许可法》",
            levels=["市级"]))
        _impl(session, city, f"x{n}_admin", basic_code=code, legal_days=20 + n, promised_days=5)
        members.append({"basic_code": code})
    items.create_bundle(session=session, actor=actor_of(city.users["admin"]), bundle_in=BundleIn(
        code=f"KBQY{departments}", name=f"开办企业一件事（{departments} 个部门）", event="开办企业",
        audience="enterprise", lead_department_id=city.amr.id, members=members))
    actor = world.actor("enterprise")
    case = service.create_draft(session=session, actor=actor, case_in=CaseCreate(
        bundle_code=f"KBQY{departments}", form_data={"licence": LICENCE_DATA}))
    form = _material(session, case, "申请书")
    service.upload_material(session=session, actor=actor, case_id=case.id, material_id=form.id, content=PDF,
                            filename="申请书.pdf")
    parent = service.submit(session=session, actor=actor, case_id=case.id).case
    session.commit()
    subs = list(session.scalars(select(Case).where(Case.parent_id == parent.id).order_by(Case.id)))
    reviewers = ["amr_reviewer", "hrss_reviewer", *[f"x{n}_reviewer" for n in range(1, departments - 1)]]
    return parent, subs, reviewers


@pytest.mark.parametrize(("departments", "order"), [(3, (2, 0, 1)), (4, (3, 1, 0, 2)), (4, (0, 1, 2, 3))])
def test_joint_approval_of_several_departments_in_any_order(session, world: CasesWorld, departments,
                                                             order) -> None:
    from tongban.cases import staff_queries

    parent, subs, reviewers = _joint_bundle(session, world, departments)
    assert parent.process_key == "joint" and len(subs) == departments
    assert [s.lane for s in subs] == ["a", "b", "c", "d"][:departments]
    with pytest.raises(InvalidTransition) as exc:  # nobody decides before the lead department accepts
        handling.decide(session=session, actor=world.actor(reviewers[0]), case_id=subs[0].id,
                        decision=Decision(decision="approve"))
    assert exc.value.status_code == 409 and "受理" in exc.value.message
    handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=parent.id)
    session.commit()
    assert {s.status for s in subs} == {"accepted"}
    for sub, reviewer in zip(subs, reviewers, strict=True):  # each department's list: its own sub-case, with a due day
        [task] = queries.task_list(session, world.actor(reviewer))
        assert (task.case.number, task.task_title, task.due_on is not None) == (sub.number, "部门审批", True)
        page = staff_queries.case_page(session=session, actor=world.actor(reviewer), number=sub.number or "")
        assert page.actions.decide and len(page.current_steps) == departments
    for n, i in enumerate(order):
        assert parent.status == "accepted"
        handling.decide(session=session, actor=world.actor(reviewers[i]), case_id=subs[i].id,
                        decision=Decision(decision="approve"))
        session.commit()
        if n + 1 < departments:
            with pytest.raises(InvalidTransition) as exc:  # a department decides once
                handling.decide(session=session, actor=world.actor(reviewers[i]), case_id=subs[i].id,
                                decision=Decision(decision="refuse", reason="重复提交的审批意见"))
            assert "等待其他部门" in exc.value.message
            assert queries.task_list(session, world.actor(reviewers[i])) == []
    assert (parent.status, parent.decision) == ("decided", "approve")
    assert [(s.status, s.decision) for s in subs] == [("decided", "approve")] * departments
    assert subs[0].licence_id is not None


def test_joint_approval_of_four_where_one_refuses_decides_the_case(session, world: CasesWorld) -> None:
    parent, subs, reviewers = _joint_bundle(session, world, 4)
    handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=parent.id)
    handling.decide(session=session, actor=world.actor(reviewers[3]), case_id=subs[3].id,
                    decision=Decision(decision="approve"))
    with pytest.raises(NotFound):  # another department's reviewer cannot even see this sub-case
        handling.decide(session=session, actor=world.actor(reviewers[1]), case_id=subs[2].id,
                        decision=Decision(decision="refuse", reason="不属于本部门审批"))
    handling.decide(session=session, actor=world.actor(reviewers[2]), case_id=subs[2].id,
                    decision=Decision(decision="refuse", reason="纳税人登记信息不完整"))
    session.commit()
    # the item's policy (one refusal refuses): the case is decided without waiting for the other two
    assert (parent.status, parent.decision) == ("decided", "refuse")
    assert "纳税人登记信息不完整" in (parent.reason or "")
    assert [s.decision for s in subs] == ["refuse"] * 4
    assert "其他部门不予许可" in (subs[0].reason or "") and subs[0].licence_id is None
    for i in (0, 1):
        assert queries.task_list(session, world.actor(reviewers[i])) == []
        with pytest.raises(InvalidTransition) as exc:
            handling.decide(session=session, actor=world.actor(reviewers[i]), case_id=subs[i].id,
                            decision=Decision(decision="approve"))
        assert exc.value.status_code == 409 and "已决定" in exc.value.message


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
    with pytest.raises(ValidationFailed) as missing:  # every line of the notice, the fetch line too
        service.supplement(session=session, actor=applicant, case_id=case.id)
    assert missing.value.detail["materials"] == ["营业执照"]
    # The applicant may upload instead of the fetch the notice asks (their choice, recorded as such).
    service.upload_material(session=session, actor=applicant, case_id=case.id, material_id=licence.id, content=PDF,
                            filename="营业执照.pdf")
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


def test_a_clerk_who_is_also_a_reviewer_does_the_tasks_of_both_roles(session, world: CasesWorld) -> None:
    from tests.factories import actor_of, staff

    both = staff(session, "amr_both", world.city.amr, "window_clerk", "reviewer", name="李四")
    session.commit()
    case = _submitted(session, world).case
    handling.accept(session=session, actor=actor_of(both), case_id=case.id)
    handling.review(session=session, actor=actor_of(both), case_id=case.id, review_in=Review(opinion="符合条件"))
    handling.decide(session=session, actor=world.actor("amr_reviewer"), case_id=case.id,
                    decision=Decision(decision="approve"))
    session.commit()
    assert (case.status, case.decision) == ("decided", "approve")
