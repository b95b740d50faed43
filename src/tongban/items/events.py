"""Life and business events (人生事件 / 企业事件) as the platform keeps them: rename, reorder, delete.

Items belong to an event through item_event_items; bundles name their event (Bundle.event). The event's
name is in the search index of its items and bundles (items/indexing.py), so renaming re-indexes them in
the same use-case. An event still used by an item or a bundle is not deleted: the refusal says how many
use it, so the admin can move them first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.errors import Conflict, NotFound, ValidationFailed
from tongban.items import indexing
from tongban.items.models import Bundle, ItemEvent, ItemEventItem
from tongban.transactions import use_case

EVENT_KINDS: dict[str, str] = {"life": "人生事件", "business": "企业事件"}


def event_by_name(session: Session, kind: str, name: str) -> ItemEvent:
    if kind not in EVENT_KINDS:
        raise ValidationFailed("事件类型应为 life（人生事件）或 business（企业事件）。", code="event_kind",
                               detail={"field": "kind"})
    event = session.execute(select(ItemEvent).where(ItemEvent.kind == kind, ItemEvent.name == name)
                            ).scalar_one_or_none()
    if event is None:
        raise NotFound(f"没有名为“{name}”的{EVENT_KINDS[kind]}。", code="event_not_found")
    return event


def _bundles_of(session: Session, name: str) -> list[Bundle]:
    # Bundles name their event; the portal lists a bundle under every event of that name (reads.events).
    return list(session.execute(select(Bundle).where(Bundle.event == name).order_by(Bundle.code)).scalars())


@use_case
def rename_event(*, session: Session, actor: Actor, kind: str, name: str, new_name: str) -> ItemEvent:
    """改名: the event, the bundles that name it, and the search index of both."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    event = event_by_name(session, kind, name)
    new_name = new_name.strip()
    if not 1 <= len(new_name) <= 64:
        raise ValidationFailed("请填写新的事件名称（1—64 个字）。", code="event_name", detail={"field": "new_name"})
    if new_name == event.name:
        return event
    if session.execute(select(ItemEvent.id).where(ItemEvent.kind == kind, ItemEvent.name == new_name)).first():
        raise Conflict(f"已有名为“{new_name}”的{EVENT_KINDS[kind]}，请换一个名称，或把事项并入该事件后删除本事件。",
                       code="event_exists", detail={"field": "new_name"})
    bundles = _bundles_of(session, event.name)
    event.name = new_name
    for b in bundles:
        b.event = new_name
    session.flush()
    audit.record(session, actor=actor, action="item.event_rename", object_type="item_event",
                 object_id=f"{kind}:{new_name}", detail={"from": name, "to": new_name, "bundles": len(bundles)})
    indexing.index_items(session, indexing.items_of_event(session, event.id))
    indexing.index_bundles(session, bundles)
    return event


def _ordered(session: Session, kind: str) -> list[ItemEvent]:
    return list(session.execute(select(ItemEvent).where(ItemEvent.kind == kind)
                                .order_by(ItemEvent.position, ItemEvent.id)).scalars())


def _renumber(events: list[ItemEvent]) -> None:
    for i, e in enumerate(events, start=1):
        e.position = i


@use_case
def reorder_events(*, session: Session, actor: Actor, kind: str, names: list[str]) -> list[ItemEvent]:
    """排序: the events of one kind in the given order (every event of the kind, each once)."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    if kind not in EVENT_KINDS:
        raise ValidationFailed("事件类型应为 life（人生事件）或 business（企业事件）。", code="event_kind",
                               detail={"field": "kind"})
    events = {e.name: e for e in _ordered(session, kind)}
    if sorted(names) != sorted(events):
        missing = [n for n in events if n not in names]
        unknown = [n for n in names if n not in events]
        parts = ([f"缺少：{'、'.join(missing)}"] if missing else []) + (
            [f"没有这些事件：{'、'.join(unknown)}"] if unknown else [])
        raise ValidationFailed(f"排序须列出全部{EVENT_KINDS[kind]}且每个只列一次（{'；'.join(parts) or '有重复'}）。",
                               code="event_order", detail={"field": "names"})
    ordered = [events[n] for n in names]
    _renumber(ordered)
    audit.record(session, actor=actor, action="item.event_reorder", object_type="item_event", object_id=kind,
                 detail={"order": names})
    return ordered


@use_case
def move_event(*, session: Session, actor: Actor, kind: str, name: str, offset: int) -> ItemEvent:
    """上移 / 下移: one place up (offset -1) or down (+1) among the events of its kind."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    event = event_by_name(session, kind, name)
    events = _ordered(session, kind)
    at = events.index(event)
    to = min(max(at + (1 if offset > 0 else -1), 0), len(events) - 1)
    events.insert(to, events.pop(at))
    _renumber(events)
    audit.record(session, actor=actor, action="item.event_reorder", object_type="item_event", object_id=kind,
                 detail={"order": [e.name for e in events]})
    return event


def usage(session: Session, event: ItemEvent) -> tuple[int, int]:
    """How many items and bundles use an event."""
    items = session.execute(select(func.count()).select_from(ItemEventItem)
                            .where(ItemEventItem.event_id == event.id)).scalar_one()
    return items, len(_bundles_of(session, event.name))


@use_case
def delete_event(*, session: Session, actor: Actor, kind: str, name: str) -> None:
    """删除: only an event no item and no bundle uses."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    event = event_by_name(session, kind, name)
    items, bundles = usage(session, event)
    if items or bundles:
        used = "、".join(p for p in (f"{items} 个事项" if items else "", f"{bundles} 个一件事" if bundles else "") if p)
        raise Conflict(f"“{name}”仍被{used}使用，不能删除：请先清空该事件的事项编码，"
                       "并把相关一件事的所属事件改为其他事件，再删除。", code="event_in_use",
                       detail={"items": items, "bundles": bundles})
    session.delete(event)
    session.flush()
    _renumber(_ordered(session, kind))
    audit.record(session, actor=actor, action="item.event_delete", object_type="item_event",
                 object_id=f"{kind}:{name}", detail={})
