"""Ingest (数据归集): validate a file against its resource's items and publish it as the resource's records.

1. A load row is created (status `loading`).
2. The file is streamed in batches: each row is validated; good rows go to the staging table,
   rejected rows to the report file with the reason. Memory stays bounded whatever the file size.
3. When the whole file has been read, one transaction merges the staging rows into the records
   (upsert by the record key; with mode `replace`, records missing from the file are marked
   deleted), gives every changed record the next change-sequence numbers, marks the load
   published, audits it and clears the staging rows.
If anything fails before that commit — a crash, Ctrl-C, a database error — the records are as they
were: readers keep seeing the previously published data, and the load is marked failed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tongban.audit import service as audit
from tongban.authz import Actor
from tongban.catalog import permissions as catalog_rules
from tongban.catalog.models import InformationResource
from tongban.db import utcnow
from tongban.errors import InvalidTransition, NotFound, ValidationFailed
from tongban.registries.models import RegistryHead, RegistryLoad, RegistryStaging
from tongban.registries.readers import detect_format, read_rows
from tongban.registries.validation import RowRejected, Schema, compile_schema, validate_row

Progress = Callable[[int, int], None]  # rows read, rows rejected


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
    merge_seconds: float = 0.0  # of `seconds`: publishing the staged rows in one transaction


def _encode(data: dict[str, str]) -> tuple[str, str]:
    """(checksum, JSON): encoded once, canonically (sorted keys, UTF-8), so that unchanged records compare equal."""
    payload = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
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


def _write_staging(session: Session, load_id: int, rows: list[tuple[int, str, str, str]]) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # COPY is several times faster than INSERT for bulk rows.
        raw: Any = session.connection().connection.driver_connection
        with raw.cursor() as cur, cur.copy(
                "COPY registry_staging (load_id, row_no, record_key, checksum, data) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((load_id, *row))
    else:
        session.connection().exec_driver_sql(
            "INSERT INTO registry_staging (load_id, row_no, record_key, checksum, data) VALUES (?, ?, ?, ?, ?)",
            [(load_id, *row) for row in rows])


def _merge(session: Session, actor: Actor, load: RegistryLoad, resource: InformationResource) -> tuple[int, int, int]:
    """Publish the staged rows (one transaction). Returns (changed, duplicates, record count)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(text("UPDATE registry_heads SET resource_id = resource_id WHERE resource_id = :r"),
                        {"r": resource.id})  # take the write lock before reading the head
    head = session.execute(select(RegistryHead).where(RegistryHead.resource_id == resource.id)
                           .with_for_update()).scalar_one_or_none()
    if head is None:
        head = RegistryHead(resource_id=resource.id, last_seq=0, version=0, records=0)
        session.add(head)
        session.flush()
    base = head.last_seq
    now = utcnow()
    params = {"rid": resource.id, "load": load.id, "base": base, "now": now}
    if dialect == "postgresql":
        # Planner statistics of the fresh staging rows (else it expects a handful and loops), and
        # room to hash millions of keys in memory rather than sorting them on disk.
        session.execute(text("ANALYZE registry_staging"))
        session.execute(text("SET LOCAL work_mem = '256MB'"))
    staged = session.execute(select(func.count()).select_from(RegistryStaging).where(
        RegistryStaging.load_id == load.id)).scalar() or 0
    distinct = session.execute(text(
        "SELECT count(*) FROM (SELECT 1 FROM registry_staging WHERE load_id = :load GROUP BY record_key) AS g"),
        params).scalar() or 0
    # The last row of each key wins when a file repeats a key; most files do not, and skip that step.
    last_rows = ("AND s.row_no IN (SELECT max(row_no) FROM registry_staging WHERE load_id = :load "
                 "GROUP BY record_key) " if distinct < staged else "")
    # On PostgreSQL, key order keeps the inserts into the primary-key index local. SQLite stores rows in
    # insertion order and its key index fits the load's page cache, so sorting gigabytes would only cost.
    order = "ORDER BY s.record_key " if dialect == "postgresql" else ""
    upsert = (
        "INSERT INTO registry_records (resource_id, record_key, checksum, data, seq, deleted, load_id, updated_at) "
        "SELECT :rid, s.record_key, s.checksum, s.data, :base + s.row_no, false, :load, :now "
        "FROM registry_staging s WHERE s.load_id = :load " + last_rows + order +
        "ON CONFLICT (resource_id, record_key) DO UPDATE SET checksum = excluded.checksum, data = excluded.data, "
        "seq = excluded.seq, deleted = false, load_id = excluded.load_id, updated_at = excluded.updated_at "
        "WHERE registry_records.checksum <> excluded.checksum OR registry_records.deleted")
    changed = _rowcount(session.execute(text(upsert), params))
    top = session.execute(select(func.max(RegistryStaging.row_no)).where(RegistryStaging.load_id == load.id)
                          ).scalar() or 0
    last_seq = base + top
    if load.mode == "replace":
        # Records not in the file are deleted, each with its own sequence number after the file's.
        gone = _rowcount(session.execute(text(
            "UPDATE registry_records SET deleted = true, load_id = :load, updated_at = :now, seq = :top + g.n "
            "FROM (SELECT r.record_key AS k, row_number() OVER (ORDER BY r.record_key) AS n FROM registry_records r "
            "WHERE r.resource_id = :rid AND NOT r.deleted AND NOT EXISTS (SELECT 1 FROM registry_staging s "
            "WHERE s.load_id = :load AND s.record_key = r.record_key)) AS g "
            "WHERE registry_records.resource_id = :rid AND registry_records.record_key = g.k"),
            {**params, "top": last_seq}))
        changed += gone
        last_seq += gone
    records = session.execute(text("SELECT count(*) FROM registry_records WHERE resource_id = :rid AND NOT deleted"),
                              {"rid": resource.id}).scalar() or 0
    head.last_seq = max(head.last_seq, last_seq)
    head.version += 1
    head.published_load_id = load.id
    head.records = int(records)
    head.updated_at = now
    load.status, load.finished_at, load.rows_changed = "published", now, int(changed)
    session.execute(delete(RegistryStaging).where(RegistryStaging.load_id == load.id))
    audit.record(session, actor=actor, action="registry.publish", object_type="resource", object_id=resource.code,
                 detail={"load_id": load.id, "mode": load.mode, "rows_read": load.rows_read,
                         "rows_rejected": load.rows_rejected, "changed": int(changed), "records": int(records),
                         "version": head.version, "last_seq": head.last_seq, "source": load.source_name})
    return int(changed), int(staged - distinct), int(records)


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def ingest(*, factory: sessionmaker[Session], actor: Actor, resource_code: str, path: Path, mode: str = "upsert",
           report_path: Path | None = None, progress: Progress | None = None, batch_size: int = 5000,
           fail_after_rows: int | None = None) -> IngestResult:
    """`tongban ingest`: validate and publish a file as the records of a 库表 resource."""
    if mode not in ("upsert", "replace"):
        raise ValidationFailed("导入方式应为 upsert（按主键更新）或 replace（整体替换）。", code="bad_mode")
    detect_format(path)
    started = time.perf_counter()
    session = factory()
    try:
        resource = _resource(session, actor, resource_code)
        schema: Schema = compile_schema(resource.items)
        resource_id, code = resource.id, resource.code
        # Loads left `loading` by a crash are marked failed and their staging rows dropped.
        stale = session.execute(select(RegistryLoad).where(RegistryLoad.resource_id == resource_id,
                                                           RegistryLoad.status == "loading")).scalars().all()
        for old in stale:
            old.status, old.error, old.finished_at = "failed", "导入中断（进程退出或断电）", utcnow()
            session.execute(delete(RegistryStaging).where(RegistryStaging.load_id == old.id))
        load = RegistryLoad(resource_id=resource_id, mode=mode, status="loading", source_name=path.name[:255],
                            started_by=actor.id if actor.is_staff else None)
        session.add(load)
        audit.record(session, actor=actor, action="registry.ingest_start", object_type="resource", object_id=code,
                     detail={"file": path.name, "mode": mode})
        session.commit()
        load_id = load.id
    finally:
        session.close()

    report_path = report_path or path.with_name(path.stem + f".rejected-{load_id}.csv")
    rows_read = rejected = 0
    # One connection for the whole load: on SQLite it gets a large page cache, so that the key
    # indexes of millions of staged and merged rows stay in memory; it is reset afterwards.
    bulk = factory()
    _bulk_cache(bulk, on=True)
    try:
        with report_path.open("w", newline="", encoding="utf-8-sig") as report_file:
            report = csv.writer(report_file)
            report.writerow(["行号", "主键", "信息项", "问题"])
            batch: list[tuple[int, str, str, str]] = []
            for row_no, raw in read_rows(path):
                rows_read += 1
                try:
                    key, data = validate_row(schema, raw)
                except RowRejected as exc:
                    rejected += 1
                    guess = "|".join(str(raw.get(k, "")) for k in schema.key_columns)
                    for column, reason in exc.problems:
                        report.writerow([row_no, guess, column, reason])
                    continue
                batch.append((row_no, key, *_encode(data)))
                if len(batch) >= batch_size:
                    _flush(bulk, load_id, batch, rows_read, rejected)
                    batch = []
                    if progress:
                        progress(rows_read, rejected)
                if fail_after_rows is not None and rows_read >= fail_after_rows:
                    raise RuntimeError("simulated interruption")  # tests: a load that dies midway
            if batch:
                _flush(bulk, load_id, batch, rows_read, rejected)
            if progress:
                progress(rows_read, rejected)
        merge_started = time.perf_counter()
        staged_load = bulk.get(RegistryLoad, load_id)
        target = bulk.get(InformationResource, resource_id)
        assert staged_load is not None and target is not None
        staged_load.rows_read, staged_load.rows_rejected = rows_read, rejected
        changed, duplicates, records = _merge(bulk, actor, staged_load, target)
        bulk.commit()
    except BaseException as exc:
        bulk.rollback()
        _fail(factory, load_id, exc)
        raise
    finally:
        _bulk_cache(bulk, on=False)
        bulk.close()
    if duplicates:
        with report_path.open("a", newline="", encoding="utf-8-sig") as report_file:
            csv.writer(report_file).writerow(["", "", "", f"文件中有 {duplicates} 行主键重复，以最后出现的一行为准"])
    return IngestResult(load_id=load_id, resource_code=code, rows_read=rows_read, rows_rejected=rejected,
                        rows_changed=changed, duplicates=duplicates, records=records,
                        seconds=time.perf_counter() - started, report_path=report_path,
                        merge_seconds=time.perf_counter() - merge_started)


