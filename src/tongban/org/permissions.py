"""Object rules of the org domain, built on the role permissions in tongban.authz."""

from __future__ import annotations

from tongban.authz import DEPARTMENT_GRANTABLE_ROLES, PLATFORM_WIDE_ROLES, Actor, Permission, Role
from tongban.errors import Forbidden
from tongban.org.models import AppClient, User


def can_read_user(actor: Actor, user: User) -> bool:
    """Staff see the staff of their own department; platform-wide roles see all."""
    if actor.id == user.id and actor.kind == user.kind:
        return True
    if user.kind != "staff":
        # Citizens' and enterprises' accounts are read through the accounts list, with a purpose.
        return False
    return actor.has(Permission.USER_READ) and actor.can_in_department(Permission.USER_READ, user.department_id)


def check_manage_staff(actor: Actor, *, department_id: int | None, roles: set[str]) -> None:
    """A department admin manages their own department's staff and may not hand out platform roles."""
    actor.require(Permission.USER_MANAGE)
    actor.require_in_department(Permission.USER_MANAGE, department_id)
    if actor.department_scope(Permission.USER_MANAGE) is not None:
        forbidden = {r for r in roles if Role(r) not in DEPARTMENT_GRANTABLE_ROLES}
        if forbidden:
            raise Forbidden("部门管理员不能授予平台管理员或监察人员角色，请联系平台管理员。",
                            detail={"roles": sorted(forbidden)})


def check_manage_user(actor: Actor, user: User, *, new_roles: set[str] | None = None) -> None:
    if user.kind != "staff":
        actor.require(Permission.ACCOUNT_MANAGE)
        return
    check_manage_staff(actor, department_id=user.department_id, roles=new_roles or set())
    if actor.department_scope(Permission.USER_MANAGE) is not None and (
        set(user.roles) & {str(r) for r in PLATFORM_WIDE_ROLES}
    ):
        raise Forbidden("平台管理员和监察人员的账号只能由平台管理员管理。")


def can_read_client(actor: Actor, client: AppClient) -> bool:
    return actor.has(Permission.CLIENT_READ) and actor.can_in_department(
        Permission.CLIENT_READ, client.department_id
    )


def check_manage_client(actor: Actor, client: AppClient) -> None:
    actor.require(Permission.CLIENT_MANAGE)
    actor.require_in_department(Permission.CLIENT_MANAGE, client.department_id)
