"""Notification use-cases: make messages inside the caller's transaction (notify), deliver one (deliver),
and the recipient's inbox (站内信: list, open, mark read).

`notify` never commits: the messages and their delivery jobs exist if and only if the caller's use-case
commits (a transactional outbox). `deliver` runs after the commit as a job; it is idempotent (a delivered or
failed message is left alone) and records every attempt on the message, so retries, their cap and the final
failure are visible on the message itself.

`deliver` is a use-case: run by the job runner it nests in the job's scope, so an attempt's status change
(sending, delivered, failed, the next attempt queued) commits once, with the job's "done" — nothing commits
apart before the send. A worker killed after the provider accepted a message and before that commit sends it
again on the retry (at least once, as every outbox); a separate commit of "sending" before the send would not
tell whether the send happened either, and the job's own attempt cap bounds a crash loop.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.config import Settings, get_settings
from tongban.db import utcnow
from tongban.errors import Forbidden, NotFound
from tongban.jobs import enqueue
from tongban.notifications import channels
from tongban.notifications.message_templates import AUTOMATIC, PLACEHOLDER, Template, latest
from tongban.notifications.models import NotificationMessage, NotificationTemplate
from tongban.org.models import User, UserRole
from tongban.transactions import use_case

log = logging.getLogger("tongban.notifications")

DELIVER_JOB = "notifications.deliver"
FINAL = ("delivered", "failed")
INBOX_KINDS = ("staff", "citizen", "enterprise")


# ---------------------------------------------------------------- templates


def _stored_template(session: Session, template: Template, channel: str) -> NotificationTemplate:
    """The stored row of a template version (written by the first message made from it).

    INSERT … ON CONFLICT DO NOTHING: two use-cases making the first message of a new version at once must
    both succeed, and a savepoint would not be needed for that on either database.
    """
    subject, body = template.channels[channel]
    values = {"code": template.code, "version": template.version, "channel": channel, "name": template.name,
              "subject": subject, "body": body, "created_at": utcnow()}
    where = (NotificationTemplate.code == template.code, NotificationTemplate.version == template.version,
             NotificationTemplate.channel == channel)
    row = session.execute(select(NotificationTemplate).where(*where)).scalar_one_or_none()
    if row is None:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(insert(NotificationTemplate).values(**values).on_conflict_do_nothing(
            index_elements=["code", "version", "channel"]))
        row = session.execute(select(NotificationTemplate).where(*where)).scalar_one()
    elif (row.subject, row.body) != (subject, body):
        # A stored version is never changed: the words a message was made from stay what they were.
        log.error("template %s v%s (%s) differs from its stored text; add a new version instead of editing it",
                  template.code, template.version, channel)
    return row


def render(text: str, values: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


# ---------------------------------------------------------------- making messages


def _address(user: User, channel: str) -> str | None:
    if channel == "inbox":
        return ""
    if channel == "email":
        return (user.email or "").strip() or None
    return (user.phone or "").strip() or None


def channel_enabled(cfg: Settings, channel: str) -> bool:
    """站内信 always; e-mail and SMS only when their settings are there (else no message is made for them)."""
    if channel == "email":
        return bool(cfg.smtp_host)
    if channel == "sms":
        return bool(cfg.sms_gateway_url)
    return True


def notify(session: Session, *, template: str, recipients: Iterable[User], personalisation: Mapping[str, object],
           reference: str = "", link: str = "") -> list[NotificationMessage]:
    """Make the messages of one template for each recipient on each channel they can be reached on, and queue
    their delivery, all in the caller's transaction (never commits).

    站内信 is delivered by being written; e-mail goes to users with an address, SMS to users with a phone, each
    only when its channel is configured.
    """
    tpl = latest(template)
    if tpl is None:
        raise ValueError(f"unknown notification template {template!r}")
    missing = tpl.placeholders() - set(personalisation)
    if missing:
        raise ValueError(f"template {template} needs personalisation for {sorted(missing)}")
    cfg = get_settings()
    values = {k: str(v) for k, v in personalisation.items()}
    values["platform"] = f"{cfg.city_name}通办平台"
    values["url"] = cfg.public_url.rstrip("/") + link if link else cfg.public_url
    stored = {c: _stored_template(session, tpl, c) for c in tpl.channels if channel_enabled(cfg, c)}
    now = utcnow()
    made: list[NotificationMessage] = []
    seen: set[int] = set()
    for user in recipients:
        if user.id in seen or user.status != "active":
            continue
        seen.add(user.id)
        for channel, row in stored.items():
            address = _address(user, channel)
            if address is None:
                continue
            subject, body = tpl.channels[channel]
            msg = NotificationMessage(
                template_id=row.id, template_version=tpl.version, channel=channel, recipient_user_id=user.id,
                address=address[:128], personalisation={k: v for k, v in values.items() if k not in AUTOMATIC},
                reference=reference[:64], link=link[:255], subject=render(subject, values)[:200],
                body=render(body, values), status="delivered" if channel == "inbox" else "created", attempts=0,
                failure_reason="", last_error="", provider_reference="", created_at=now,
                delivered_at=now if channel == "inbox" else None)
            session.add(msg)
            made.append(msg)
    session.flush()
    for msg in made:
        if msg.channel != "inbox":
            schedule_delivery(session, msg)
    return made


def schedule_delivery(session: Session, msg: NotificationMessage, run_at: dt.datetime | None = None) -> None:
    """Queue the delivery job of a message in the caller's transaction (the outbox): one job per attempt,
    deduplicated by message and attempt, so a use-case or a delivery retried by the runner queues it once."""
    key = f"msg-{msg.id}" if not msg.attempts else f"msg-{msg.id}-{msg.attempts}"
    enqueue(session, DELIVER_JOB, {"message_id": msg.id}, dedupe_key=key, run_at=run_at)


# ---------------------------------------------------------------- recipients


def department_staff(session: Session, department_id: int, roles: Iterable[str] = ("data_officer",)) -> list[User]:
    """The active staff of a department holding any of `roles` (by default its data officers)."""
    return list(session.execute(
        select(User).join(UserRole, UserRole.user_id == User.id).where(
            User.department_id == department_id, User.kind == "staff", User.status == "active",
            UserRole.role.in_(list(roles))).order_by(User.id).distinct()).scalars().all())


def platform_staff(session: Session) -> list[User]:
    """The platform's people (数据局 platform administrators): who checks compliance and coordinates."""
    return list(session.execute(
        select(User).join(UserRole, UserRole.user_id == User.id).where(
            User.kind == "staff", User.status == "active", UserRole.role == "platform_admin")
        .order_by(User.id).distinct()).scalars().all())


