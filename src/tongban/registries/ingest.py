"""Ingest (数据归集): validate a file against its resource's items and publish it as the resource's records.

1. A load row is created (status `loading`).
2. The file is streamed: each row is validated; good rows are written (see `publish`: straight into
   the records for a register's first load on PostgreSQL, else into staging), rejected rows go to
   the report file with the reason. Memory stays bounded whatever the file size.
3. When the whole file has been read, the same transaction (staged loads: one merge transaction)
   publishes the rows: upsert by the record key (with mode `replace`, records missing from the file
   are marked deleted), every changed record gets the next change-sequence numbers, the load is
   marked published and audited.
If anything fails before that commit — a crash, Ctrl-C, a database error — the records are as they
were: readers keep seeing the previously published data, and the load is marked failed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from tongban.audit import service as audit
from tongban.authz import Actor
from tongban.catalog import permissions as catalog_rules
from tongban.catalog.models import InformationResource
from tongban.config import get_settings
from tongban.db import utcnow
from tongban.errors import InvalidTransition, NotFound, ValidationFailed
from tongban.registries import publish
from tongban.registries.models import RegistryHead, RegistryLoad, RegistryStaging
from tongban.registries.publish import Row
from tongban.registries.readers import UnreadableRow, detect_format, open_rows
from tongban.registries.validation import RowRejected, Schema, compile_schema
from tongban.transactions import Why, commit_apart, rollback_apart, separate

Progress = Callable[[int, int], None]  # rows read, rows rejected
# A PostgreSQL load writes rows straight into the records when the resource has at most this many
# (the rows of their keys are held in memory for the merge); else it goes through staging.
DIRECT_MAX_EXISTING = 100_000


@dataclass
class IngestResult:
    load_id: int
    resource_code: str
    rows_read: int
    rows_rejected: int
    rows_changed: int
    duplicates: int
    records: int
    seconds: float
    report_path: Path | None
    merge_seconds: float = 0.0  # of `seconds`: publishing the written rows
    way: str = "staged"  # direct: COPY into a resource with no or few records; staged: staging + merge


def _encode(data: dict[str, str]) -> tuple[str, str]:
    """(checksum, JSON): encoded once, canonically (sorted keys, UTF-8), so that unchanged records compare equal."""
    payload = orjson.dumps(data)  # validation builds the dict in key order
    return hashlib.md5(payload, usedforsecurity=False).hexdigest(), payload.decode("utf-8")


def _resource(session: Session, actor: Actor, code: str) -> InformationResource:
    resource = session.execute(select(InformationResource).where(InformationResource.code == code)
                               ).scalar_one_or_none()
    if resource is None:
        raise NotFound(f"信息资源 {code} 不存在。")
    catalog_rules.check_edit(actor, resource.provider_id)
    if resource.status != "published":
        raise InvalidTransition("只有已发布的信息资源可以归集数据。", code="resource_not_published")
    if "table" not in (resource.share_methods or []) and resource.share_type != "none":
        raise InvalidTransition("该资源的共享方式不含“库表”，数据不在平台归集（接口资源由提供部门系统实时提供）。",
                                code="not_a_table_resource")
    if not any(i.is_key for i in resource.items):
        raise ValidationFailed("该资源没有指定主键信息项，无法按主键更新记录。", code="no_key_item")
    return resource


class _Rows:
    """Reads and validates the file: good rows out in batches, rejected rows to the report with the reason."""

    def __init__(self, path: Path, schema: Schema, report: Any, batch_size: int,
                 on_batch: Callable[[int, int], None], fail_after_rows: int | None) -> None:
        self.path, self.schema, self.report, self.batch_size = path, schema, report, batch_size
        self.on_batch, self.fail_after_rows = on_batch, fail_after_rows
        self.rows_read = self.rejected = 0

    def batches(self) -> Iterator[list[Row]]:
        report, fail_after = self.report, self.fail_after_rows
        header, rows = open_rows(self.path)
        bound = self.schema.bind(header)
        _require_key_columns(self.schema, bound.positions, header)
        validate = bound.validate
        batch: list[Row] = []
        for row_no, values in rows:
            self.rows_read += 1
            if values.__class__ is UnreadableRow:  # the reader could not split this row into fields
                self.rejected += 1
                report.writerow([row_no, "", "", values.reason])
                continue
            try:
                # Most rows are clean: the generated fast path; the rest also find their reasons.
                key, data = validate(values)
            except RowRejected as exc:
                self.rejected += 1
                guess = bound.key_guess(values)
                for column, reason in exc.problems:
                    report.writerow([row_no, guess, column, reason])
                continue
            batch.append((row_no, key, *_encode(data)))
            if len(batch) >= self.batch_size:
                self.on_batch(self.rows_read, self.rejected)
                yield batch
                batch = []
            if fail_after is not None and self.rows_read >= fail_after:
                raise RuntimeError("simulated interruption")  # tests: a load that dies midway
        self.on_batch(self.rows_read, self.rejected)
        if batch:
            yield batch

    def rows(self) -> Iterator[Row]:
        for batch in self.batches():
            yield from batch


def _require_key_columns(schema: Schema, positions: tuple[int, ...], header: list[str]) -> None:
    """A file without the key column cannot be matched to records: refused before anything is written
    (in replace mode it would otherwise delete the whole register)."""
    if not any(h.strip() for h in header):
        raise ValidationFailed("文件为空或没有表头行：第一行应为信息项名称或键（如“公民身份号码”或 id_number）。",
                               code="file_empty")
    missing = [c for c, i in zip(schema.columns, positions, strict=True) if c.is_key and i < 0]
    if missing:
        names = "、".join(f"“{c.name}”（{c.key}）" for c in missing)
        raise ValidationFailed(
            f"文件缺少主键列{names}：表头须含主键信息项的名称或键。请核对文件是否选错、表头是否被改动。",
            code="key_column_missing", detail={"missing": [c.key for c in missing], "header": header[:50]})


class MassDeleteRefused(ValidationFailed):
    code = "mass_delete_refused"


def _mass_delete_refused(exc: publish.MassDelete) -> MassDeleteRefused:
    share = get_settings().ingest_max_delete_share
    return MassDeleteRefused(
        f"整体替换（replace）将删除 {exc.deleted:,} 条记录，占现有 {exc.records:,} 条的 "
        f"{exc.deleted / max(exc.records, 1):.0%}，超过允许的 {share:.0%}（TONGBAN_INGEST_MAX_DELETE_SHARE），"
        "本次导入已取消，原有数据未受影响。请核对文件是否完整、是否选错；确需删除这些记录，"
        "请加 --allow-mass-delete 重新导入。",
        detail={"would_delete": exc.deleted, "records": exc.records, "max_share": share})


class _LoadProgress:
    """The caller's progress callback, and the load row's counts (for the pages) about once a second,
    written by their own short transactions: the load's own connection is busy streaming rows."""

    def __init__(self, factory: sessionmaker[Session], load_id: int, progress: Progress | None) -> None:
        self.factory, self.load_id, self.progress = factory, load_id, progress
        self.written_at = 0.0

    def __call__(self, rows_read: int, rejected: int) -> None:
        if self.progress:
            self.progress(rows_read, rejected)
        now = time.monotonic()
        if now - self.written_at < 1.0:
            return
        self.written_at = now
        with separate(self.factory, Why.BATCH) as side:  # where the load stands, for the pages
            side.execute(text("UPDATE registry_loads SET rows_read = :r, rows_rejected = :j WHERE id = :id"),
                         {"r": rows_read, "j": rejected, "id": self.load_id})


