"""How audited objects are shown to people: a Chinese type name and the object's own name or number.

The audit log stores `object_type` and `object_id` (a database id, a resource code, a request number).
Pages show "证照类型 营业执照" or "用户 郭振华", never "licence_type 4" or "用户 55". Audit is a lower layer,
so it offers a registry; the layer that knows the objects (web/object_names.py) fills it with one
batch lookup per object type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

from tongban.loop_reads import LoopReader


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

@dataclass(frozen=True)
class Names:
    """How the objects of one type are named. `sql` (written once, `:name` parameters) reads rows whose first column is
    the key, for the keys in its `{ids}`; `name(row)` is the object's name. Without `sql`, or for an id it does not
    find, `from_id(id)` names it from the id alone (else the id is shown as it is). `int_keys`: the key column is an
    integer id (ids that are not one are not looked up)."""

    sql: str | None = None
    name: Callable[[tuple[Any, ...]], str] = lambda row: str(row[1])
    int_keys: bool = True
    from_id: Callable[[str], str | None] | None = None

    def statement(self, ids: Iterable[str]) -> tuple[str, dict[str, Any]] | None:
        """The statement and parameters that read these ids' names (None: nothing to read)."""
        if self.sql is None:
            return None
        keys: list[Any] = [int(i) for i in ids if i.isdigit() and len(i) < 18] if self.int_keys else list(ids)
        if not keys:
            return None
        params = {f"id{n}": k for n, k in enumerate(keys)}
        return self.sql.format(ids=", ".join(f":{k}" for k in params)), params


_names: dict[str, Names] = {}


def register_names(object_type: str, names: Names) -> None:
    """How the objects of one type are named (web/object_names.py registers every type's)."""
    _names[object_type] = names


def object_label(object_type: str) -> str:
    return OBJECT_LABELS.get(object_type, "对象")


def _wanted(entries: Iterable[Described]) -> dict[str, list[str]]:
    wanted: dict[str, set[str]] = {}
    for e in entries:
        if e.object_id:
            wanted.setdefault(e.object_type, set()).add(str(e.object_id))
    return {t: sorted(ids) for t, ids in wanted.items()}


def _named(object_type: str, ids: list[str], rows: Iterable[tuple[Any, ...]]) -> dict[tuple[str, str], str]:
    names = _names.get(object_type)
    found = {str(row[0]): names.name(tuple(row)) for row in rows} if names is not None else {}
    fixed = _NAMELESS.get(object_type, {})
    label = object_label(object_type)
    out: dict[tuple[str, str], str] = {}
    for object_id in ids:
        name = found.get(object_id) or (names.from_id(object_id) if names is not None and names.from_id else None)
        out[(object_type, object_id)] = f"{label} {name or fixed.get(object_id) or object_id}"
    return out


def _statement(object_type: str, ids: list[str]) -> tuple[str, dict[str, Any]] | None:
    names = _names.get(object_type)
    return names.statement(ids) if names is not None else None


def describe_objects(session: Session, entries: Iterable[Described]) -> dict[tuple[str, str], str]:
    """{(object_type, object_id): "证照类型 营业执照"} for the given audit entries, one query per type."""
    out: dict[tuple[str, str], str] = {}
    for object_type, ids in _wanted(entries).items():
        stmt = _statement(object_type, ids)
        rows = session.execute(text(stmt[0]), stmt[1]).all() if stmt is not None else []
        out |= _named(object_type, ids, rows)
    return out


async def describe_objects_on_loop(reads: LoopReader, entries: Iterable[Described]) -> dict[tuple[str, str], str]:
    """`describe_objects` with the statements on the event loop (tongban/loop_reads.py: each reads by keys), all the
    types' at once."""

    async def one_type(object_type: str, ids: list[str]) -> dict[tuple[str, str], str]:
        stmt = _statement(object_type, ids)
        return _named(object_type, ids, await reads.all(stmt[0], stmt[1]) if stmt is not None else [])

    out: dict[tuple[str, str], str] = {}
    for named in await reads.together(*(one_type(t, ids) for t, ids in _wanted(entries).items())):
        out |= named
    return out


def describe(names: Mapping[tuple[str, str], str], object_type: str, object_id: str | None) -> str:
    """The display of one entry's object (for templates), falling back to the Chinese type and the id."""
    if not object_id:
        return object_label(object_type)
    return names.get((object_type, str(object_id))) or f"{object_label(object_type)} {object_id}"
