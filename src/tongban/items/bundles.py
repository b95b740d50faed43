"""The life of a bundle (一件事) after it is made: 发布 (a draft), 停用 (a published one) and 删除 (a draft).

States: draft → published → retired. A draft was never public and may be deleted; a published bundle is
retired, never deleted, so its versions and audit trail stay; a retired bundle is final (make a new one to
offer it again). Every published state is a version (service.record_bundle_version). Publishing adds the
bundle to the portal's search index, retiring and deleting remove it, in the same use-case; the portal lists
published bundles only (reads.list_bundles)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.errors import InvalidTransition, NotFound
from tongban.items import indexing
from tongban.items.models import Bundle
from tongban.items.service import record_bundle_version
from tongban.transactions import use_case

BUNDLE_STATUS_LABELS: dict[str, str] = {"draft": "草稿", "published": "已发布", "retired": "已停用"}


def bundle_by_code(session: Session, code: str) -> Bundle:
    bundle = session.execute(select(Bundle).where(Bundle.code == code)).scalar_one_or_none()
    if bundle is None:
        raise NotFound(f"未找到编码为 {code} 的一件事。", code="bundle_not_found")
    return bundle


@use_case
def publish_bundle(*, session: Session, actor: Actor, code: str) -> Bundle:
    """发布: a draft bundle goes on the portal as version 1."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    bundle = bundle_by_code(session, code)
    if bundle.status == "published":
        raise InvalidTransition(f"“{bundle.name}”已发布，无需再次发布；修改后即为新版本。", code="bundle_published")
    if bundle.status == "retired":
        raise InvalidTransition(f"“{bundle.name}”已停用，不能重新发布；如需重新提供，请新建一件事。",
                                code="bundle_retired")
    bundle.status = "published"
    version = record_bundle_version(session, actor, bundle, "发布")
    audit.record(session, actor=actor, action="item.bundle_publish", object_type="bundle", object_id=bundle.code,
                 detail={"name": bundle.name, "version": version})
    indexing.index_bundles(session, [bundle])
    return bundle


@use_case
def retire_bundle(*, session: Session, actor: Actor, code: str, reason: str) -> Bundle:
    """停用: the bundle leaves the portal and its search; its versions and trail stay for the record."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    bundle = bundle_by_code(session, code)
    if bundle.status == "retired":
        raise InvalidTransition(f"“{bundle.name}”已停用。", code="bundle_retired")
    if bundle.status == "draft":
        raise InvalidTransition(f"“{bundle.name}”是从未发布的草稿，无需停用；不再需要可直接删除。",
                                code="bundle_never_published")
    bundle.status = "retired"
    audit.record(session, actor=actor, action="item.bundle_retire", object_type="bundle", object_id=bundle.code,
                 detail={"name": bundle.name, "reason": reason})
    indexing.index_bundles(session, [bundle])
    return bundle


@use_case
def delete_bundle(*, session: Session, actor: Actor, code: str) -> str:
    """删除: a draft that was never published goes away; returns its name."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    bundle = bundle_by_code(session, code)
    if bundle.status != "draft":
        raise InvalidTransition(
            f"“{bundle.name}”{BUNDLE_STATUS_LABELS.get(bundle.status, bundle.status)}，不能删除：发布过的一件事"
            "只能停用，以保留其版本和留痕。", code="bundle_not_draft")
    name = bundle.name
    indexing.index_bundles(session, [bundle])  # a draft is not in the index; this keeps it so
    session.delete(bundle)
    session.flush()
    audit.record(session, actor=actor, action="item.bundle_delete", object_type="bundle", object_id=code,
                 detail={"name": name})
    return name