def ingest(*, factory: sessionmaker[Session], actor: Actor, resource_code: str, path: Path, mode: str = "upsert",
           report_path: Path | None = None, progress: Progress | None = None, batch_size: int = 5000,
           fail_after_rows: int | None = None, allow_mass_delete: bool = False) -> IngestResult:
    """`tongban ingest`: validate and publish a file as the records of a 库表 resource.

    In replace mode a load that would delete more than TONGBAN_INGEST_MAX_DELETE_SHARE of the
    register's records is refused (nothing changes) unless `allow_mass_delete`."""
    if mode not in ("upsert", "replace"):
        raise ValidationFailed("导入方式应为 upsert（按主键更新）或 replace（整体替换）。", code="bad_mode")
    detect_format(path)
    started = time.perf_counter()
    load_id, resource_id, code, schema = _start(factory, actor, resource_code, path, mode)
    report_path = report_path or path.with_name(path.stem + f".rejected-{load_id}.csv")
    tick = _LoadProgress(factory, load_id, progress)
    # One connection for the whole load: on SQLite it gets a large page cache, so that the key
    # indexes of millions of staged and merged rows stay in memory; it is reset afterwards.
    bulk = factory()
    _bulk_cache(bulk, on=True)

    def attempt(way: str) -> tuple[_Rows, tuple[int, int, int, float, str]]:
        with report_path.open("w", newline="", encoding="utf-8-sig") as report_file:
            report = csv.writer(report_file)
            report.writerow(["行号", "主键", "信息项", "问题"])
            reader = _Rows(path, schema, report, batch_size, tick, fail_after_rows)
            return reader, _load(bulk, actor, load_id, resource_id, reader, way, allow_mass_delete)

    # The load's transactions are batches (Why.BATCH): staging batches on SQLite, then the last one that
    # merges, publishes and marks the load published together — so that a failed load is never half
    # published, and is recorded as failed by a session of its own.
    try:
        try:
            reader, outcome = attempt("direct" if publish.is_postgres(bulk) else "staged")
        except publish.RepeatedKey:
            rollback_apart(bulk, Why.BATCH)
            reader, outcome = attempt("staged")  # the file repeats a new key: read it again into staging
        commit_apart(bulk, Why.BATCH)
    except publish.MassDelete as exc:
        rollback_apart(bulk, Why.BATCH)
        refused = _mass_delete_refused(exc)
        _fail(factory, load_id, refused)
        raise refused from None
    except BaseException as exc:
        rollback_apart(bulk, Why.BATCH)
        _fail(factory, load_id, exc)
        raise
    finally:
        _bulk_cache(bulk, on=False)
        bulk.close()
    changed, duplicates, records, merge_seconds, way = outcome
    if duplicates:
        with report_path.open("a", newline="", encoding="utf-8-sig") as report_file:
            csv.writer(report_file).writerow(["", "", "", f"文件中有 {duplicates} 行主键重复，以最后出现的一行为准"])
    return IngestResult(load_id=load_id, resource_code=code, rows_read=reader.rows_read,
                        rows_rejected=reader.rejected, rows_changed=changed, duplicates=duplicates, records=records,
                        seconds=time.perf_counter() - started, report_path=report_path, merge_seconds=merge_seconds,
                        way=way)


