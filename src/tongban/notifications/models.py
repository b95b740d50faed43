"""Tables of notifications: versioned message templates and the messages made from them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base, utcnow

CHANNELS = ("inbox", "email", "sms")
CHANNEL_LABELS = {"inbox": "站内信", "email": "电子邮件", "sms": "短信"}
# created → sending → delivered / failed (GOV.UK Notify's states, with its temporary failures folded into
# `sending` + next_attempt_at and its permanent and technical failures into `failed` + failure_reason).
STATUSES = ("created", "sending", "delivered", "failed")
STATUS_LABELS = {"created": "待发送", "sending": "发送中", "delivered": "已送达", "failed": "发送失败"}


class NotificationTemplate(Base):
    """One version of a message template for one channel. Written once, never changed: a new text is a new version,
    so every message can be shown with the exact words it was made from."""

    __tablename__ = "notification_templates"
    __table_args__ = (Index("ix_notification_templates_code_version_channel", "code", "version", "channel",
                            unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))  # inbox / email / sms
    name: Mapped[str] = mapped_column(String(64))  # 中文名称, shown to admins
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class NotificationMessage(Base):
    """A message to one recipient on one channel: template id + version + personalisation + reference + status."""

    __tablename__ = "notification_messages"
    __table_args__ = (
        # The unread badge on every page: recipient + channel + unread, an index-only count.
        Index("ix_notification_messages_inbox", "recipient_user_id", "channel", "read_at"),
        # Per-recipient rate limits count what was delivered to one address in the last hour / day.
        Index("ix_notification_messages_address_delivered", "channel", "address", "delivered_at"),
        Index("ix_notification_messages_status", "status"),
        Index("ix_notification_messages_reference", "reference"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("notification_templates.id"))
    template_version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(128), default="")  # e-mail address or phone; empty for inbox
    personalisation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reference: Mapped[str] = mapped_column(String(64), default="")  # the business number, e.g. GX…, JC…
    link: Mapped[str] = mapped_column(String(255), default="")  # a path of the platform the message is about
    subject: Mapped[str] = mapped_column(String(200))  # rendered when the message is made
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="created")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # rate_limited / permanent / retries_exhausted
    failure_reason: Mapped[str] = mapped_column(String(32), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")  # Chinese, for the admin and the CLI
    provider_reference: Mapped[str] = mapped_column(String(128), default="")  # the SMS gateway's message id
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    failed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # inbox only
