"""The home page's figures for each role: real counts, scoped like everything else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.audit.labels import describe_objects
from tongban.audit.models import AuditEntry
from tongban.authz import Actor, Permission, Role
from tongban.db import utcnow
from tongban.org.models import ApiKey, AppClient, Department, LoginAttempt, User


@dataclass
class HomeSummary:
    user: User | None
    department: Department | None
    cards: list[dict[str, Any]] = field(default_factory=list)
    recent: list[AuditEntry] = field(default_factory=list)
    recent_names: dict[tuple[str, str], str] = field(default_factory=dict)  # "证照类型 营业执照"
    shortcuts: list[tuple[str, str, str]] = field(default_factory=list)  # (title, href, description)


def _count(session: Session, stmt: Any) -> int:
    return int(session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())


def home_summary(*, session: Session, actor: Actor) -> HomeSummary:
    """首页: what this person can do, and the numbers that matter to their role."""
    user = session.get(User, actor.id) if actor.id is not None and actor.kind != "client" else None
    dept = session.get(Department, actor.department_id) if actor.department_id else None
    out = HomeSummary(user=user, department=dept)
    now = utcnow()
    day_ago = now - dt.timedelta(days=1)
    roles = actor.roles

    if Role.PLATFORM_ADMIN in roles:
        out.cards += [
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
        out.cards += [
            {"label": "本部门工作人员",
             "value": _count(session, select(User.id).where(User.department_id == dept.id)),
             "href": "/admin/users"},
            {"label": "被锁定的账号",
             "value": _count(session, select(User.id).where(User.department_id == dept.id,
                                                            User.locked_until > now)),
             "href": "/admin/users"},
            {"label": "本部门应用系统",
             "value": _count(session, select(AppClient.id).where(AppClient.department_id == dept.id)),
             "href": "/admin/clients"},
            {"label": "30 天内到期的密钥",
             "value": _count(session, select(ApiKey.id).join(AppClient).where(
                 AppClient.department_id == dept.id, ApiKey.revoked_at.is_(None),
                 ApiKey.expires_at > now, ApiKey.expires_at <= soon)),
             "href": "/admin/clients"},
        ]
    if Role.SUPERVISOR in roles:
        out.cards += [
            {"label": "24 小时内审计记录",
             "value": _count(session, select(AuditEntry.seq).where(AuditEntry.occurred_at >= day_ago)),
             "href": "/admin/audit"},
            {"label": "24 小时内越权与拒绝",
             "value": _count(session, select(AuditEntry.seq).where(AuditEntry.occurred_at >= day_ago,
                                                                    AuditEntry.result == "denied")),
             "href": "/admin/audit"},
        ]
    if actor.is_staff and dept is not None and not out.cards:
        out.cards.append({"label": "本部门同事",
                          "value": _count(session, select(User.id).where(User.department_id == dept.id)),
                          "href": "/admin/users"})

    if actor.is_staff:
        from tongban.exchange.service import workload

        work = workload(session=session, actor=actor)
        if "compliance" in work:
            out.cards += [
                {"label": "待合规审查", "value": work["compliance"], "href": "/sharing?tab=compliance",
                 "warn": work["platform_overdue"] > 0},
                {"label": "异议待协调", "value": work["disputes"], "href": "/sharing?tab=disputes"},
                {"label": "平台逾期未办", "value": work["platform_overdue"], "href": "/sharing?tab=compliance",
                 "warn": work["platform_overdue"] > 0},
                {"label": "提供部门逾期未答复", "value": work["provider_overdue_all"], "warn":
                 work["provider_overdue_all"] > 0},
            ]
        if "to_answer" in work:
            out.cards += [
                {"label": "待本部门答复的共享申请", "value": work["to_answer"], "href": "/sharing?tab=provider"},
                {"label": "其中已逾期", "value": work["to_answer_overdue"], "href": "/sharing?tab=provider",
                 "warn": work["to_answer_overdue"] > 0},
            ]
        if work.get("refused_objectable"):
            out.cards.append({"label": "被拒绝可提异议的申请", "value": work["refused_objectable"],
                              "href": "/sharing?tab=consumer&status=refused"})
        if actor.has(Permission.CATALOG_EDIT):
            out.shortcuts.append(("编目", "/catalog/resources/new", "把本部门的数据资源编入目录，发布后供各部门申请"))
        if actor.has(Permission.SHARING_READ) or actor.has(Permission.SHARING_COMPLIANCE):
            out.shortcuts.append(("数据共享", "/sharing", "共享申请、答复、授权与逾期提醒"))
        out.shortcuts.append(("政务信息资源目录", "/catalog", "按分类、部门、共享类型查找全市数据资源"))
        if actor.has(Permission.CALENDAR_MANAGE):
            out.shortcuts.append(("节假日设置", "/admin/calendar", "登记国务院公布的节假日与调休安排"))

    if actor.has(Permission.USER_MANAGE):
        out.shortcuts.append(("人员与角色", "/admin/users", "新建工作人员、分配角色、解除锁定、重置密码"))
    elif actor.has(Permission.USER_READ):
        out.shortcuts.append(("本部门人员", "/admin/users", "查看本部门同事及其岗位角色"))
    if actor.has(Permission.DEPARTMENT_MANAGE):
        out.shortcuts.append(("部门管理", "/admin/departments", "登记部门、统一社会信用代码与行政区划"))
    elif actor.has(Permission.DEPARTMENT_READ):
        out.shortcuts.append(("部门目录", "/admin/departments", "全市政务部门及其统一社会信用代码"))
    if actor.has(Permission.CLIENT_READ):
        out.shortcuts.append(("应用系统与密钥", "/admin/clients", "登记业务系统，签发、吊销 API 密钥"))
    if actor.has(Permission.AUDIT_READ):
        out.shortcuts.append(("审计日志", "/admin/audit", "按操作人、对象、时间检索留痕记录"))
    out.shortcuts.append(("修改密码", "/account/password", "定期更换登录密码"))

    if actor.id is not None:
        out.recent = list(session.execute(
            select(AuditEntry).where(AuditEntry.actor_kind == actor.kind, AuditEntry.actor_id == str(actor.id))
            .order_by(AuditEntry.seq.desc()).limit(8)
        ).scalars())
        out.recent_names = describe_objects(session, out.recent)
    return out
