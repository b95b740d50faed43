"""Read models of the notification pages: the 消息 list, one message, the layout's unread badge."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.notifications import service
from tongban.notifications.models import NotificationMessage
from tongban.notifications.service import _inbox_owner
from tongban.registry import Badge
from tongban.transactions import use_case

PAGE_SIZE = 20


# The menu's 未读 badge on every page (registered in notifications.register): by the recipient's index.
UNREAD = Badge(sql="SELECT count(*) FROM notification_messages WHERE recipient_user_id = :user_id "
                   "AND channel = 'inbox' AND read_at IS NULL",
               params=lambda actor: {"user_id": actor.id},
               applies=lambda actor: actor.kind in service.INBOX_KINDS and actor.id is not None)
_UNREAD = text(UNREAD.sql)


def unread_count(session: Session | Connection, user_id: int) -> int:
    """How many of the user's 站内信 are unread (a session or a bare connection)."""
    return int(session.execute(_UNREAD, {"user_id": user_id}).scalar_one())


@dataclass(frozen=True)
class InboxPage:
    messages: list[NotificationMessage]
    total: int
    unread: int
    page: int
    pages: int
    unread_only: bool


def inbox_page(session: Session, actor: Actor, *, page: int = 1, unread_only: bool = False) -> InboxPage:
    """消息 page: the actor's 站内信, newest first, with the unread count."""
    owner = _inbox_owner(actor)
    where = [NotificationMessage.recipient_user_id == owner, NotificationMessage.channel == "inbox"]
    if unread_only:
        where.append(NotificationMessage.read_at.is_(None))
    total = int(session.execute(select(func.count()).select_from(NotificationMessage).where(*where)).scalar_one())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = session.execute(select(NotificationMessage).where(*where).order_by(
        NotificationMessage.created_at.desc(), NotificationMessage.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).scalars().all()
    return InboxPage(messages=list(rows), total=total, unread=unread_count(session, owner), page=page, pages=pages,
                     unread_only=unread_only)


@dataclass(frozen=True)
class MessageDetail:
    """One 站内信 of the actor's, opened."""

    msg: NotificationMessage


@use_case
def message_detail(session: Session, actor: Actor, message_id: int) -> MessageDetail:
    """One of the actor's messages (someone else's answers as missing). Opening marks it read, as any
    mail reader does: this read model writes that one column, through the use-case service.open_message."""
    return MessageDetail(msg=service.open_message(session=session, actor=actor, message_id=message_id))
