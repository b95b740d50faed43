"""Delivery: e-mail to a real SMTP server, SMS to a real gateway process, retries with a cap, rate limits,
and the outbox rule (a message exists if and only if the use-case committed)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.notifications.conftest import SMS_KEY, GatewayProcess, MailServer, configure
from tongban.db import utcnow
from tongban.jobs import run_pending
from tongban.jobs.models import Job
from tongban.notifications import deadline_near, deliver, notify
from tongban.notifications.models import NotificationMessage, NotificationTemplate
from tongban.org.models import User

LATER = dt.timedelta(days=1)  # a runner clock past every backoff: retries become due


def _deadline(session: Session, city, number: str = "GX202612030001") -> list[NotificationMessage]:  # type: ignore[no-untyped-def]
    msgs = deadline_near(session, owed_by="provider", department_id=city.hrss.id, what="共享申请", number=number,
                         title="户籍人口基本信息", due_on=dt.date(2026, 12, 8), days_left=2, link="/sharing/requests/1")
    session.commit()
    return msgs


def _messages(session: Session, channel: str) -> list[NotificationMessage]:
    session.expire_all()
    return list(session.execute(select(NotificationMessage).where(NotificationMessage.channel == channel)
                                .order_by(NotificationMessage.id)).scalars())


def _with_address(session: Session, user: User, *, email: str | None = None, phone: str | None = None) -> None:
    user.email, user.phone = email, phone
    session.commit()


def test_mail_is_delivered_to_a_real_smtp_server(session: Session, city, mail_on, smtp: MailServer,  # type: ignore[no-untyped-def]
                                                 factory: sessionmaker[Session]) -> None:
    _with_address(session, city.users["hrss_data"], email="hrss.data@ankang.test")
    inbox_and_mail = _deadline(session, city)
    assert sorted(m.channel for m in inbox_and_mail) == ["email", "inbox"]  # no phone, SMS not configured
    assert smtp.messages == []  # nothing is sent inside the use-case

    run_pending(factory)

    [mail] = smtp.to("hrss.data@ankang.test")
    assert mail["Subject"] == "共享申请 GX202612030001 将于 2026-12-08 到期"
    assert "noreply@tongban.test" in mail["From"] and "安康市通办平台" in mail["From"]
    body = mail.get_content()
    assert "还剩 2 个工作日" in body and "http://127.0.0.1:8000/sharing/requests/1" in body
    assert mail["X-Tongban-Reference"] == "GX202612030001"
    [msg] = _messages(session, "email")
    assert (msg.status, msg.attempts, msg.failure_reason) == ("delivered", 1, "")
    assert msg.provider_reference.startswith("<")  # the Message-ID
    # At-least-once runners may run a job twice: a delivered message is not sent again.
    assert deliver(session, msg.id) == "delivered"
    assert len(smtp.to("hrss.data@ankang.test")) == 1


def test_mail_temporarily_refused_is_retried_then_fails(session: Session, city, mail_on, smtp: MailServer,  # type: ignore[no-untyped-def]
                                                        factory: sessionmaker[Session],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    configure(monkeypatch, notify_max_attempts=3)
    _with_address(session, city.users["hrss_data"], email="busy@ankang.test")
    smtp.refuse["busy@ankang.test"] = "451 4.2.1 Mailbox busy, try again later"
    _deadline(session, city)

    run_pending(factory)  # first attempt: refused for now, the next one waits for its backoff
    [msg] = _messages(session, "email")
    assert (msg.status, msg.attempts) == ("sending", 1)
    assert "451" in msg.last_error and msg.next_attempt_at is not None

    run_pending(factory, now=utcnow() + LATER)
    [msg] = _messages(session, "email")
    assert (msg.status, msg.attempts, msg.failure_reason) == ("failed", 3, "retries_exhausted")
    assert "已发送 3 次均未成功" in msg.last_error
    assert smtp.rcpt_calls.count("busy@ankang.test") == 3


def test_mail_permanently_refused_fails_at_once(session: Session, city, mail_on, smtp: MailServer,  # type: ignore[no-untyped-def]
                                                factory: sessionmaker[Session]) -> None:
    _with_address(session, city.users["hrss_data"], email="nobody@ankang.test")
    smtp.refuse["nobody@ankang.test"] = "550 5.1.1 No such user"
    _deadline(session, city)
    run_pending(factory, now=utcnow() + LATER)
    [msg] = _messages(session, "email")
    assert (msg.status, msg.attempts, msg.failure_reason) == ("failed", 1, "permanent")
    assert "550" in msg.last_error


def _sms_on(monkeypatch: pytest.MonkeyPatch, gateway: GatewayProcess, path: str = "/sms", **more: object) -> None:
    configure(monkeypatch, sms_gateway_url=gateway.url + path, sms_api_key=SMS_KEY, **more)


def test_sms_is_delivered_through_the_http_gateway(session: Session, city, gateway: GatewayProcess,  # type: ignore[no-untyped-def]
                                                   factory: sessionmaker[Session],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _sms_on(monkeypatch, gateway)
    _with_address(session, city.users["hrss_data"], phone="13912340001")
    _deadline(session, city, number="GX202612030011")
    run_pending(factory)
    [sent] = gateway.received(reference="GX202612030011")
    assert sent["phone"] == "13912340001" and sent["key"] == SMS_KEY and sent["path"] == "/sms"
    assert sent["text"] == "【通办】共享申请GX202612030011将于2026-12-08到期（剩2个工作日），请及时登录平台办理。"
    [msg] = _messages(session, "sms")
    assert msg.status == "delivered" and msg.provider_reference.startswith("sms-")


def test_a_failing_gateway_is_retried_then_the_message_fails(session: Session, city, gateway: GatewayProcess,  # type: ignore[no-untyped-def]
                                                             factory: sessionmaker[Session],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _sms_on(monkeypatch, gateway, "/sms/unavailable", notify_max_attempts=4)
    _with_address(session, city.users["hrss_data"], phone="13912340002")
    _deadline(session, city, number="GX202612030012")

    run_pending(factory)
    [msg] = _messages(session, "sms")
    assert (msg.status, msg.attempts) == ("sending", 1) and "503" in msg.last_error

    run_pending(factory, now=utcnow() + LATER)
    [msg] = _messages(session, "sms")
    assert (msg.status, msg.attempts, msg.failure_reason) == ("failed", 4, "retries_exhausted")
    assert len(gateway.received(reference="GX202612030012")) == 4
    # Each attempt was its own job, each finished (the message, not the job, records the failure).
    jobs = session.execute(select(Job.status, Job.dedupe_key).where(Job.name == "notifications.deliver")
                           .order_by(Job.id)).all()
    assert [k for s, k in jobs if (k or "").startswith(f"msg-{msg.id}")] == [
        f"msg-{msg.id}", f"msg-{msg.id}-1", f"msg-{msg.id}-2", f"msg-{msg.id}-3"]
    assert {s for s, _k in jobs} == {"done"}


def test_a_refusing_gateway_fails_the_message_at_once(session: Session, city, gateway: GatewayProcess,  # type: ignore[no-untyped-def]
                                                      factory: sessionmaker[Session],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _sms_on(monkeypatch, gateway, "/sms/refuse")
    _with_address(session, city.users["hrss_data"], phone="13912340003")
    _deadline(session, city, number="GX202612030013")
    run_pending(factory, now=utcnow() + LATER)
    [msg] = _messages(session, "sms")
    assert (msg.status, msg.attempts, msg.failure_reason) == ("failed", 1, "permanent")
    assert "短信网关拒绝发送（HTTP 400）" in msg.last_error


def test_sms_over_the_per_phone_limit_fails_with_its_reason(session: Session, city, gateway: GatewayProcess,  # type: ignore[no-untyped-def]
                                                            factory: sessionmaker[Session],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _sms_on(monkeypatch, gateway, notify_sms_per_phone_per_hour=2)
    _with_address(session, city.users["hrss_data"], phone="13912340004")
    for n in range(3):
        _deadline(session, city, number=f"GX20261203002{n}")
    run_pending(factory)
    msgs = _messages(session, "sms")
    assert [m.status for m in msgs] == ["delivered", "delivered", "failed"]
    assert msgs[2].failure_reason == "rate_limited" and msgs[2].attempts == 0
    assert msgs[2].last_error == "手机号码 13912340004在 1 小时内已发送 2 条，达到上限 2 条，本条不再发送。"
    assert gateway.received(reference="GX202612030022") == []  # never reached the gateway
    # Another phone is not held back by it.
    _with_address(session, city.users["hrss_data"], phone="13912340005")
    _deadline(session, city, number="GX202612030030")
    run_pending(factory)
    assert _messages(session, "sms")[-1].status == "delivered"


def test_no_message_and_no_job_without_the_commit(session: Session, city, mail_on) -> None:  # type: ignore[no-untyped-def]
    _with_address(session, city.users["hrss_data"], email="hrss.data@ankang.test")
    notify(session, template="deadline.near", recipients=[city.users["hrss_data"]],
           personalisation={"what": "共享申请", "number": "GX1", "title": "t", "due_on": "2026-12-08", "days_left": 1})
    session.rollback()
    assert session.execute(select(func.count()).select_from(NotificationMessage)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(Job)).scalar_one() == 0


def test_template_versions_are_stored_once_and_messages_name_them(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _deadline(session, city, number="GX1")
    _deadline(session, city, number="GX2")
    rows = session.execute(select(NotificationTemplate.code, NotificationTemplate.version, NotificationTemplate.channel)
                           .order_by(NotificationTemplate.channel)).all()
    assert [tuple(r) for r in rows] == [("deadline.near", 1, "inbox")]  # e-mail and SMS are off: not stored
    msgs = _messages(session, "inbox")
    assert [(m.reference, m.template_version, m.personalisation["number"]) for m in msgs] == [
        ("GX1", 1, "GX1"), ("GX2", 1, "GX2")]
    assert msgs[0].status == "delivered"  # 站内信 is delivered by being written


def test_missing_personalisation_is_refused(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="days_left"):
        notify(session, template="deadline.near", recipients=[city.users["hrss_data"]],
               personalisation={"what": "共享申请", "number": "GX1", "title": "t", "due_on": "2026-12-08"})