def _start(factory: sessionmaker[Session], actor: Actor, resource_code: str, path: Path,
           mode: str) -> tuple[int, int, str, Schema]:
    """Checks the resource and creates the load row (committed, so that a failure can be recorded)."""
    with separate(factory, Why.BATCH) as session:
        resource = _resource(session, actor, resource_code)
        schema = compile_schema(resource.items)
        # Loads left `loading` by a crash are marked failed and their staging rows dropped.
        stale = session.execute(select(RegistryLoad).where(RegistryLoad.resource_id == resource.id,
                                                           RegistryLoad.status == "loading")).scalars().all()
        for old in stale:
            old.status, old.error, old.finished_at = "failed", "导入中断（进程退出或断电）", utcnow()
            session.execute(delete(RegistryStaging).where(RegistryStaging.load_id == old.id))
        load = RegistryLoad(resource_id=resource.id, mode=mode, status="loading", source_name=path.name[:255],
                            started_by=actor.id if actor.is_staff else None)
        session.add(load)
        audit.record(session, actor=actor, action="registry.ingest_start", object_type="resource",
                     object_id=resource.code, detail={"file": path.name, "mode": mode})
        session.flush()
        return load.id, resource.id, resource.code, schema


def _delete_limit(head: RegistryHead, allow_mass_delete: bool) -> int | None:
    """How many records a replace load may delete: a share of the live records, or None (unlimited)."""
    if allow_mass_delete:
        return None
    return int(head.records * get_settings().ingest_max_delete_share)


