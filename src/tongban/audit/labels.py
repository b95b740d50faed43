"""How audited objects are shown to people: a Chinese type name and the object's own name or number.

The audit log stores `object_type` and `object_id` (a database id, a resource code, a request number).
Pages show "证照类型 营业执照" or "用户 郭振华", never "licence_type 4" or "用户 55". Audit is a lower layer,
so it offers a registry; the layer that knows the objects (web/object_names.py) fills it with one
batch lookup per object type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from sqlalchemy.orm import Session


class Described(Protocol):
    """What naming an entry's object needs: an AuditEntry, or a read model's row of its columns."""

    @property
    def object_type(self) -> str: ...

    @property
    def object_id(self) -> str | None: ...

OBJECT_LABELS: dict[str, str] = {
    "user": "用户", "department": "部门", "app_client": "应用系统", "api_key": "API 密钥", "region": "行政区划",
    "platform": "平台", "route": "功能页面", "resource": "信息资源", "classification": "目录分类",
    "sharing_request": "共享申请", "grant": "共享授权", "exchange_log": "交换日志",
    "data_dispute": "数据疑义", "calendar_year": "节假日安排", "job": "后台任务",
    "ca_certificate": "CA 证书", "seal": "电子印章",
    "licence_type": "证照类型", "licence": "电子证照", "licence_list": "证照列表",
    "basic_item": "基本目录事项", "implementation": "实施清单", "bundle": "一件事", "item_event": "事项分类",
    "search_term": "检索词", "case": "办件", "document": "文书", "rating": "好差评", "supervision_rule": "监察规则",
    "supervision_order": "督办",
}

# Objects whose id means nothing to a reader and has no name to look up.
_NAMELESS = {"platform": {"demo": "演示数据"}}

Resolver = Callable[[Session, list[str]], Mapping[str, str]]
_resolvers: dict[str, Resolver] = {}


def register_resolver(object_type: str, resolver: Resolver) -> None:
    """Name the objects of one type: `resolver(session, ids)` answers {id: name} for the ids it knows."""
    _resolvers[object_type] = resolver


def object_label(object_type: str) -> str:
    return OBJECT_LABELS.get(object_type, "对象")


def describe_objects(session: Session, entries: Iterable[Described]) -> dict[tuple[str, str], str]:
    """{(object_type, object_id): "证照类型 营业执照"} for the given audit entries, one query per type."""
    wanted: dict[str, set[str]] = {}
    for e in entries:
        if e.object_id:
            wanted.setdefault(e.object_type, set()).add(str(e.object_id))
    out: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        resolver = _resolvers.get(object_type)
        names: Mapping[str, str] = resolver(session, sorted(ids)) if resolver else {}
        fixed = _NAMELESS.get(object_type, {})
        for object_id in ids:
            name = names.get(object_id) or fixed.get(object_id) or object_id
            out[(object_type, object_id)] = f"{object_label(object_type)} {name}"
    return out


def describe(names: Mapping[tuple[str, str], str], object_type: str, object_id: str | None) -> str:
    """The display of one entry's object (for templates), falling back to the Chinese type and the id."""
    if not object_id:
        return object_label(object_type)
    return names.get((object_type, str(object_id))) or f"{object_label(object_type)} {object_id}"
