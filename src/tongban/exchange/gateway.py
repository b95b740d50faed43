"""The exchange API's use-cases (共享交换): keyed and filtered queries of 库表 resources for
application clients, limited to their grants, masked by sensitivity, logged before answering.

Like X-Road's userId and issue headers, every call states its purpose, and when it serves a
person's case, the end user and the case number; a call without a purpose is refused.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tongban import versioned
from tongban.authz import Actor
from tongban.errors import NotFound
from tongban.exchange import hooks, log_writer
from tongban.exchange.access import (
    CallContext,
    check_access,
    check_end_user_filters,
    check_end_user_key,
    check_end_user_records,
    check_filters,
    end_user_systems,
    load_json,
    log_and_commit,
    log_on_loop,
    logged,
    provenance,
    shape,
    subject_types,
)
from tongban.loop_reads import LoopReader

__all__ = ["CallContext", "data_uses", "get_record", "query_records"]


_RECORD_BY_KEY = {False: "SELECT data FROM registry_records WHERE resource_id = :r AND record_key = :k AND NOT deleted",
                  True: "SELECT data FROM registry_records WHERE resource_id = %(r)s AND record_key = %(k)s "
                        "AND NOT deleted"}


# The record and the exchange area's version in one statement (get_record_on_loop): two constants, no outside text.
_RECORD_AND_VERSION = f"SELECT ({versioned.VERSION_SQL}), ({_RECORD_BY_KEY[False]})"


@logged("get")
def get_record(*, session: Session, actor: Actor, code: str, key: str, ctx: CallContext) -> dict[str, Any]:
    """按主键查询: one record by its key (e.g. a resident ID; full-width digits are read as the same key)."""
    key = unicodedata.normalize("NFKC", key)
    acc = check_access(session, actor, ctx, code, "get")
    check_end_user_key(session, actor, ctx, "get", acc, key)
    # The statement as the driver takes it, without the ORM's execution path: the busiest read of the hub.
    row = session.connection().exec_driver_sql(
        _RECORD_BY_KEY[session.get_bind().dialect.name == "postgresql"], {"r": acc.resource.id, "k": key}).first()
    if row is None:
        log_and_commit(session, actor, ctx, operation="get", resource=acc.resource, code=code, items=[], records=[],
                       keys=[key], result="not_found", status=404)
        raise NotFound("没有该主键的记录。", code="record_not_found")
    data = load_json(row[0])
    check_end_user_records(session, actor, ctx, "get", acc, [data])
    # The whole answer is read before the log entry, so that the call ends with its commit.
    disputes = hooks.record_notes(session, acc.resource.id, [key]).get(key, [])
    answer = {"data": shape(acc, data), "disputed": bool(disputes), "disputes": disputes,
              "provenance": provenance(session, acc)}
    log_and_commit(session, actor, ctx, operation="get", resource=acc.resource, code=code, items=acc.items,
                   records=[data], keys=[key], result="ok", status=200, subject_types=subject_types(acc))
    return answer


async def get_record_on_loop(*, snapshot: versioned.Snapshot, reads: LoopReader, actor: Actor, code: str, key: str,
                             ctx: CallContext) -> dict[str, Any]:
    """`get_record` on the event loop, for a call whose every check this process can make from memory (the key, the
    resource, the grants, the disputes and the register's head kept under the versions in `snapshot`): the same
    steps and checks, the record read with `reads`, the quota count and the log entry awaited in the group commit.
    Anything else — something not kept, a refusal (logged the ordinary way), no such record, a system acting for end
    users (its case is read) — raises `versioned.NotCached` before anything is written, and the caller runs
    `get_record` in a request thread. The answer leaves only once its entry is committed, as there.

    The snapshot's version may be the one the process's cache holds, not yet read from the database: the record is
    read with the database's current version in one statement, and a different version (anything cached changed
    since) is `NotCached` too, before anything is written. So every check stands on what the database held when the
    record was read, as in `get_record` (which reads the version first, in the same transaction)."""
    key = unicodedata.normalize("NFKC", key)
    if actor.username in end_user_systems():
        raise versioned.NotCached("end user")
    snapshot.info[log_writer.SESSION_FLAG] = True  # its count goes to the group commit with its entry
    acc = check_access(snapshot, actor, ctx, code, "get")  # type: ignore[arg-type]
    check_end_user_key(snapshot, actor, ctx, "get", acc, key)  # type: ignore[arg-type]
    row = await reads.one(_RECORD_AND_VERSION, {"n": versioned.EXCHANGE, "r": acc.resource.id, "k": key})
    if row is None or row[0] != snapshot.versions.get(versioned.EXCHANGE) or row[0] is None:
        raise versioned.NotCached("version moved")
    row = row[1:]
    if row[0] is None:
        raise versioned.NotCached("no record")
    data = load_json(row[0])
    check_end_user_records(snapshot, actor, ctx, "get", acc, [data])  # type: ignore[arg-type]
    disputes = hooks.record_notes(snapshot, acc.resource.id, [key]).get(key, [])
    answer = {"data": shape(acc, data), "disputed": bool(disputes), "disputes": disputes,
              "provenance": provenance(snapshot, acc)}  # type: ignore[arg-type]
    await log_on_loop(snapshot, actor, ctx, operation="get", resource=acc.resource, code=code, items=acc.items,
                      records=[data], keys=[key], result="ok", status=200, subject_types=subject_types(acc))
    return answer


@logged("query")
def query_records(*, session: Session, actor: Actor, code: str, filters: dict[str, str], page: int, size: int,
                  ctx: CallContext) -> dict[str, Any]:
    """按条件查询: equality filters on granted items, paged in key order."""
    acc = check_access(session, actor, ctx, code, "query")
    check_filters(session, actor, ctx, "query", code, acc, filters,
                  empty_message="请至少给出一个筛选条件；批量获取请使用数据导出接口。")
    check_end_user_filters(session, actor, ctx, "query", acc, filters)
    dialect = session.get_bind().dialect.name
    clauses: list[str] = []
    params: dict[str, Any] = {"r": acc.resource.id, "limit": size, "offset": (page - 1) * size}
    for n, (k, v) in enumerate(sorted(filters.items())):
        expr = f"data ->> '{k}'" if dialect == "postgresql" else f"json_extract(data, '$.{k}')"
        clauses.append(f"{expr} = :v{n}")
        params[f"v{n}"] = v
    # Item keys are checked against the grant (a fixed set of identifiers), never user text.
    where = " AND ".join(clauses)
    rows = session.execute(text(
        f"SELECT record_key, data FROM registry_records WHERE resource_id = :r AND NOT deleted AND {where} "  # noqa: S608
        "ORDER BY record_key LIMIT :limit OFFSET :offset"), params).all()
    total = session.execute(text(
        f"SELECT count(*) FROM registry_records WHERE resource_id = :r AND NOT deleted AND {where}"),  # noqa: S608
        params).scalar_one()
    records = [load_json(d) for _, d in rows]
    check_end_user_records(session, actor, ctx, "query", acc, records)
    disputed = hooks.record_notes(session, acc.resource.id, [k for k, _ in rows])
    # Rows are flagged by position: the record key may be an item the grant does not cover.
    flags = [{"row": n, "disputes": disputed[k]} for n, (k, _) in enumerate(rows) if k in disputed]
    answer = {"items": [shape(acc, d) for d in records], "total": int(total), "page": page, "size": size,
              "disputed_rows": flags, "provenance": provenance(session, acc)}
    log_and_commit(session, actor, ctx, operation="query", resource=acc.resource, code=code, items=acc.items,
                   records=records, keys=[k for k, _ in rows], result="ok", status=200,
                   subject_types=subject_types(acc))
    return answer


def data_uses(*, session: Session, actor: Actor, page: int = 1, size: int = 50) -> dict[str, Any]:
    """谁用了我的数据 as JSON: the same read model as the page (exchange/queries.my_data_uses), times in Beijing
    time with their offset, objects by their Chinese names, items by key and by name."""
    from tongban.exchange.queries import my_data_uses

    view = my_data_uses(session, actor, page=page, size=size)
    beijing = dt.timezone(dt.timedelta(hours=8))
    return {"total": view.total, "page": page, "size": size, "items": [{
        "time": u.occurred_at.replace(tzinfo=dt.UTC).astimezone(beijing).isoformat(),
        "department": u.department, "system": u.system, "resource": u.resource, "provider": u.provider,
        "purpose": u.purpose, "case_number": u.case_number, "items": u.item_keys, "item_names": u.item_names}
        for u in view.rows]}
