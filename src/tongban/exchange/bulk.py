"""Subscriptions (增量订阅) and bulk export (批量导出) of 库表 resources for application clients.

A subscriber keeps a cursor: the resource's change sequence number of the last change it has
applied. `changes` returns the records changed after it, in sequence order, with deletions, so a
consumer system can keep a synchronised copy without reloading everything.

An export streams every current record of a granted resource as CSV or Parquet with the same
grant, masking and logging as a single query. Its log entry is written before the first byte; the
persons and enterprises it touches are recorded batch by batch, each before that batch leaves, so
an export shows in “who used my data” like any other use and memory stays bounded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from tongban.authz import Actor
from tongban.errors import ValidationFailed
from tongban.exchange import hooks, sealing
from tongban.exchange.access import (
    Access,
    CallContext,
    check_access,
    load_json,
    log_call,
    logged,
    provenance,
    refuse,
    shape,
    shape_key,
    subject_types,
)
from tongban.exchange.log_models import ExchangeLogSubject
from tongban.registries.models import RegistryHead
from tongban.transactions import Why, commit_apart

EXPORT_BATCH = 5000
FORMATS = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


@logged("changes")
def changes(*, session: Session, actor: Actor, code: str, since: int, limit: int, ctx: CallContext) -> dict[str, Any]:
    """增量订阅: records changed after cursor `since` (upserts with granted items, deletions by key)."""
    acc = check_access(session, actor, ctx, code, "changes")
    key_items = [i for i in acc.resource.items if i.is_key]
    if any(i.key not in acc.items for i in key_items):
        # Changes are keyed by the record key; without a grant for it the key itself would leak.
        raise refuse(session, actor, ctx, "changes", code, acc.resource, ValidationFailed(
            "增量订阅按主键同步，须先获得主键信息项（" + "、".join(i.name for i in key_items) + "）的授权。",
            code="key_not_granted"))
    head = session.get(RegistryHead, acc.resource.id)
    last = head.last_seq if head is not None else 0
    if since > last:
        raise refuse(session, actor, ctx, "changes", code, acc.resource, ValidationFailed(
            f"游标 {since} 超出该资源当前的最新变更序号 {last}，请从 0 开始重新同步。", code="cursor_ahead",
            detail={"last_seq": last}))
    rows = session.execute(text(
        "SELECT seq, record_key, deleted, data FROM registry_records WHERE resource_id = :r AND seq > :s "
        "ORDER BY seq LIMIT :n"), {"r": acc.resource.id, "s": since, "n": limit + 1}).all()
    more = len(rows) > limit
    rows = rows[:limit]
    records = [load_json(d) for _, _, deleted, d in rows if not deleted]
    disputed = hooks.record_notes(session, acc.resource.id, [k for _, k, deleted, _ in rows if not deleted])
    out: list[dict[str, Any]] = []
    for seq, key, deleted, data in rows:
        # The key is masked like its items: a masked id_number must not travel in plain beside its data.
        if deleted:
            out.append({"seq": int(seq), "key": shape_key(acc, key), "op": "delete"})
        else:
            change = {"seq": int(seq), "key": shape_key(acc, key), "op": "upsert",
                      "data": shape(acc, load_json(data))}
            if key in disputed:
                change["disputes"] = disputed[key]
            out.append(change)
    prov = provenance(session, acc)
    # The whole answer is built before the log entry, so that the call ends with its commit.
    log_call(session, actor, ctx, operation="changes", resource=acc.resource, code=code, items=acc.items,
             records=records, keys=[k for _, k, _, _ in rows], result="ok", status=200,
             subject_types=subject_types(acc))
    commit_apart(session, Why.EXCHANGE_LOG)
    cursor = int(rows[-1][0]) if rows else since
    return {"changes": out, "next_cursor": cursor, "has_more": more, "last_seq": int(last), "provenance": prov}


@dataclass
class Export:
    """A started export: the stream and how to name it."""

    chunks: Iterator[bytes]
    filename: str
    media_type: str
    records: int


@logged("export")
def start_export(*, session: Session, factory: sessionmaker[Session], actor: Actor, code: str, fmt: str,
                 ctx: CallContext) -> Export:
    """批量导出: check the grant and log the call now; the records are read and sent as the stream is consumed."""
    if fmt not in FORMATS:
        raise ValidationFailed("导出格式应为 csv 或 parquet。", code="bad_format")
    acc = check_access(session, actor, ctx, code, "export")
    head = session.get(RegistryHead, acc.resource.id)
    count = head.records if head is not None else 0
    entry_seq = log_call(session, actor, ctx, operation="export", resource=acc.resource, code=code,
                         items=acc.items, records=[], keys=[], result="ok", status=200, record_count=count)
    commit_apart(session, Why.EXCHANGE_LOG)
    safe = acc.resource.code.replace("/", "-")
    filename = f"{safe}.{fmt}"
    rows = _records(factory, acc, entry_seq)
    chunks = _csv(acc, rows) if fmt == "csv" else _parquet(acc, rows)
    return Export(chunks=chunks, filename=filename, media_type=FORMATS[fmt], records=count)


def _records(factory: sessionmaker[Session], acc: Access, entry_seq: int) -> Iterator[list[dict[str, Any]]]:
    """Batches of shaped records in key order; each batch's subjects are logged before it is yielded."""
    kinds = subject_types(acc)
    resource_id = acc.resource.id
    last = ""
    with factory() as session:
        while True:
            rows = session.execute(text(
                "SELECT record_key, data FROM registry_records WHERE resource_id = :r AND NOT deleted "
                "AND record_key > :k ORDER BY record_key LIMIT :n"),
                {"r": resource_id, "k": last, "n": EXPORT_BATCH}).all()
            if not rows:
                return
            last = rows[-1][0]
            data = [load_json(d) for _, d in rows]
            subjects = {r[k] for r in data for k in kinds if r.get(k)}
            if subjects:
                # A person may appear in several batches (e.g. as the representative of many enterprises).
                session.execute(_insert_ignore(session), [{"seq": entry_seq, "subject": s,
                                                           "mac": sealing.subject_mac(entry_seq, s)} for s in subjects])
                commit_apart(session, Why.EXCHANGE_LOG)  # this batch's subjects, before it leaves
            yield [shape(acc, d) for d in data]


def _insert_ignore(session: Session) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(ExchangeLogSubject).on_conflict_do_nothing()


def _csv(acc: Access, batches: Iterator[list[dict[str, Any]]]) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(acc.items)
    for batch in batches:
        for record in batch:
            writer.writerow([record.get(k, "") for k in acc.items])
        yield buf.getvalue().encode("utf-8")
        buf.seek(0)
        buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode("utf-8")


class _Sink(io.RawIOBase):
    """A write-only stream that hands out what was written so far and remembers the total offset."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.offset = 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self.parts.append(data)
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def _parquet(acc: Access, batches: Iterator[list[dict[str, Any]]]) -> Iterator[bytes]:
    # Values are served as text, as in the JSON answers: masked values are not of the item's type.
    schema = pa.schema([pa.field(k, pa.string()) for k in acc.items])
    sink = _Sink()
    with pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema, compression="zstd") as writer:
        for batch in batches:
            columns = {k: [None if r.get(k) in (None, "") else str(r[k]) for r in batch] for k in acc.items}
            writer.write_table(pa.table(columns, schema=schema))
            yield sink.take()
    yield sink.take()