def _load(bulk: Session, actor: Actor, load_id: int, resource_id: int, reader: _Rows,
          way: str, allow_mass_delete: bool = False) -> tuple[int, int, int, float, str]:
    """Writes and publishes the rows (one transaction on PostgreSQL; staging batches committed on SQLite).
    Returns (changed, duplicates, records, seconds of the publish step, the way taken)."""
    now = utcnow()
    head = None
    if way == "direct":
        head = publish.lock_head(bulk, resource_id)
        existing = publish.existing_keys(bulk, resource_id, DIRECT_MAX_EXISTING)
        if existing is not None:
            written, top, held, repeated = publish.copy_records(bulk, resource_id=resource_id, load_id=load_id,
                                                      base=head.last_seq, now=now, rows=reader.rows(),
                                                      existing=existing)
            merge_started = time.perf_counter()
            load, resource = _load_rows(bulk, load_id, resource_id, reader)
            changed, last_seq = written, head.last_seq + top
            if held or (load.mode == "replace" and existing):
                publish.stage_rows(bulk, load_id, [list(held.values())])
                merged, _, last_seq = publish.merge(bulk, load, resource, head, now, top=top,
                                                    missing=existing - held.keys(),
                                                    max_delete=_delete_limit(head, allow_mass_delete))
                changed += merged
            records = publish.publish(bulk, actor, load=load, resource=resource, head=head, changed=changed,
                                      last_seq=last_seq, now=now, way="direct")
            return changed, repeated, records, time.perf_counter() - merge_started, way
    publish.stage_rows(bulk, load_id, reader.batches())
    merge_started = time.perf_counter()
    head = head or publish.lock_head(bulk, resource_id)  # on SQLite only now: its write lock, after the staging commits
    load, resource = _load_rows(bulk, load_id, resource_id, reader)
    changed, duplicates, last_seq = publish.merge(bulk, load, resource, head, now,
                                                  max_delete=_delete_limit(head, allow_mass_delete))
    records = publish.publish(bulk, actor, load=load, resource=resource, head=head, changed=changed,
                              last_seq=last_seq, now=now, way="staged")
    return changed, duplicates, records, time.perf_counter() - merge_started, "staged"


def _load_rows(bulk: Session, load_id: int, resource_id: int,
               reader: _Rows) -> tuple[RegistryLoad, InformationResource]:
    load = bulk.get(RegistryLoad, load_id, populate_existing=True)
    resource = bulk.get(InformationResource, resource_id)
    assert load is not None and resource is not None
    load.rows_read, load.rows_rejected = reader.rows_read, reader.rejected
    return load, resource


def _bulk_cache(session: Session, *, on: bool) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"PRAGMA cache_size = {-262144 if on else -2000}"))  # KiB: 256 MB / the default
        commit_apart(session, Why.BATCH)  # ends the transaction the statement opened; the load's come after


def _fail(factory: sessionmaker[Session], load_id: int, exc: BaseException) -> None:
    """The load's final state when it failed: recorded by a session of its own, after the load's rolled back."""
    with separate(factory, Why.BATCH) as session:
        load = session.get(RegistryLoad, load_id)
        if load is not None and load.status == "loading":
            load.status, load.finished_at = "failed", utcnow()
            load.error = (getattr(exc, "message", None) or str(exc) or type(exc).__name__)[:2000]
            session.execute(delete(RegistryStaging).where(RegistryStaging.load_id == load_id))


def published_records(session: Session, resource_id: int, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The current (not deleted) records of `keys` (for lookups and tests)."""
    stmt = text("SELECT record_key, data FROM registry_records WHERE resource_id = :r AND NOT deleted "
                "AND record_key IN :keys").bindparams(bindparam("keys", expanding=True))
    rows = session.execute(stmt, {"r": resource_id, "keys": list(keys)}).all()
    return {k: (json.loads(d) if isinstance(d, str) else d) for k, d in rows}
