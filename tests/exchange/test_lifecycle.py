"""Sharing requests in every branch, with deadlines in working days and audit of every step."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import actor_of, app_client, published_resource
from tongban import clock
from tongban.audit import service as audit
from tongban.audit.models import AuditEntry
from tongban.catalog import service as catalog
from tongban.catalog.schemas import ItemIn
from tongban.errors import Forbidden, InvalidTransition, ValidationFailed
from tongban.sharing import service as sharing
from tongban.sharing.models import Grant
from tongban.sharing.schemas import (
    ComplianceDecision,
    Coordination,
    GrantAction,
    Objection,
    ProviderDecision,
    RequestCreate,
)

D = dt.date


@pytest.fixture
def setup(session: Session, city):  # type: ignore[no-untyped-def]
    """hrss provides 户籍人口 (conditional); amr asks for it for its registration system."""
    with clock.frozen(D(2026, 9, 1)):
        conditional = published_resource(session, city.users["hrss_data"])
        unconditional = published_resource(
            session, city.users["hrss_data"], classification_code="203", name="社保经办机构名录",
            share_type="unconditional", share_condition="",
            items=[ItemIn(name="机构代码", key="org_code", is_key=True, sensitivity="public"),
                   ItemIn(name="机构名称", key="org_name", sensitivity="public")])
    client = app_client(session, city.amr, code="amr-register")
    session.commit()
    return {"conditional": conditional, "unconditional": unconditional, "client": client,
            "consumer": actor_of(city.users["amr_data"]), "provider": actor_of(city.users["hrss_data"]),
            "platform": actor_of(city.users["admin"])}


def _ask(session: Session, s, resource, items=("id_number", "name")):  # type: ignore[no-untyped-def]
    return sharing.submit_request(session=session, actor=s["consumer"], request_in=RequestCreate(
        resource_id=resource.id, client_id=s["client"].id, items=list(items), purpose="企业开办登记时核验法定代表人身份",
        legal_basis="《市场主体登记管理条例》第十五条", scenario="企业开办一网通办",
        period_start=D(2026, 10, 1), period_end=D(2027, 9, 30)))


def _actions(session: Session, number: str) -> list[str]:
    return list(session.execute(select(AuditEntry.action).where(AuditEntry.object_id == number)
                                .order_by(AuditEntry.seq)).scalars())


def test_unconditional_is_granted_when_compliance_passes(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 9, 30)):
        req = _ask(session, setup, setup["unconditional"], items=("org_code", "org_name"))
        assert req.status == "submitted" and req.due_on == D(2026, 10, 9)  # 2 working days over 国庆
        sharing.compliance_check(session=session, actor=setup["platform"], request_id=req.id,
                                 decision=ComplianceDecision(decision="pass"))
    assert req.status == "granted"
    grant = sharing.grant_for(session, req.id)
    assert grant is not None and grant.items == ["org_code", "org_name"] and grant.valid_until == D(2027, 9, 30)
    assert _actions(session, req.number) == ["sharing.submit", "sharing.compliance_pass"]
    assert audit.verify(session).ok


def test_conditional_granted_by_provider_with_deadline_over_holiday(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 9, 30)):
        req = _ask(session, setup, setup["conditional"])
    with clock.frozen(D(2026, 10, 9)):
        sharing.compliance_check(session=session, actor=setup["platform"], request_id=req.id,
                                 decision=ComplianceDecision(decision="pass", note="用途与履职依据相符"))
        assert req.status == "pending_provider"
        assert req.due_on == D(2026, 10, 15)  # 5 working days, Saturday 10 October (调休) counts
        with pytest.raises(Forbidden):
            sharing.provider_decide(session=session, actor=setup["consumer"], request_id=req.id,
                                    decision=ProviderDecision(decision="approve"))
        sharing.provider_decide(session=session, actor=setup["provider"], request_id=req.id,
                                decision=ProviderDecision(decision="approve"))
    assert req.status == "granted" and req.approved_items == ["id_number", "name"]
    assert _actions(session, req.number) == ["sharing.submit", "sharing.compliance_pass", "sharing.provider_approve"]


def test_off_platform_data_gets_ten_days(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    res = setup["conditional"]
    res.data_on_platform = False
    session.commit()
    with clock.frozen(D(2026, 9, 1)):
        req = _ask(session, setup, res)
        sharing.compliance_check(session=session, actor=setup["platform"], request_id=req.id,
                                 decision=ComplianceDecision(decision="pass"))
    assert req.due_on == D(2026, 9, 15)


def test_refused_objected_and_coordinated(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 11, 2)):
        req = _ask(session, setup, setup["conditional"])
        sharing.compliance_check(session=session, actor=setup["platform"], request_id=req.id,
                                 decision=ComplianceDecision(decision="pass"))
        with pytest.raises(ValueError, match="须写明理由"):
            ProviderDecision(decision="refuse", note="不行")
        sharing.provider_decide(session=session, actor=setup["provider"], request_id=req.id, decision=ProviderDecision(
            decision="refuse", note="申请用途未说明为何需要户籍地址以外的信息，超出最小必要范围"))
        assert req.status == "refused" and req.due_on is None
        sharing.object_to_refusal(session=session, actor=setup["consumer"], request_id=req.id, objection=Objection(
            text="企业开办须核验法定代表人身份，《市场主体登记管理条例》明确规定，属履职必需"))
        assert req.status == "objected" and req.due_on == D(2026, 11, 16)
        with pytest.raises(InvalidTransition):  # the provider can no longer simply refuse again
            sharing.provider_decide(session=session, actor=setup["provider"], request_id=req.id,
                                    decision=ProviderDecision(decision="refuse", note="维持原意见，不予共享该资源信息"))
        with pytest.raises(Forbidden):
            sharing.coordinate(session=session, actor=setup["provider"], request_id=req.id,
                               coordination=Coordination(decision="grant", note="平台协调同意共享身份核验所需项"))
        sharing.coordinate(session=session, actor=setup["platform"], request_id=req.id, coordination=Coordination(
            decision="grant", approved_items=["id_number"], note="经协调，共享身份核验所需的公民身份号码"))
    assert req.status == "granted" and req.approved_items == ["id_number"]
    assert _actions(session, req.number) == [
        "sharing.submit", "sharing.compliance_pass", "sharing.provider_refuse", "sharing.object",
        "sharing.coordinate_grant"]


def test_coordination_can_uphold_a_refusal(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 11, 2)):
        req = _ask(session, setup, setup["conditional"])
        sharing.compliance_check(session=session, actor=setup["platform"], request_id=req.id,
                                 decision=ComplianceDecision(decision="pass"))
        sharing.provider_decide(session=session, actor=setup["provider"], request_id=req.id,
                                decision=ProviderDecision(decision="refuse", note="该业务场景可由申请人自行提供材料"))
        sharing.object_to_refusal(session=session, actor=setup["consumer"], request_id=req.id,
                                  objection=Objection(text="让群众自行提供材料违反数据共享条例的要求"))
        sharing.coordinate(session=session, actor=setup["platform"], request_id=req.id,
                           coordination=Coordination(decision="uphold", note="经核实，申请用途不需要该资源"))
    assert req.status == "refused_final" and sharing.grant_for(session, req.id) is None


def test_objection_after_its_window_is_refused(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 11, 2)):
        req = _ask(session, setup, setup["conditional"])
        sharing.compliance_check(session=session, actor=setup["platform"], request_id=req.id,
                                 decision=ComplianceDecision(decision="pass"))
        sharing.provider_decide(session=session, actor=setup["provider"], request_id=req.id,
                                decision=ProviderDecision(decision="refuse", note="该业务场景可由申请人自行提供材料"))
    with clock.frozen(D(2026, 12, 31)), pytest.raises(InvalidTransition, match="异议期"):
        sharing.object_to_refusal(session=session, actor=setup["consumer"], request_id=req.id,
                                  objection=Objection(text="让群众自行提供材料违反数据共享条例的要求"))


def test_compliance_rejection_and_withdrawal(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 11, 2)):
        req = _ask(session, setup, setup["conditional"])
        with pytest.raises(ValueError, match="理由"):
            ComplianceDecision(decision="reject")
        sharing.compliance_check(session=session, actor=setup["platform"], request_id=req.id,
                                 decision=ComplianceDecision(decision="reject", note="履职依据与所申请数据无关"))
        assert req.status == "compliance_rejected"
        again = _ask(session, setup, setup["conditional"])
        sharing.withdraw(session=session, actor=setup["consumer"], request_id=again.id)
        assert again.status == "withdrawn"


def test_overdue_requests_are_flagged_once(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 9, 30)):
        req = _ask(session, setup, setup["conditional"])
    with clock.frozen(D(2026, 10, 9)):  # the due day itself is not overdue
        assert sharing.check_deadlines(session=session) == []
    with clock.frozen(D(2026, 10, 10)):
        flagged = sharing.check_deadlines(session=session)
        assert [r.number for r in flagged] == [req.number]
        assert sharing.request_read(req).overdue
        assert sharing.check_deadlines(session=session) == []  # once per stage
        sharing.compliance_check(session=session, actor=setup["platform"], request_id=req.id,
                                 decision=ComplianceDecision(decision="pass"))
        assert req.overdue_flagged_at is None and req.due_on == D(2026, 10, 16)
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "sharing.overdue")).scalar_one()
    assert entry.actor_kind == "system" and '"owed_by":"platform"' in entry.detail


def test_grant_suspended_resumed_and_revoked(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 10, 12)):
        req = _ask(session, setup, setup["unconditional"], items=("org_code",))
        sharing.compliance_check(session=session, actor=setup["platform"], request_id=req.id,
                                 decision=ComplianceDecision(decision="pass"))
        grant = sharing.grant_for(session, req.id)
        assert grant is not None
        with pytest.raises(Forbidden):
            sharing.suspend_grant(session=session, actor=setup["consumer"], grant_id=grant.id,
                                  action=GrantAction(reason="自行暂停"))
        sharing.suspend_grant(session=session, actor=setup["provider"], grant_id=grant.id,
                              action=GrantAction(reason="核查调用异常"))
        assert grant.state_on(clock.today()) == "suspended"
        sharing.resume_grant(session=session, actor=setup["provider"], grant_id=grant.id,
                             action=GrantAction(reason="核查完毕"))
        sharing.revoke_grant(session=session, actor=setup["platform"], grant_id=grant.id,
                             action=GrantAction(reason="使用部门超范围使用数据"))
        assert grant.state_on(clock.today()) == "revoked"
        with pytest.raises(InvalidTransition):
            sharing.resume_grant(session=session, actor=setup["platform"], grant_id=grant.id,
                                 action=GrantAction(reason="误操作需恢复"))
    actions = list(session.execute(select(AuditEntry.action).where(AuditEntry.object_type == "grant")).scalars())
    assert actions == ["grant.create", "grant.suspend", "grant.resume", "grant.revoke"]
    assert session.get(Grant, grant.id).valid_until == D(2027, 9, 30)  # type: ignore[union-attr]


def test_requests_that_cannot_be_made(session: Session, setup, city) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 11, 2)):
        secret = published_resource(session, city.users["hrss_data"], classification_code="3", name="涉密人员名单",
                                    share_type="none", share_condition="", share_methods=[],
                                    no_share_reason="涉及国家秘密，依据《保守国家秘密法》不予共享")
        with pytest.raises(ValidationFailed, match="不予共享资源"):
            _ask(session, setup, secret)
        with pytest.raises(ValidationFailed, match="没有这些信息项"):
            _ask(session, setup, setup["conditional"], items=("id_number", "salary"))
        _ask(session, setup, setup["conditional"])
        with pytest.raises(Exception, match="请勿重复申请"):
            _ask(session, setup, setup["conditional"])
        own_client = app_client(session, city.hrss)
        with pytest.raises(ValidationFailed, match="本部门的资源无需申请"):
            sharing.submit_request(session=session, actor=setup["provider"], request_in=RequestCreate(
                resource_id=setup["conditional"].id, client_id=own_client.id, items=["id_number"], purpose="核验身份信息",
                legal_basis="内部业务需要", scenario="本部门业务", period_start=D(2026, 11, 2),
                period_end=D(2027, 1, 1)))
        with pytest.raises(ValidationFailed, match="本部门登记的应用系统"):
            sharing.submit_request(session=session, actor=setup["consumer"], request_in=RequestCreate(
                resource_id=setup["unconditional"].id, client_id=own_client.id, items=["org_code"], purpose="核验身份信息",
                legal_basis="内部业务需要", scenario="本部门业务", period_start=D(2026, 11, 2),
                period_end=D(2027, 1, 1)))


def test_retiring_a_resource_with_a_grant_is_refused(session: Session, setup) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 10, 12)):
        req = _ask(session, setup, setup["unconditional"], items=("org_code",))
        sharing.compliance_check(session=session, actor=setup["platform"], request_id=req.id,
                                 decision=ComplianceDecision(decision="pass"))
        with pytest.raises(Exception, match="有效授权"):
            catalog.retire_resource(session=session, actor=setup["provider"], resource_id=setup["unconditional"].id,
                                    reason="系统停用")
