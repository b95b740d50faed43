"""Object rules of disputes: the raising department, the providing department and the platform, nobody else."""

from __future__ import annotations

from tongban.authz import Actor, Permission
from tongban.disputes.models import DataDispute
from tongban.errors import Forbidden


def is_platform(actor: Actor) -> bool:
    return actor.kind == "staff" and actor.has(Permission.SHARING_COMPLIANCE)


def is_raiser(actor: Actor, dispute: DataDispute) -> bool:
    """The consumer side: its data officers and admins, or the system that raised it by API key."""
    if actor.kind == "client":
        return actor.client_id is not None and actor.client_id == dispute.client_id
    return actor.acts_for(Permission.DISPUTE_RAISE, dispute.consumer_id)


def is_answerer(actor: Actor, dispute: DataDispute) -> bool:
    """The provider side: data officers and admins of the department that holds the record."""
    # A platform role never answers in the provider's place, even for the platform's own department.
    return actor.acts_for(Permission.DISPUTE_ANSWER, dispute.provider_id)


def can_see(actor: Actor, dispute: DataDispute) -> bool:
    return is_platform(actor) or is_raiser(actor, dispute) or is_answerer(actor, dispute)


def check_raiser(actor: Actor, dispute: DataDispute) -> None:
    if not is_raiser(actor, dispute):
        raise Forbidden("只有提出疑义的部门可以办理此操作。", code="not_raiser")


def check_raiser_staff(actor: Actor, dispute: DataDispute) -> None:
    """Escalation is a department's decision, taken by a person, not by a system."""
    if actor.kind != "staff" or not is_raiser(actor, dispute):
        raise Forbidden("只有提出疑义部门的数据管理员可以申请平台协调。", code="not_raiser")


def check_answerer(actor: Actor, dispute: DataDispute) -> None:
    if not is_answerer(actor, dispute):
        raise Forbidden("只有数据提供部门的数据管理员可以答复数据疑义。", code="not_provider")


def check_platform(actor: Actor) -> None:
    if not is_platform(actor):
        raise Forbidden("数据疑义的协调由平台管理部门（数据局）办理。", code="not_platform")
