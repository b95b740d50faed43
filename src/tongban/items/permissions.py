"""Object rules of service items: who edits an implementation list, who sees a working copy."""

from __future__ import annotations

from tongban.authz import Actor, Permission
from tongban.errors import Forbidden
from tongban.items.models import Implementation


def check_manage(actor: Actor, department_id: int) -> None:
    """A department's implementation list is its own act: only its own staff holding ITEM_MANAGE edit,
    submit and retire it; the platform admin reviews but does not write in the department's place."""
    if not actor.acts_for(Permission.ITEM_MANAGE, department_id):
        raise Forbidden("只有实施部门本部门的事项管理人员（部门管理员）可以编制、修改、提交和停用本部门的实施清单；"
                        "平台管理员负责审核，不代替部门编制。", code="item_not_own_department",
                        detail={"permission": str(Permission.ITEM_MANAGE)})


def can_see_working(actor: Actor, impl: Implementation) -> bool:
    """The working copy (drafts, returned, in review) is seen by the department's staff and the reviewers."""
    if actor.has(Permission.ITEM_REVIEW):
        return True
    return actor.is_staff and actor.department_id == impl.department_id
