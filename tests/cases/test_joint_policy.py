"""联合审批 as the bundle says (item_bundles.joint_policy), and 办结 / 送达 of a joint case reaching its sub-cases.

all_must_decide: every department decides its own sub-case; the approved members are granted with their
licences, the refused ones refused, the parent 部分准予, and the decision notices say what became of the others.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.cases.conftest import CasesWorld
from tests.cases.test_lifecycle import _bundle, _joint_bundle, service_delivery
from tongban.cases import handling, queries
from tongban.cases.models import Case, CaseEvent
from tongban.cases.schemas import Decision, Review
from tongban.documents.models import Document
from tongban.errors import InvalidTransition
from tongban.items.models import Bundle
from tongban.licences.models import Licence


def _policy(session, code: str, policy: str) -> None:  # type: ignore[no-untyped-def]
    bundle = session.scalar(select(Bundle).where(Bundle.code == code))
    bundle.joint_policy = policy
    session.flush()


def _joint(session, world: CasesWorld, departments: int, policy: str):  # type: ignore[no-untyped-def]
    """A joint case of `departments` members submitted under `policy` (the bundle's, set before submission)."""
    from sqlalchemy import event

    from tongban.items import models

    def set_policy(mapper, connection, target):  # type: ignore[no-untyped-def]
        target.joint_policy = policy

    event.listen(models.Bundle, "before_insert", set_policy)
    try:
        return _joint_bundle(session, world, departments)
    finally:
        event.remove(models.Bundle, "before_insert", set_policy)


def _notice(session, case: Case, kind: str) -> Document:  # type: ignore[no-untyped-def]
    return session.scalar(select(Document).where(Document.owner_type == "case", Document.owner_id == str(case.id),
                                                 Document.kind == kind))


def _events(session, case: Case) -> list[str]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))


def test_all_must_decide_waits_for_every_department_and_grants_the_approved(session, world: CasesWorld) -> None:
    parent, subs, reviewers = _joint(session, world, 3, "all_must_decide")
    assert parent.snapshot["joint_policy"] == "all_must_decide"
    handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=parent.id)
    handling.decide(session=session, actor=world.actor(reviewers[2]), case_id=subs[2].id,
                    decision=Decision(decision="refuse", reason="纳税人登记信息不完整"))
    session.commit()
    # one refusal does not decide the case: the other departments still have their task
    assert parent.status == "accepted" and subs[0].status == "accepted"
    assert [t.case.number for t in queries.task_list(session, world.actor(reviewers[0]))] == [subs[0].number]
    handling.decide(session=session, actor=world.actor(reviewers[1]), case_id=subs[1].id,
                    decision=Decision(decision="approve"))
    handling.decide(session=session, actor=world.actor(reviewers[0]), case_id=subs[0].id,
                    decision=Decision(decision="approve"))
    session.commit()
    assert (parent.status, parent.decision) == ("decided", "partial")
    assert "纳税人登记信息不完整" in (parent.reason or "") and "部分准予" in (parent.reason or "")
    assert [(s.status, s.decision) for s in subs] == [("decided", "approve"), ("decided", "approve"),
                                                      ("decided", "refuse")]
    assert subs[2].reason == "纳税人登记信息不完整"
    # licences only for the approved members (the AMR's item issues 营业执照; the refused one none)
    assert subs[0].licence_id is not None and subs[2].licence_id is None
    assert session.scalar(select(Licence).where(Licence.id == subs[0].licence_id)).holder_name == parent.applicant_name
    # the decision notices say so
    approval = _notice(session, subs[0], "approval")
    assert "安康市税务局登记不予许可" in approval.fields["content"] and "不影响本事项" in approval.fields["content"]
    refusal = _notice(session, subs[2], "refusal")
    assert "纳税人登记信息不完整" in refusal.fields["reason"] and "已准予许可" in refusal.fields["reason"]
    assert _notice(session, parent, "approval") is None and _notice(session, parent, "refusal") is None


def test_all_must_decide_with_every_department_refusing_refuses_the_case(session, world: CasesWorld) -> None:
    parent, subs, reviewers = _joint(session, world, 3, "all_must_decide")
    handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=parent.id)
    for sub, reviewer in zip(subs, reviewers, strict=True):
        handling.decide(session=session, actor=world.actor(reviewer), case_id=sub.id,
                        decision=Decision(decision="refuse", reason=f"{sub.item_name}条件不符"))
    session.commit()
    assert (parent.status, parent.decision) == ("decided", "refuse")
    assert [s.reason for s in subs] == [f"{s.item_name}条件不符" for s in subs]
    assert all(s.licence_id is None for s in subs)


