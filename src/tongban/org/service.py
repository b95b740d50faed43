"""Use-cases of the org domain. Each checks permissions, applies the rules and audits, as one use-case
(`transactions.use_case`): it commits once when outermost and nests as a savepoint inside another."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.db import utcnow
from tongban.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tongban.org import permissions as rules
from tongban.org import repository as repo
from tongban.org.auth import hash_password, new_api_key, verify_password
from tongban.org.models import ApiKey, AppClient, Department, Region, User, UserRole, WebSession
from tongban.org.schemas import (
    ApiKeyCreate,
    CitizenCreate,
    ClientCreate,
    ClientUpdate,
    DepartmentCreate,
    DepartmentUpdate,
    EnterpriseCreate,
    PasswordChange,
    RegionCreate,
    StaffCreate,
    StaffUpdate,
)
from tongban.transactions import use_case

# ---------------------------------------------------------------- regions


@use_case
def create_region(*, session: Session, actor: Actor, region_in: RegionCreate) -> Region:
    actor.require(Permission.REGION_MANAGE)
    if repo.get_region(session, region_in.code):
        raise Conflict(f"行政区划代码 {region_in.code} 已存在。", code="region_exists")
    if region_in.parent_code and repo.get_region(session, region_in.parent_code) is None:
        raise ValidationFailed(f"上级区划 {region_in.parent_code} 不存在，请先添加上级区划。",
                               code="parent_region_missing")
    region = Region(**region_in.model_dump())
    session.add(region)
    audit.record(session, actor=actor, action="region.create", object_type="region", object_id=region.code,
                 detail=region_in.model_dump())
    return region


# ---------------------------------------------------------------- departments


def _check_department_refs(session: Session, *, region_code: str | None, parent_id: int | None,
                           self_id: int | None = None) -> None:
    if region_code is not None and repo.get_region(session, region_code) is None:
        raise ValidationFailed(f"行政区划代码 {region_code} 不在本平台的区划表中，请先添加该区划。",
                               code="region_unknown", detail={"field": "region_code"})
    if parent_id is not None:
        parent = repo.get_department(session, parent_id)
        if parent is None:
            raise ValidationFailed("上级部门不存在。", code="parent_department_missing",
                                   detail={"field": "parent_id"})
        if self_id is not None and (parent_id == self_id
                                    or self_id in repo.department_ancestors(session, parent)):
            raise ValidationFailed("上级部门不能是本部门或其下级部门。", code="department_cycle",
                                   detail={"field": "parent_id"})


def _unique_department(session: Session, *, name: str | None, uscc: str | None, code: str | None,
                       self_id: int | None = None) -> None:
    for field, value, label in (("name", name, "名称"), ("uscc", uscc, "统一社会信用代码"),
                                ("code", code, "编码")):
        if value is None:
            continue
        other = repo.department_by(session, **{field: value})
        if other is not None and other.id != self_id:
            raise Conflict(f"已有部门使用该{label}：{other.name}。", code="department_exists",
                           detail={"field": field})


@use_case
def create_department(*, session: Session, actor: Actor, department_in: DepartmentCreate) -> Department:
    actor.require(Permission.DEPARTMENT_MANAGE)
    _unique_department(session, name=department_in.name, uscc=department_in.uscc, code=department_in.code)
    _check_department_refs(session, region_code=department_in.region_code, parent_id=department_in.parent_id)
    dept = Department(**department_in.model_dump())
    session.add(dept)
    session.flush()
    audit.record(session, actor=actor, action="department.create", object_type="department",
                 object_id=dept.id, detail=department_in.model_dump())
    return dept


@use_case
def update_department(*, session: Session, actor: Actor, department_id: int,
                      department_in: DepartmentUpdate) -> Department:
    actor.require(Permission.DEPARTMENT_MANAGE)
    dept = get_department(session=session, actor=actor, department_id=department_id)
    changes = department_in.model_dump(exclude_unset=True)
    _unique_department(session, name=changes.get("name"), uscc=changes.get("uscc"), code=None,
                       self_id=dept.id)
    _check_department_refs(session, region_code=changes.get("region_code"),
                           parent_id=changes.get("parent_id"), self_id=dept.id)
    before = {k: getattr(dept, k) for k in changes}
    for k, v in changes.items():
        setattr(dept, k, v)
    audit.record(session, actor=actor, action="department.update", object_type="department",
                 object_id=dept.id, detail={"before": before, "after": changes})
    return dept


def get_department(*, session: Session, actor: Actor, department_id: int) -> Department:
    actor.require(Permission.DEPARTMENT_READ)
    dept = repo.get_department(session, department_id)
    if dept is None:
        raise NotFound("部门不存在。")
    return dept


def list_departments(*, session: Session, actor: Actor, q: str | None = None, region_code: str | None = None,
                     page: int = 1, size: int = 100) -> tuple[Sequence[Department], int]:
    """The department directory is open to all staff: sharing starts by knowing who holds what."""
    actor.require(Permission.DEPARTMENT_READ)
    return repo.list_departments(session, q=q, region_code=region_code, offset=(page - 1) * size, limit=size)


# ---------------------------------------------------------------- staff users


def _set_roles(user: User, roles: Sequence[str]) -> None:
    wanted = {str(r) for r in roles}
    user.role_rows[:] = [r for r in user.role_rows if r.role in wanted]
    have = {r.role for r in user.role_rows}
    for role in sorted(wanted - have):
        user.role_rows.append(UserRole(role=role))


def _ensure_username_free(session: Session, username: str) -> None:
    if repo.user_by_login(session, username) is not None:
        raise Conflict(f"用户名 {username} 已被使用，请换一个。", code="username_taken",
                       detail={"field": "username"})


@use_case
def create_staff(*, session: Session, actor: Actor, user_in: StaffCreate) -> User:
    rules.check_manage_staff(actor, department_id=user_in.department_id, roles={str(r) for r in user_in.roles})
    if repo.get_department(session, user_in.department_id) is None:
        raise ValidationFailed("所属部门不存在。", code="department_unknown", detail={"field": "department_id"})
    _ensure_username_free(session, user_in.username)
    user = User(username=user_in.username, display_name=user_in.display_name, kind="staff",
                department_id=user_in.department_id, phone=user_in.phone, email=user_in.email,
                password_hash=hash_password(user_in.password))
    _set_roles(user, user_in.roles)
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.create", object_type="user", object_id=user.id,
                 detail={"username": user.username, "department_id": user.department_id,
                         "roles": [str(r) for r in user_in.roles]})
    return user


class UserHidden(NotFound):
    """A user outside the actor's reach, answered as missing (ids cannot be probed across departments).

    The attempt is evidence, but the use-case it was part of rolls back: `refused_object` asks the error
    handler (main.py) to audit it as access.denied in a transaction of its own (Why.REFUSAL_AUDIT).
    """

    def __init__(self, user_id: int) -> None:
        super().__init__("用户不存在，或不在您可查看的部门范围内。")
        self.refused_object = ("user", str(user_id))


def get_user(*, session: Session, actor: Actor, user_id: int) -> User:
    user = repo.get_user(session, user_id)
    # An invisible user and a missing one look the same, so ids cannot be probed across departments.
    if user is not None and not rules.can_read_user(actor, user):
        raise UserHidden(user_id)
    if user is None:
        raise NotFound("用户不存在，或不在您可查看的部门范围内。")
    return user


def list_staff(*, session: Session, actor: Actor, q: str | None = None, department_id: int | None = None,
               page: int = 1, size: int = 50) -> tuple[Sequence[User], int]:
    actor.require(Permission.USER_READ)
    scope = actor.department_scope(Permission.USER_READ)
    if department_id is not None and scope is not None and department_id not in scope:
        raise Forbidden("您只能查看本部门的人员。")
    return repo.list_users(session, kind="staff", department_ids=scope, q=q, department_id=department_id,
                           offset=(page - 1) * size, limit=size)


@use_case
def update_staff(*, session: Session, actor: Actor, user_id: int, user_in: StaffUpdate) -> User:
    user = get_user(session=session, actor=actor, user_id=user_id)
    changes = user_in.model_dump(exclude_unset=True)
    new_roles = {str(r) for r in changes["roles"]} if changes.get("roles") is not None else None
    rules.check_manage_user(actor, user, new_roles=new_roles)
    if "department_id" in changes and changes["department_id"] is not None:
        rules.check_manage_staff(actor, department_id=changes["department_id"], roles=set(user.roles))
        if repo.get_department(session, changes["department_id"]) is None:
            raise ValidationFailed("所属部门不存在。", code="department_unknown")
    if user.id == actor.id and (changes.get("status") == "disabled" or
                                (new_roles is not None and "platform_admin" in user.roles
                                 and "platform_admin" not in new_roles)):
        raise Forbidden("不能停用自己或撤销自己的管理员角色，请由其他管理员操作。", code="self_lockout")
    if changes.get("roles") is not None and not changes["roles"]:
        raise ValidationFailed("工作人员至少需要一个角色。", code="roles_required")
    before = {"roles": user.roles, **{k: getattr(user, k) for k in changes if k != "roles"}}
    for k, v in changes.items():
        if k == "roles":
            _set_roles(user, v)
        else:
            setattr(user, k, v)
    audit.record(session, actor=actor, action="user.update", object_type="user", object_id=user.id,
                 detail={"before": before, "after": {k: [str(r) for r in v] if k == "roles" else v
                                                     for k, v in changes.items()}})
    return user


def _login_names(user: User) -> set[str]:
    """Every name the user can log in with, as login attempts are counted (auth.login_key)."""
    return {n for n in (user.username, user.id_number, user.credit_code) if n}


@use_case
def unlock_user(*, session: Session, actor: Actor, user_id: int) -> User:
    user = get_user(session=session, actor=actor, user_id=user_id)
    rules.check_manage_user(actor, user)
    user.locked_until = None
    user.failed_logins = 0
    repo.forget_login_failures(session, usernames=_login_names(user))
    audit.record(session, actor=actor, action="user.unlock", object_type="user", object_id=user.id)
    return user


@use_case
def reset_password(*, session: Session, actor: Actor, user_id: int, new_password: str) -> User:
    user = get_user(session=session, actor=actor, user_id=user_id)
    rules.check_manage_user(actor, user)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    repo.forget_login_failures(session, usernames=_login_names(user))
    # Whoever held the old password is logged out everywhere.
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit.record(session, actor=actor, action="user.password_reset", object_type="user", object_id=user.id)
    return user


@use_case
def change_own_password(*, session: Session, actor: Actor, change_in: PasswordChange) -> None:
    user = repo.get_user(session, actor.id or 0)
    if user is None:
        raise NotFound("用户不存在。")
    if not verify_password(user.password_hash, change_in.password):
        raise ValidationFailed("原密码不正确。", code="bad_password", detail={"field": "password"})
    user.password_hash = hash_password(change_in.new_password)
    user.password_changed_at = utcnow()
    # Other sessions end; the one that changed the password stays.
    session.execute(delete(WebSession).where(WebSession.user_id == user.id,
                                             WebSession.token_hash != (actor.session_token_hash or "")))
    audit.record(session, actor=actor, action="auth.password_change", object_type="user", object_id=user.id)


# ---------------------------------------------------------------- citizen and enterprise accounts


@use_case
def create_citizen(*, session: Session, actor: Actor, citizen_in: CitizenCreate) -> User:
    actor.require(Permission.ACCOUNT_MANAGE)
    if repo.user_by_login(session, citizen_in.id_number) is not None:
        raise Conflict("该公民身份号码已注册账号。", code="account_exists", detail={"field": "id_number"})
    user = User(username=citizen_in.id_number, display_name=citizen_in.display_name, kind="citizen",
                id_number=citizen_in.id_number, phone=citizen_in.phone,
                password_hash=hash_password(citizen_in.password))
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="account.create", object_type="user", object_id=user.id,
                 detail={"kind": "citizen"})
    return user


@use_case
def create_enterprise(*, session: Session, actor: Actor, enterprise_in: EnterpriseCreate) -> User:
    actor.require(Permission.ACCOUNT_MANAGE)
    if repo.user_by_login(session, enterprise_in.credit_code) is not None:
        raise Conflict("该统一社会信用代码已注册账号。", code="account_exists", detail={"field": "credit_code"})
    user = User(username=enterprise_in.credit_code, display_name=enterprise_in.display_name,
                kind="enterprise", credit_code=enterprise_in.credit_code,
                legal_representative=enterprise_in.legal_representative, phone=enterprise_in.phone,
                password_hash=hash_password(enterprise_in.password))
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="account.create", object_type="user", object_id=user.id,
                 detail={"kind": "enterprise", "credit_code": user.credit_code})
    return user


@use_case
def list_accounts(*, session: Session, actor: Actor, kind: str, purpose: str, q: str | None = None,
                  page: int = 1, size: int = 50) -> tuple[Sequence[User], int]:
    """Citizens' accounts are personal data: reading them needs a stated purpose and is audited."""
    actor.require(Permission.ACCOUNT_READ)
    if kind not in ("citizen", "enterprise"):
        raise ValidationFailed("账号类型应为 citizen 或 enterprise。", code="bad_kind")
    if not purpose or len(purpose.strip()) < 2:
        raise ValidationFailed("查阅群众和企业账号须说明用途（purpose）。", code="purpose_required",
                               detail={"field": "purpose"})
    rows, total = repo.list_users(session, kind=kind, q=q, offset=(page - 1) * size, limit=size)
    audit.record(session, actor=actor, action="account.read", object_type="user",
                 object_id=",".join(str(u.id) for u in rows)[:64], purpose=purpose.strip()[:255],
                 detail={"kind": kind, "q": q, "page": page, "ids": [u.id for u in rows]})
    return rows, total


