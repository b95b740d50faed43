"""Object rules of sharing: consumer, provider and platform each act on their own part.

Each decision belongs to one role (国发〔2016〕51号, 政务数据共享条例): the requesting department's data
officer asks, objects and withdraws; the providing department's data officer answers; the platform
(数据局) checks compliance, coordinates objections and supervises grants. Seeing a request (reach) is
not deciding it: the platform sees every request but never answers or withdraws one in a
department's place (`Actor.acts_for`).
"""

from __future__ import annotations

from tongban.authz import Actor, Permission
from tongban.errors import Forbidden
from tongban.sharing.models import Grant, SharingRequest


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
    """异议, 撤回: the requesting department's own decisions."""
    if not actor.acts_for(Permission.SHARING_REQUEST, request.consumer_id):
        raise Forbidden("只有申请部门的数据管理员可以办理此操作。", code="not_consumer")


def check_provider(actor: Actor, provider_id: int) -> None:
    """答复 (同意 / 不予共享): the providing department's own decision."""
    if not actor.acts_for(Permission.SHARING_DECIDE, provider_id):
        raise Forbidden("只有提供部门的数据管理员可以答复共享申请。", code="not_provider")


def check_platform(actor: Actor) -> None:
    """合规审查, 争议协调: the platform's steps, taken by a person of the platform."""
    if not (actor.kind in ("staff", "system") and actor.has(Permission.SHARING_COMPLIANCE)):
        raise Forbidden("合规审查与争议协调由平台管理部门（数据局）办理。", code="not_platform")


def check_grant_control(actor: Actor, grant: Grant) -> None:
    """暂停, 恢复, 撤销, 调用限额: the provider decides on its data; the platform may too, as the supervisor of
    sharing that stops a misuse (政务数据共享条例: the 共享主管部门 supervises use and orders it stopped)."""
    if actor.has(Permission.SHARING_COMPLIANCE):
        return
    if not actor.acts_for(Permission.SHARING_DECIDE, grant.provider_id):
        raise Forbidden("只有提供部门的数据管理员或平台管理部门可以调整授权。", code="not_provider")
