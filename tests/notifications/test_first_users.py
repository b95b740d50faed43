"""The first users of notifications: a provider's data officers told of a sharing request for their data,
and both sides of a data-quality dispute told when it is raised and when it is answered."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import actor_of, population_ids, population_world
from tests.notifications.conftest import MailServer
from tongban.disputes import service as disputes
from tongban.disputes.schemas import DisputeAnswer, DisputeCreate
from tongban.jobs import run_pending
from tongban.notifications.models import NotificationMessage
from tongban.org.models import User


def _inbox(session: Session, user: User) -> list[NotificationMessage]:
    session.expire_all()
    return list(session.execute(select(NotificationMessage).where(
        NotificationMessage.recipient_user_id == user.id, NotificationMessage.channel == "inbox")
        .order_by(NotificationMessage.id)).scalars())


def test_provider_officers_are_told_of_a_sharing_request(session: Session, engine: Engine, city, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         mail_on, smtp: MailServer,
                                                         factory: sessionmaker[Session]) -> None:
    city.users["hrss_data"].email = "hrss.data@ankang.test"
    session.commit()
    population_world(session, engine, city, tmp_path, name="户籍人口（通知测试）", granted=["id_number", "name"])
    [msg] = _inbox(session, city.users["hrss_data"])
    number = msg.reference
    assert number.startswith("GX")
    assert msg.subject == f"共享申请 {number}：安康市市场监督管理局申请使用“户籍人口（通知测试）”"
    assert "申请信息项：公民身份号码、姓名" in msg.body and "用途：企业开办登记核验法定代表人身份" in msg.body
    assert msg.link.startswith("/sharing/requests/")
    assert _inbox(session, city.users["amr_data"]) == []  # the requester is not told of its own request
    assert _inbox(session, city.users["hrss_admin"]) == []  # data officers, not every staff member

    run_pending(factory)
    [mail] = smtp.to("hrss.data@ankang.test")
    assert mail["Subject"] == msg.subject and mail["X-Tongban-Reference"] == number


def test_both_sides_of_a_dispute_are_told(session: Session, engine: Engine, city, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    world = population_world(session, engine, city, tmp_path, name="户籍人口（疑义通知）", granted=["id_number", "name"])
    dispute = disputes.raise_dispute(session=session, actor=actor_of(city.users["amr_data"]), dispute_in=DisputeCreate(
        resource_id=world["resource"].id, record_key=population_ids()[0], items=["name"],
        description="姓名与户口簿记载不一致，应为王建华。"))
    raised = [m for m in _inbox(session, city.users["hrss_data"]) if m.reference == dispute.number]
    assert [m.subject for m in raised] == [
        f"数据疑义 {dispute.number}：安康市市场监督管理局对“户籍人口（疑义通知）”的记录提出疑义"]
    assert "涉及信息项：姓名" in raised[0].body and f"请在 {dispute.due_on} 前答复" in raised[0].body

    disputes.answer(session=session, actor=actor_of(city.users["hrss_data"]), dispute_id=dispute.id,
                    answer_in=DisputeAnswer(decision="rejected", note="经核对户籍底册，登记姓名无误。"))
    [answered] = [m for m in _inbox(session, city.users["amr_data"]) if m.reference == dispute.number]
    assert answered.subject == f"数据疑义 {dispute.number} 已答复：不予更正"
    assert answered.body.endswith("：不予更正。答复说明：经核对户籍底册，登记姓名无误。如对答复有异议，可申请平台协调。")