# ---------------------------------------------------------------- application clients and API keys


@use_case
def create_client(*, session: Session, actor: Actor, client_in: ClientCreate) -> AppClient:
    actor.require(Permission.CLIENT_MANAGE)
    department_id = client_in.department_id if client_in.department_id is not None else actor.department_id
    actor.require_in_department(Permission.CLIENT_MANAGE, department_id)
    if department_id is None or repo.get_department(session, department_id) is None:
        raise ValidationFailed("所属部门不存在。", code="department_unknown", detail={"field": "department_id"})
    if repo.client_by_code(session, client_in.code) is not None:
        raise Conflict(f"应用系统编码 {client_in.code} 已被使用。", code="client_exists", detail={"field": "code"})
    client = AppClient(code=client_in.code, name=client_in.name, description=client_in.description,
                       department_id=department_id, created_by=actor.id)
    session.add(client)
    session.flush()
    audit.record(session, actor=actor, action="client.create", object_type="app_client", object_id=client.id,
                 detail={"code": client.code, "department_id": department_id})
    return client


def get_client(*, session: Session, actor: Actor, client_id: int) -> AppClient:
    client = repo.get_client(session, client_id)
    if client is None or not rules.can_read_client(actor, client):
        raise NotFound("应用系统不存在，或不在您可查看的部门范围内。")
    return client


