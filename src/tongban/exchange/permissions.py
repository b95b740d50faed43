"""Object rules of sharing: consumer, provider and platform each act on their own part."""

from __future__ import annotations

from tongban.authz import Actor, Permission
from tongban.errors import Forbidden
from tongban.exchange.models import Grant, SharingRequest


def can_see(actor: Actor, request: SharingRequest | Grant) -> bool:
    if actor.has(Permission.SHARING_COMPLIANCE):
        return True
    if not actor.has(Permission.SHARING_READ):
        return False
    scope = actor.department_scope(Permission.SHARING_READ)
    provider_id = request.provider_id
    consumer_id = request.consumer_id
    return scope is None or provider_id in scope or consumer_id in scope


def check_consumer(actor: Actor, request: SharingRequest) -> None:
    if not (actor.has(Permission.SHARING_REQUEST)
            and actor.can_in_department(Permission.SHARING_REQUEST, request.consumer_id)):
        raise Forbidden("只有申请部门的数据管理员可以办理此操作。")


def check_provider(actor: Actor, provider_id: int) -> None:
    if not (actor.has(Permission.SHARING_DECIDE) and actor.can_in_department(Permission.SHARING_DECIDE, provider_id)):
        raise Forbidden("只有提供部门的数据管理员可以答复共享申请。")


def check_platform(actor: Actor) -> None:
    if not actor.has(Permission.SHARING_COMPLIANCE):
        raise Forbidden("合规审查与争议协调由平台管理部门（数据局）办理。")


def check_grant_control(actor: Actor, grant: Grant) -> None:
    """The provider and the platform may suspend, resume or revoke a grant."""
    if actor.has(Permission.SHARING_COMPLIANCE):
        return
    check_provider(actor, grant.provider_id)
