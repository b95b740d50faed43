"""Read models of the audit pages: one function per page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tongban.audit import service
from tongban.audit.labels import describe_objects
from tongban.audit.models import AuditEntry
from tongban.authz import Actor

PAGE_SIZE = 50


def naive_utc(value: dt.datetime | None) -> dt.datetime | None:
    """Times without a zone are Beijing time, as users type them; stored times are naive UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _parse_time(value: str, *, end: bool = False) -> tuple[dt.datetime | None, str | None]:
    if not value:
        return None, None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None, f"时间“{value}”格式不正确，应为 2026-01-31 或 2026-01-31T09:00。"
    if end and len(value) == 10:
        parsed += dt.timedelta(days=1)  # an end date includes that whole day
    return naive_utc(parsed), None


@dataclass(frozen=True)
class AuditQuery:
    """The search form as typed ("" when empty); times as 2026-01-31 or 2026-01-31T09:00, Beijing time."""

    actor_q: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: str = ""
    until: str = ""


@dataclass(frozen=True)
class AuditSearch:
    rows: list[AuditEntry]
    total: int
    page: int
    q: dict[str, str]
    actions: dict[str, str]
    #: "用户 郭振华" for each row's (object_type, object_id) (audit/labels.py).
    object_names: dict[tuple[str, str], str]
    #: A time the page could not read (that bound is left out of the search).
    error: str | None = None


def audit_search(session: Session, actor: Actor, query: AuditQuery, page: int = 1) -> AuditSearch:
    """审计日志: the entries the actor may read (admins all, department admins their department's), newest first."""
    since, err1 = _parse_time(query.since)
    until, err2 = _parse_time(query.until, end=True)
    filters = service.AuditFilter(actor=query.actor_q or None, action=query.action or None,
                                  object_type=query.object_type or None, object_id=query.object_id or None,
                                  since=since, until=until, page=max(page, 1), size=PAGE_SIZE)
    rows, total = service.search(session, actor=actor, filters=filters)
    return AuditSearch(rows=rows, total=total, page=filters.page, q=dict(vars(query)),
                       actions=service.ACTION_LABELS, object_names=describe_objects(session, rows),
                       error=err1 or err2)
