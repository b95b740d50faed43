"""The org domain's home-page cards for each role: real counts, scoped like everything else (the page
itself is queries.home, which gathers every domain's cards; tongban/cards.py says where each statement runs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.audit.models import AuditEntry
from tongban.authz import Actor, Permission, Role
from tongban.cards import CardReads
from tongban.db import utcnow
from tongban.org.models import AppClient, Department, LoginAttempt, User

# A department's figures, by the department's indexes (on the event loop).
_COLLEAGUES = "SELECT count(*) FROM users WHERE department_id = :dept"
_LOCKED = "SELECT count(*) FROM users WHERE department_id = :dept AND locked_until > :now"
_CLIENTS = "SELECT count(*) FROM app_clients WHERE department_id = :dept"
_KEYS_DUE = ("SELECT count(*) FROM api_keys k JOIN app_clients c ON c.id = k.client_id WHERE c.department_id = :dept "
             "AND k.revoked_at IS NULL AND k.expires_at > :now AND k.expires_at <= :soon")


def _count(session: Session, stmt: Any) -> int:
    return int(session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())


def _platform_figures(session: Session, day_ago: dt.datetime) -> list[dict[str, Any]]:
    """The platform administrator's figures: counts over whole tables (a city's accounts), in a request thread."""
    return [
        {"label": "部门", "value": _count(session, select(Department.id).where(Department.status == "active")),
         "href": "/admin/departments"},
        {"label": "工作人员", "value": _count(session, select(User.id).where(User.kind == "staff")),
         "href": "/admin/users"},
        {"label": "群众与企业账号",
         "value": _count(session, select(User.id).where(User.kind.in_(["citizen", "enterprise"])))},
        {"label": "应用系统", "value": _count(session, select(AppClient.id)), "href": "/admin/clients"},
        {"label": "24 小时内登录失败",
         "value": _count(session, select(LoginAttempt.id).where(LoginAttempt.succeeded.is_(False),
                                                               LoginAttempt.at >= day_ago)),
         "href": "/admin/audit?action=auth.login"},
    ]


def _audit_figures(session: Session, day_ago: dt.datetime) -> list[dict[str, Any]]:
    """A supervisor's figures: the whole audit log's last day (every read of personal data), in a request thread."""
    return [
        {"label": "24 小时内审计记录",
         "value": _count(session, select(AuditEntry.seq).where(AuditEntry.occurred_at >= day_ago)),
         "href": "/admin/audit"},
        {"label": "24 小时内越权与拒绝",
         "value": _count(session, select(AuditEntry.seq).where(AuditEntry.occurred_at >= day_ago,
                                                                AuditEntry.result == "denied")),
         "href": "/admin/audit"},
    ]


async def org_cards(reads: CardReads, actor: Actor) -> list[dict[str, Any]]:
    """The organisation's figures (and the audit figures a supervisor watches) for this role."""
    dept = actor.department_id  # the id is all the counts need: no load of the department
    cards: list[dict[str, Any]] = []
    now = utcnow()
    day_ago = now - dt.timedelta(days=1)
    roles = actor.roles

    if Role.PLATFORM_ADMIN in roles:
        cards += await reads.in_thread(_platform_figures, day_ago)
    elif Role.DEPT_ADMIN in roles and dept is not None:
        soon = now + dt.timedelta(days=30)
        cards += [
            {"label": "本部门工作人员", "value": await reads.count(_COLLEAGUES, {"dept": dept}),
             "href": "/admin/users"},
            {"label": "被锁定的账号", "value": await reads.count(_LOCKED, {"dept": dept, "now": now}),
             "href": "/admin/users"},
            {"label": "本部门应用系统", "value": await reads.count(_CLIENTS, {"dept": dept}), "href": "/admin/clients"},
            {"label": "30 天内到期的密钥",
             "value": await reads.count(_KEYS_DUE, {"dept": dept, "now": now, "soon": soon}),
             "href": "/admin/clients"},
        ]
    if Role.SUPERVISOR in roles:
        cards += await reads.in_thread(_audit_figures, day_ago)
    if actor.is_staff and dept is not None and not cards:
        colleagues: dict[str, Any] = {"label": "本部门同事", "value": await reads.count(_COLLEAGUES, {"dept": dept})}
        if actor.has(Permission.USER_READ):  # a link only to a page this person may open
            colleagues["href"] = "/admin/users"
        cards.append(colleagues)
    return cards