def deadline_near(session: Session, *, owed_by: str, department_id: int, what: str, number: str, title: str,
                  due_on: dt.date, days_left: int | None = None, link: str = "") -> list[NotificationMessage]:
    """期限临近提醒 to whoever owes the step: a department's data officers (`owed_by="provider"`) or the platform.

    For the legal-clock sweep: `what` names the kind of case in Chinese (共享申请, 数据疑义 …); the caller decides
    when a deadline is near and calls this once per clock and warning (the messages carry `number` as reference).
    """
    from tongban.clock import today
    from tongban.workdays import service as workdays

    if days_left is None:
        days_left = workdays.load(session).working_days_between(today(), due_on)
    return _deadline_notice(session, "deadline.near", owed_by=owed_by, department_id=department_id,
                            values={"what": what, "number": number, "title": title, "due_on": due_on.isoformat(),
                                    "days_left": days_left}, link=link)


def deadline_passed(session: Session, *, owed_by: str, department_id: int, what: str, number: str, title: str,
                    due_on: dt.date, link: str = "") -> list[NotificationMessage]:
    """逾期提醒 to whoever owes the step, once when the sweep finds the step overdue (same addressing as
    `deadline_near`); the message counts the working days past the due day."""
    from tongban.clock import today
    from tongban.workdays import service as workdays

    days_over = max(workdays.load(session).working_days_between(due_on, today()), 1)
    return _deadline_notice(session, "deadline.overdue", owed_by=owed_by, department_id=department_id,
                            values={"what": what, "number": number, "title": title, "due_on": due_on.isoformat(),
                                    "days_over": days_over}, link=link)


def _deadline_notice(session: Session, template: str, *, owed_by: str, department_id: int,
                     values: dict[str, object], link: str) -> list[NotificationMessage]:
    recipients = department_staff(session, department_id) if owed_by == "provider" else platform_staff(session)
    return notify(session, template=template, recipients=recipients, personalisation=values,
                  reference=str(values["number"]), link=link)


# ---------------------------------------------------------------- delivering


def _backoff(cfg: Settings, attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=cfg.notify_retry_base_seconds * 2 ** max(attempts - 1, 0))


def _fail(msg: NotificationMessage, reason: str, error: str, now: dt.datetime) -> None:
    msg.status, msg.failure_reason, msg.last_error = "failed", reason, error
    msg.failed_at, msg.next_attempt_at = now, None


def _rate_limit(session: Session, cfg: Settings, msg: NotificationMessage, now: dt.datetime) -> str | None:
    """The limit this message would break, in Chinese, or None."""
    if msg.channel == "sms":
        limits = ((cfg.notify_sms_per_phone_per_hour, dt.timedelta(hours=1), "1 小时"),
                  (cfg.notify_sms_per_phone_per_day, dt.timedelta(days=1), "24 小时"))
        who = f"手机号码 {msg.address}"
    elif msg.channel == "email":
        limits = ((cfg.notify_email_per_address_per_hour, dt.timedelta(hours=1), "1 小时"),
                  (cfg.notify_email_per_address_per_day, dt.timedelta(days=1), "24 小时"))
        who = f"邮箱 {msg.address}"
    else:
        return None
    for limit, window, label in limits:
        if limit <= 0:
            continue
        sent = int(session.execute(select(func.count()).select_from(NotificationMessage).where(
            NotificationMessage.channel == msg.channel, NotificationMessage.address == msg.address,
            NotificationMessage.delivered_at > now - window)).scalar_one())
        if sent >= limit:
            return f"{who}在 {label}内已发送 {sent} 条，达到上限 {limit} 条，本条不再发送。"
    return None


