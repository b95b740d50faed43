"""Who may see and act on the supervisor's board, alerts and 督办 (object rules over tongban.authz)."""

from __future__ import annotations

from tongban.authz import Actor, Permission
from tongban.errors import Forbidden, NotFound


def board_scope(actor: Actor, department_id: int | None = None) -> int | None:
    """The department the board shows: None for the whole city (supervisor, platform), the head's own
    department otherwise. Asking for another department than one's own is refused."""
    actor.require(Permission.SUPERVISION_READ)
    scope = actor.department_scope(Permission.SUPERVISION_READ)
    if scope is None:
        return department_id
    if department_id is not None and department_id not in scope:
        raise Forbidden("您只能查看本部门的电子监察情况。", detail={"permission": str(Permission.SUPERVISION_READ)})
    if not scope:
        raise Forbidden(detail={"permission": str(Permission.SUPERVISION_READ)})
    return department_id if department_id is not None else min(scope)


def can_see_department(actor: Actor, department_id: int) -> bool:
    """The board's readers of that department, and the department's own people who answer 督办."""
    return (actor.can_in_department(Permission.SUPERVISION_READ, department_id)
            or actor.can_in_department(Permission.SUPERVISION_ANSWER, department_id))


def require_order_visible(actor: Actor, department_id: int, number: str) -> None:
    """Another department's 督办 does not exist for the actor (no hint that it does)."""
    if not can_see_department(actor, department_id):
        raise NotFound(f"未找到督办 {number}。", code="order_not_found")


def can_answer(actor: Actor, department_id: int) -> bool:
    """Only the ordered department's head and handlers answer its 督办; nobody answers in its place."""
    return actor.acts_for(Permission.SUPERVISION_ANSWER, department_id)