def test_submit_uses_the_bundles_policy_at_submission(session, world: CasesWorld) -> None:
    _policy(session, "KBQY", "all_must_decide")
    parent = _bundle(session, world, employees=3)
    assert parent.snapshot["joint_policy"] == "all_must_decide"
    a, b = session.scalars(select(Case).where(Case.parent_id == parent.id).order_by(Case.id)).all()
    handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=parent.id)
    handling.decide(session=session, actor=world.actor("hrss_reviewer"), case_id=b.id,
                    decision=Decision(decision="refuse", reason="未按规定提交参保人员名单"))
    assert parent.status == "accepted"  # waits for the AMR's decision
    _policy(session, "KBQY", "any_refusal")  # a later change does not touch a submitted case
    handling.decide(session=session, actor=world.actor("amr_reviewer"), case_id=a.id,
                    decision=Decision(decision="approve"))
    session.commit()
    assert (parent.decision, a.decision, b.decision) == ("partial", "approve", "refuse") and a.licence_id


@pytest.mark.parametrize("policy", ["any_refusal", "all_must_decide"])
def test_closing_and_delivering_a_joint_case_reaches_every_sub_case(session, world: CasesWorld, policy) -> None:
    parent, subs, reviewers = _joint(session, world, 3, policy)
    clerk = world.actor("amr_clerk")
    handling.accept(session=session, actor=clerk, case_id=parent.id)
    for sub, reviewer in zip(subs, reviewers, strict=True):
        handling.decide(session=session, actor=world.actor(reviewer), case_id=sub.id,
                        decision=Decision(decision="approve"))
    session.commit()
    with pytest.raises(InvalidTransition) as exc:  # a department does not close its part alone
        handling.close(session=session, actor=world.actor("hrss_clerk"), case_id=subs[1].id)
    assert exc.value.status_code == 409 and exc.value.code == "case_joint_sub_case" and "主办件" in exc.value.message
    handling.close(session=session, actor=clerk, case_id=parent.id)
    session.commit()
    assert [s.status for s in [parent, *subs]] == ["closed"] * 4
    assert all(s.closed_at is not None and _events(session, s)[-1] == "close" for s in subs)
    handling.deliver(session=session, actor=clerk, case_id=parent.id, delivery=service_delivery())
    session.commit()
    assert [s.status for s in [parent, *subs]] == ["delivered"] * 4
    assert all(s.delivered_at is not None and _events(session, s)[-1] == "deliver" for s in subs)
    detail = queries.case_detail(session, world.actor("enterprise"), parent.id)
    assert detail.summary.status == "delivered"


def test_delivering_a_decided_joint_case_closes_and_delivers_its_sub_cases(session, world: CasesWorld) -> None:
    parent, subs, reviewers = _joint(session, world, 3, "any_refusal")
    clerk = world.actor("amr_clerk")
    handling.accept(session=session, actor=clerk, case_id=parent.id)
    handling.decide(session=session, actor=world.actor(reviewers[1]), case_id=subs[1].id,
                    decision=Decision(decision="refuse", reason="未按规定提交参保人员名单"))
    handling.deliver(session=session, actor=clerk, case_id=parent.id, delivery=service_delivery())
    session.commit()
    assert [(s.status, s.decision) for s in subs] == [("delivered", "refuse")] * 3
    assert all(s.closed_at is not None for s in subs)
    with pytest.raises(InvalidTransition):
        handling.deliver(session=session, actor=world.actor("hrss_clerk"), case_id=subs[1].id,
                         delivery=service_delivery())


def test_a_bundle_whose_sub_case_goes_its_own_way_follows_its_closing(session, world: CasesWorld) -> None:
    parent = _bundle(session, world, employees=0)  # one member applies: no joint process
    [sub] = session.scalars(select(Case).where(Case.parent_id == parent.id)).all()
    clerk, reviewer = world.actor("amr_clerk"), world.actor("amr_reviewer")
    handling.accept(session=session, actor=clerk, case_id=sub.id)
    handling.review(session=session, actor=reviewer, case_id=sub.id, review_in=Review(opinion="符合条件"))
    handling.decide(session=session, actor=reviewer, case_id=sub.id, decision=Decision(decision="approve"))
    assert parent.status == "decided"
    with pytest.raises(InvalidTransition) as exc:  # the parent follows its sub-case: closed there
        handling.close(session=session, actor=clerk, case_id=parent.id)
    assert exc.value.code == "case_bundle_parent"
    handling.close(session=session, actor=clerk, case_id=sub.id)
    assert parent.status == "closed"
    handling.deliver(session=session, actor=clerk, case_id=sub.id, delivery=service_delivery())
    session.commit()
    assert (parent.status, sub.status) == ("delivered", "delivered") and parent.delivered_at is not None
