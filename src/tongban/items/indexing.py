"""What service items and bundles give the platform's search component (tongban.search), for the portal.

A basic item with at least one live implementation is indexed as kind "item" (doc_id: the basic item's
id) from what the public sees (the published versions): its name; the item type and its result — the
licence or document it issues — as the short abstract and as an alias weighted like the name (so 营业执照
finds the items issuing one before the many taking one as a material); high-frequency items get a small
boost; the conditions, materials, service objects and the life/business events it
belongs to (body); and
the implementing departments' full and short names with the events again (tags, so 市监局 or 生育 find
it). A published bundle is indexed as kind "bundle" (doc_id: the bundle's id) with its event, guide and
its members' names and conditions — not its lead department's names: a department's name is asked to
find the department's items, and the bundles it leads came above them (bench/search_quality.py). An
item without a live implementation, or a retired bundle, is removed from the index. All inside the caller's
transaction (the publishing use-case's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.items.models import (
    BasicItem,
    Bundle,
    BundleMember,
    Implementation,
    ImplementationVersion,
    ItemEvent,
    ItemEventItem,
)
from tongban.org.models import Department
from tongban.search import fulltext as search_index

ITEM_KIND = "item"
BUNDLE_KIND = "bundle"
#: High-frequency items (高频事项: what most people come for) come first among equally good matches.
HIGH_FREQUENCY_BOOST = 0.25


def _unique(values: Iterable[str]) -> list[str]:
    return [v for v in dict.fromkeys(v.strip() for v in values) if v]


def index_items(session: Session, basic_item_ids: Iterable[int]) -> None:
    """(Re)index these basic items from their live implementations; remove those without one."""
    ids = sorted(set(basic_item_ids))
    if not ids:
        return
    session.flush()
    basics = {b.id: b for b in session.execute(select(BasicItem).where(BasicItem.id.in_(ids))).scalars()}
    snapshots: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for basic_id, snapshot in session.execute(
            select(Implementation.basic_item_id, ImplementationVersion.snapshot)
            .join(ImplementationVersion, (ImplementationVersion.implementation_id == Implementation.id)
                  & (ImplementationVersion.version == Implementation.published_version))
            .where(Implementation.basic_item_id.in_(ids), Implementation.published_version > 0,
                   Implementation.status != "retired").order_by(Implementation.id)):
        snapshots[basic_id].append(dict(snapshot))
    short: dict[str, str] = {n: s for n, s in session.execute(select(Department.name, Department.short_name))}
    events: dict[int, list[str]] = defaultdict(list)
    for basic_id, event_name in session.execute(
            select(ItemEventItem.basic_item_id, ItemEvent.name).join(ItemEvent, ItemEvent.id == ItemEventItem.event_id)
            .where(ItemEventItem.basic_item_id.in_(ids)).order_by(ItemEvent.position, ItemEvent.id)):
        events[basic_id].append(event_name)
    docs: list[search_index.Doc] = []
    for basic_id in ids:
        basic = basics.get(basic_id)
        shots = snapshots.get(basic_id)
        if basic is None or not shots:
            search_index.remove(session, ITEM_KIND, basic_id)
            continue
        conditions = _unique(c for s in shots for c in s.get("conditions", []))
        materials = _unique(m["name"] for s in shots for m in s.get("materials", []))
        objects = _unique(o for s in shots for o in s.get("service_objects", []))
        results = _unique(s.get("result_name", "") for s in shots)
        departments = _unique(s.get("department_name", "") for s in shots)
        names = _unique([*departments, *(short.get(d, "") for d in departments)])
        abstract = "；".join([basic.item_type, *results])
        body = " ".join([*conditions, *materials, *objects, *events[basic_id]])
        tags = " ".join([*names, basic.item_type, *events[basic_id]])
        docs.append(search_index.Doc(basic_id, basic.name, abstract, body, tags, aliases=" ".join(results),
                                     boost=HIGH_FREQUENCY_BOOST if basic.high_frequency else 0.0))
    search_index.index_many(session, ITEM_KIND, docs)


def index_bundles(session: Session, bundles: Iterable[Bundle]) -> None:
    """(Re)index bundles; a bundle not published is removed."""
    docs: list[search_index.Doc] = []
    for b in bundles:
        if b.status != "published":
            search_index.remove(session, BUNDLE_KIND, b.id)
            continue
        members = [m.basic.name for m in b.members]
        labels = [m.condition_label for m in b.members if m.condition_label]
        docs.append(search_index.Doc(b.id, b.name, f"{b.event}；{b.guide}", " ".join([*members, *labels]),
                                     b.event))
    search_index.index_many(session, BUNDLE_KIND, docs)


def items_of_event(session: Session, event_id: int) -> list[int]:
    return list(session.execute(select(ItemEventItem.basic_item_id).where(ItemEventItem.event_id == event_id))
                .scalars())


def reindex_all(session: Session) -> None:
    """Index every basic item and bundle (after a bulk load such as the demo's)."""
    index_items(session, session.execute(select(BasicItem.id)).scalars())
    index_bundles(session, session.execute(select(Bundle)).scalars().all())


def bundles_with(session: Session, basic_item_id: int) -> list[Bundle]:
    return list(session.execute(select(Bundle).join(BundleMember, BundleMember.bundle_id == Bundle.id)
                                .where(BundleMember.basic_item_id == basic_item_id)).scalars())