def list_clients(*, session: Session, actor: Actor, department_id: int | None = None) -> Sequence[AppClient]:
    actor.require(Permission.CLIENT_READ)
    scope = actor.department_scope(Permission.CLIENT_READ)
    if department_id is not None:
        actor.require_in_department(Permission.CLIENT_READ, department_id)
        scope = {department_id}
    return repo.list_clients(session, department_ids=scope)


@use_case
def update_client(*, session: Session, actor: Actor, client_id: int, client_in: ClientUpdate) -> AppClient:
    client = get_client(session=session, actor=actor, client_id=client_id)
    rules.check_manage_client(actor, client)
    changes = client_in.model_dump(exclude_unset=True)
    for k, v in changes.items():
        setattr(client, k, v)
    audit.record(session, actor=actor, action="client.update", object_type="app_client", object_id=client.id,
                 detail=changes)
    return client


@use_case
def issue_api_key(*, session: Session, actor: Actor, client_id: int, key_in: ApiKeyCreate
                  ) -> tuple[ApiKey, str]:
    """签发密钥: returns the key row and the secret, which is never retrievable again."""
    client = get_client(session=session, actor=actor, client_id=client_id)
    rules.check_manage_client(actor, client)
    if client.status != "active":
        raise Conflict("应用系统已停用，不能签发密钥。", code="client_disabled")
    secret, prefix, digest = new_api_key()
    expires = utcnow() + dt.timedelta(days=key_in.expires_in_days) if key_in.expires_in_days else None
    key = ApiKey(client_id=client.id, key_prefix=prefix, key_hash=digest, label=key_in.label,
                 created_by=actor.id, expires_at=expires)
    session.add(key)
    try:
        session.flush()
    except IntegrityError:  # pragma: no cover - a 256-bit collision (the use-case rolls back)
        raise Conflict("密钥生成冲突，请重试。") from None
    audit.record(session, actor=actor, action="api_key.create", object_type="api_key", object_id=key.id,
                 detail={"client_id": client.id, "prefix": prefix,
                         "expires_at": expires.isoformat() if expires else None})
    return key, secret


@use_case
def revoke_api_key(*, session: Session, actor: Actor, client_id: int, key_id: int) -> ApiKey:
    client = get_client(session=session, actor=actor, client_id=client_id)
    rules.check_manage_client(actor, client)
    key = session.get(ApiKey, key_id)
    if key is None or key.client_id != client.id:
        raise NotFound("密钥不存在。")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        key.revoked_by = actor.id
        audit.record(session, actor=actor, action="api_key.revoke", object_type="api_key", object_id=key.id,
                     detail={"client_id": client.id, "prefix": key.key_prefix})
    return key
