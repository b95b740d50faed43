"""The sweep on a real sharing request: the provider's data officers are told once when its deadline nears,
and the request is flagged, and they are told, once when it is overdue."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import actor_of, app_client, published_resource
from tongban import clock
from tongban.audit.models import AuditEntry
from tongban.notifications.models import NotificationMessage, NotificationTemplate
from tongban.sharing import service as sharing
from tongban.sharing.schemas import ComplianceDecision, RequestCreate
from tongban.workdays import clocks

D = dt.date


def _near_due_notices(session: Session, code: str = "deadline.near") -> list[NotificationMessage]:
    return list(session.execute(select(NotificationMessage).join(
        NotificationTemplate, NotificationTemplate.id == NotificationMessage.template_id).where(
        NotificationTemplate.code == code, NotificationMessage.channel == "inbox")).scalars())


def test_provider_told_once_when_the_deadline_nears(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 10, 12)):
        resource = published_resource(session, city.users["hrss_data"])
        client = app_client(session, city.amr, code="amr-register")
        session.commit()
        req = sharing.submit_request(session=session, actor=actor_of(city.users["amr_data"]), request_in=RequestCreate(
            resource_id=resource.id, client_id=client.id, items=["id_number", "name"], purpose="企业开办登记时核验身份",
            legal_basis="《市场主体登记管理条例》第十五条", scenario="企业开办一网通办",
            period_start=D(2026, 10, 12), period_end=D(2027, 9, 30)))
        sharing.compliance_check(session=session, actor=actor_of(city.users["admin"]), request_id=req.id,
                                 decision=ComplianceDecision(decision="pass"))
    assert req.status == "pending_provider" and req.due_on == D(2026, 10, 19)  # 13–16 and Monday 19 October
    c = clocks.get(session, "sharing_request", req.id)
    assert c is not None and c.warn_on == D(2026, 10, 16) and c.stage == "pending_provider"

    with clock.frozen(D(2026, 10, 15)):
        assert sharing.check_deadlines(session=session) == [] and _near_due_notices(session) == []
    with clock.frozen(D(2026, 10, 16)):
        assert sharing.check_deadlines(session=session) == []  # near due is not overdue
        sharing.check_deadlines(session=session)
    notices = _near_due_notices(session)
    assert [n.recipient_user_id for n in notices] == [city.users["hrss_data"].id]  # once, to the provider
    assert notices[0].reference == req.number and "2026-10-19" in notices[0].subject
    assert "还剩 1 个工作日" in notices[0].body
    with clock.frozen(D(2026, 10, 20)):
        assert [r.number for r in sharing.check_deadlines(session=session)] == [req.number]
        assert sharing.check_deadlines(session=session) == []
    assert len(_near_due_notices(session)) == 1
    overdue = _near_due_notices(session, "deadline.overdue")  # once, to the provider who owes the answer
    assert [(n.recipient_user_id, n.reference) for n in overdue] == [(city.users["hrss_data"].id, req.number)]
    assert "已逾期 1 个工作日" in overdue[0].body and "2026-10-19" in overdue[0].subject
    actions = list(session.execute(select(AuditEntry.action).where(AuditEntry.object_id == req.number,
                                                                   AuditEntry.actor_kind == "system")).scalars())
    assert actions == ["sharing.near_due", "sharing.overdue"]


def test_dispute_parties_told_when_their_step_nears(session: Session, engine, city, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import population_ids, population_world
    from tongban.disputes import service as disputes
    from tongban.disputes.schemas import DisputeAnswer, DisputeCreate, DisputeEscalation

    world = population_world(session, engine, city, tmp_path, name="户籍人口（期限提醒）", granted=["id_number", "address"])
    world["grant"].valid_from, world["grant"].valid_until = D(2025, 1, 1), D(2028, 12, 31)
    session.commit()
    raiser, provider = actor_of(city.users["amr_data"]), actor_of(city.users["hrss_data"])
    with clock.frozen(D(2026, 9, 1)):
        d = disputes.raise_dispute(session=session, actor=raiser, dispute_in=DisputeCreate(
            resource_id=world["resource"].id, record_key=population_ids()[0], items=["address"],
            description="该居民已迁入汉滨区江北街道，户籍地址仍为旧址。"))
    assert d.due_on == D(2026, 9, 8)
    with clock.frozen(D(2026, 9, 7)):  # one working day left: the provider, who owes the answer, is told
        assert disputes.flag_overdue(session) == []
        disputes.answer(session=session, actor=provider, dispute_id=d.id,
                        answer_in=DisputeAnswer(decision="rejected", note="经核查户籍系统，地址登记无误，不予更正。"))
    with clock.frozen(D(2026, 9, 8)):
        disputes.escalate(session=session, actor=raiser, dispute_id=d.id,
                          escalation=DisputeEscalation(reason="居民已提供迁入证明，请平台协调更正。"))
    # Ten working days of coordination, Sunday 20 September (国庆节调休) among them.
    assert d.status == "escalated" and d.due_on == D(2026, 9, 21)
    with clock.frozen(D(2026, 9, 20)):  # the platform, who owes the coordination, is told
        assert disputes.flag_overdue(session) == []
        assert disputes.flag_overdue(session) == []
    notices = [(n.recipient_user_id, n.reference) for n in _near_due_notices(session)]
    assert notices == [(city.users["hrss_data"].id, d.number), (city.users["admin"].id, d.number)]
    with clock.frozen(D(2026, 9, 22)):  # past the coordination deadline: the platform is told it is overdue
        assert [x.number for x in disputes.flag_overdue(session)] == [d.number]
        assert disputes.flag_overdue(session) == []
    overdue = [(n.recipient_user_id, n.reference) for n in _near_due_notices(session, "deadline.overdue")]
    assert overdue == [(city.users["admin"].id, d.number)]
