"""Object rules of the catalog: who sees and who edits which resource."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true

from tongban.authz import Actor, Permission
from tongban.catalog.models import InformationResource
from tongban.errors import Forbidden


def can_see(actor: Actor, resource: InformationResource) -> bool:
    """Open published resources are public; staff see every published or retired entry; drafts stay home."""
    if resource.status == "published" and resource.open_to_public:
        return True
    if not actor.has(Permission.CATALOG_READ):
        return False
    if resource.status == "draft":
        return can_edit(actor, resource.provider_id)
    return True


def visibility(actor: Actor) -> ColumnElement[bool]:
    """The same rule as `can_see`, as a SQL condition for lists and search."""
    r = InformationResource
    public = and_(r.status == "published", r.open_to_public.is_(True))
    if not actor.has(Permission.CATALOG_READ):
        return public
    shown = r.status.in_(["published", "retired"])
    if actor.has(Permission.CATALOG_ADMIN):
        return true()
    scope = actor.department_scope(Permission.CATALOG_EDIT)
    drafts = (r.provider_id.in_(scope) if scope else false()) if scope is not None else true()
    return or_(shown, and_(r.status == "draft", drafts))


def can_edit(actor: Actor, provider_id: int) -> bool:
    if actor.has(Permission.CATALOG_ADMIN):
        return True
    return actor.has(Permission.CATALOG_EDIT) and actor.can_in_department(Permission.CATALOG_EDIT, provider_id)


def check_edit(actor: Actor, provider_id: int) -> None:
    if not can_edit(actor, provider_id):
        raise Forbidden("只有提供部门的数据管理员可以编目和维护本部门的信息资源。")