def _bulk_cache(session: Session, *, on: bool) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"PRAGMA cache_size = {-262144 if on else -2000}"))  # KiB: 256 MB / the default
        session.commit()


def _flush(session: Session, load_id: int, batch: list[tuple[int, str, str, str]], rows_read: int,
           rejected: int) -> None:
    _write_staging(session, load_id, batch)
    session.execute(text("UPDATE registry_loads SET rows_read = :r, rows_rejected = :j WHERE id = :id"),
                    {"r": rows_read, "j": rejected, "id": load_id})
    session.commit()


def _fail(factory: sessionmaker[Session], load_id: int, exc: BaseException) -> None:
    session = factory()
    try:
        load = session.get(RegistryLoad, load_id)
        if load is not None and load.status == "loading":
            load.status, load.finished_at = "failed", utcnow()
            load.error = (getattr(exc, "message", None) or str(exc) or type(exc).__name__)[:2000]
            session.execute(delete(RegistryStaging).where(RegistryStaging.load_id == load_id))
            session.commit()
    finally:
        session.close()


def published_records(session: Session, resource_id: int, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The current (not deleted) records of `keys` (for lookups and tests)."""
    stmt = text("SELECT record_key, data FROM registry_records WHERE resource_id = :r AND NOT deleted "
                "AND record_key IN :keys").bindparams(bindparam("keys", expanding=True))
    rows = session.execute(stmt, {"r": resource_id, "keys": list(keys)}).all()
    return {k: (json.loads(d) if isinstance(d, str) else d) for k, d in rows}
