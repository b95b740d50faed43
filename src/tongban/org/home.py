"""The org domain's home-page cards for each role: real counts, scoped like everything else (the page
itself is queries.home, which gathers every domain's cards)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from tongban.audit.models import AuditEntry
from tongban.authz import Actor, Role
from tongban.db import utcnow
from tongban.org.models import ApiKey, AppClient, Department, LoginAttempt, User


def _count(session: Session, stmt: Any) -> int:
    return int(session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())


# The card most staff see, built once (building the statement cost more than running it).
_COLLEAGUES = select(func.count()).select_from(User).where(User.department_id == bindparam("dept"))


def org_cards(*, session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The organisation's figures (and the audit figures a supervisor watches) for this role."""
    dept = actor.department_id  # the id is all the counts need: no load of the department
    cards: list[dict[str, Any]] = []
    now = utcnow()
    day_ago = now - dt.timedelta(days=1)
    roles = actor.roles

    if Role.PLATFORM_ADMIN in roles:
        cards += [
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
    elif Role.DEPT_ADMIN in roles and dept is not None:
        soon = now + dt.timedelta(days=30)
        cards += [
            {"label": "本部门工作人员",
             "value": _count(session, select(User.id).where(User.department_id == dept)),
             "href": "/admin/users"},
            {"label": "被锁定的账号",
             "value": _count(session, select(User.id).where(User.department_id == dept,
                                                            User.locked_until > now)),
             "href": "/admin/users"},
            {"label": "本部门应用系统",
             "value": _count(session, select(AppClient.id).where(AppClient.department_id == dept)),
             "href": "/admin/clients"},
            {"label": "30 天内到期的密钥",
             "value": _count(session, select(ApiKey.id).join(AppClient).where(
                 AppClient.department_id == dept, ApiKey.revoked_at.is_(None),
                 ApiKey.expires_at > now, ApiKey.expires_at <= soon)),
             "href": "/admin/clients"},
        ]
    if Role.SUPERVISOR in roles:
        cards += [
            {"label": "24 小时内审计记录",
             "value": _count(session, select(AuditEntry.seq).where(AuditEntry.occurred_at >= day_ago)),
             "href": "/admin/audit"},
            {"label": "24 小时内越权与拒绝",
             "value": _count(session, select(AuditEntry.seq).where(AuditEntry.occurred_at >= day_ago,
                                                                    AuditEntry.result == "denied")),
             "href": "/admin/audit"},
        ]
    if actor.is_staff and dept is not None and not cards:
        cards.append({"label": "本部门同事", "value": session.execute(_COLLEAGUES, {"dept": dept}).scalar_one(),
                      "href": "/admin/users"})
    return cards