@use_case
def deliver(session: Session, message_id: int, *, now: dt.datetime | None = None,
            gateway: channels.SmsGateway | None = None) -> str:
    """Deliver one message (the job `notifications.deliver`); returns its status afterwards.

    Idempotent: a delivered or failed message is left alone. When the next attempt is due is the job's run_at
    (or deliver_due's filter), not checked here, so that the runner's clock decides.
    A temporary failure is retried with backoff up to TONGBAN_NOTIFY_MAX_ATTEMPTS sends, then the message
    fails; a permanent failure or a rate limit fails it at once, with its reason.
    """
    cfg = get_settings()
    now = now or utcnow()
    msg = session.execute(select(NotificationMessage).where(NotificationMessage.id == message_id)
                          .with_for_update()).scalar_one_or_none()
    if msg is None:
        return "missing"
    if msg.status in FINAL:
        return msg.status
    if msg.channel == "inbox":
        msg.status, msg.delivered_at = "delivered", now
        return msg.status
    limited = _rate_limit(session, cfg, msg, now)
    if limited:
        _fail(msg, "rate_limited", limited, now)
        return msg.status
    msg.status = "sending"
    msg.attempts += 1
    try:
        if msg.channel == "email":
            if not cfg.smtp_host:
                raise channels.DeliveryFailed("未配置邮件服务器（TONGBAN_SMTP_HOST），邮件无法发送。", temporary=False)
            msg.provider_reference = channels.send_email(cfg, to=msg.address, subject=msg.subject, body=msg.body,
                                                         reference=msg.reference)[:128]
        else:
            gw = gateway or channels.sms_gateway(cfg)
            if gw is None:
                raise channels.DeliveryFailed("未配置短信网关（TONGBAN_SMS_GATEWAY_URL），短信无法发送。",
                                              temporary=False)
            receipt = gw.send(phone=msg.address, text=msg.body, reference=msg.reference)
            msg.provider_reference = receipt.provider_reference
    except channels.DeliveryFailed as exc:
        if not exc.temporary:
            _fail(msg, "permanent", exc.message, now)
        elif msg.attempts >= cfg.notify_max_attempts:
            _fail(msg, "retries_exhausted", f"已发送 {msg.attempts} 次均未成功，不再重试。最后一次：{exc.message}", now)
        else:
            msg.last_error = exc.message
            msg.next_attempt_at = now + _backoff(cfg, msg.attempts)
            schedule_delivery(session, msg, run_at=msg.next_attempt_at)
        log.warning("notification %s (%s) attempt %s failed: %s", msg.id, msg.channel, msg.attempts, exc.message)
        return msg.status
    msg.status, msg.delivered_at, msg.next_attempt_at, msg.last_error = "delivered", now, None, ""
    return msg.status


def deliver_due(session: Session, *, now: dt.datetime | None = None, limit: int = 100) -> int:
    """Deliver messages waiting for a send (created, or sending with their retry due); returns how many were
    tried. The direct path when no job runner runs: each message is its own use-case (`deliver`)."""
    now = now or utcnow()
    ids = session.execute(select(NotificationMessage.id).where(
        NotificationMessage.status.in_(["created", "sending"]),
        (NotificationMessage.next_attempt_at.is_(None)) | (NotificationMessage.next_attempt_at <= now))
        .order_by(NotificationMessage.id).limit(limit)).scalars().all()
    for message_id in ids:
        deliver(session, message_id, now=now)
    return len(ids)


# ---------------------------------------------------------------- the inbox (站内信)


def _inbox_owner(actor: Actor) -> int:
    if actor.kind not in INBOX_KINDS or actor.id is None:
        raise Forbidden("消息（站内信）仅供登录的用户查看。", code="inbox_users_only")
    return actor.id


def get_message(session: Session, actor: Actor, message_id: int) -> NotificationMessage:
    owner = _inbox_owner(actor)
    msg = session.get(NotificationMessage, message_id)
    if msg is None or msg.channel != "inbox" or msg.recipient_user_id != owner:
        raise NotFound("消息不存在，或不是发给您的。", code="message_not_found")
    return msg


@use_case
def open_message(*, session: Session, actor: Actor, message_id: int) -> NotificationMessage:
    """Open one of the actor's messages; opening marks it read (as any mail reader does)."""
    msg = get_message(session, actor, message_id)
    if msg.read_at is None:
        msg.read_at = utcnow()
    return msg


@use_case
def mark_read(*, session: Session, actor: Actor, message_id: int) -> NotificationMessage:
    """标为已读 without opening."""
    return open_message(session=session, actor=actor, message_id=message_id)


@use_case
def mark_all_read(*, session: Session, actor: Actor) -> int:
    """全部标为已读; returns how many were unread."""
    owner = _inbox_owner(actor)
    result = session.execute(update(NotificationMessage).where(
        NotificationMessage.recipient_user_id == owner, NotificationMessage.channel == "inbox",
        NotificationMessage.read_at.is_(None)).values(read_at=utcnow()).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
