"""Writing a load's validated rows and publishing them as the resource's records.

Two ways, chosen per load by `ingest`:

- **Direct** (PostgreSQL, a resource with no or few records — a register's first load): rows of
  keys the resource does not have are COPYed straight into `registry_records` inside the load's one
  transaction; the few rows of existing keys are held in memory and merged at the end. PostgreSQL's
  MVCC is the version switch: nobody sees a row until the commit, and a failure rolls all of them
  back. A file that repeats a new key breaks the primary key; the load then starts again staged.
- **Staged** (every other load): rows go to `registry_staging`, then one transaction merges them
  into the records (upsert by key, replace mode deletes what the file no longer has), so unchanged
  records keep their change sequence and subscribers only see real changes.

On PostgreSQL each phase is one COPY stream fed through psycopg's queued writer: the server parses
and indexes rows on one core while Python validates the next ones on the other, and staging is a
temporary table of the load's transaction. On SQLite (one writer for the whole database) staging
rows go to `registry_staging`, committed per batch so that other writers, such as the exchange
log, get their turn between batches.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Actor
from tongban.catalog.models import InformationResource
from tongban.registries.models import RegistryHead, RegistryLoad, RegistryStaging
from tongban.transactions import Why, commit_apart

Row = tuple[int, str, str, str]  # row number in the file, record key, checksum, canonical JSON


class RepeatedKey(Exception):
    """The file repeats a record key: a direct load cannot take it (the staged merge keeps the last row)."""


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@contextlib.contextmanager
def _copy(session: Session, sql: str) -> Iterator[Any]:
    """One COPY … FROM STDIN on the session's connection; rows are sent by a writer thread."""
    from psycopg.copy import QueuedLibpqWriter

    raw: Any = session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(sql, writer=QueuedLibpqWriter(cur)) as copy:
        yield copy


def lock_head(session: Session, resource_id: int) -> RegistryHead:
    """The resource's head row, locked until the load's transaction ends (one publisher at a time)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE registry_heads SET resource_id = resource_id WHERE resource_id = :r"),
                        {"r": resource_id})  # take the write lock before reading the head
    head = session.execute(select(RegistryHead).where(RegistryHead.resource_id == resource_id)
                           .with_for_update()).scalar_one_or_none()
    if head is None:
        head = RegistryHead(resource_id=resource_id, last_seq=0, version=0, records=0)
        session.add(head)
        session.flush()
    return head


def existing_keys(session: Session, resource_id: int, limit: int) -> set[str] | None:
    """Every record key of the resource (live or deleted: a deleted key may come back), or None past `limit`."""
    keys = session.execute(text("SELECT record_key FROM registry_records WHERE resource_id = :r LIMIT :n"),
                           {"r": resource_id, "n": limit + 1}).scalars().all()
    return None if len(keys) > limit else set(keys)


def copy_records(session: Session, *, resource_id: int, load_id: int, base: int, now: dt.datetime,
                 rows: Iterable[Row], existing: set[str]) -> tuple[int, int, dict[str, Row], int]:
    """Direct load: COPY the rows of new keys into the records; rows of `existing` keys are held back
    for the merge (the last row of a key wins).
    Returns (rows written, highest row number, held rows, rows of a held key that a later row replaced)."""
    from psycopg import errors as pg_errors

    written = top = repeated = 0
    held: dict[str, Row] = {}
    try:
        with _copy(session, "COPY registry_records (resource_id, record_key, checksum, data, seq, deleted, load_id, "
                            "updated_at) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                row_no, key, checksum, data = row
                top = row_no
                if key in existing:
                    repeated += key in held
                    held[key] = row
                    continue
                write((resource_id, key, checksum, data, base + row_no, False, load_id, now))
                written += 1
    except pg_errors.UniqueViolation as exc:
        raise RepeatedKey() from exc
    return written, top, held, repeated


def _staging(session: Session) -> str:
    """Where a load's staging rows go: on PostgreSQL a temporary table of the load's transaction
    (private, never bloated by earlier loads, no index to maintain, dropped at commit or rollback);
    on SQLite the shared `registry_staging`, committed per batch and deleted after the merge."""
    return "load_staging" if is_postgres(session) else "registry_staging"


def stage_rows(session: Session, load_id: int, batches: Iterable[list[Row]]) -> None:
    """Staged load, first half: the validated rows into staging."""
    if is_postgres(session):
        session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS load_staging (LIKE registry_staging) "
                             "ON COMMIT DROP"))
        with _copy(session, "COPY load_staging (load_id, row_no, record_key, checksum, data) FROM STDIN") as copy:
            write = copy.write_row
            for batch in batches:
                for row in batch:
                    write((load_id, *row))
        return
    sql = "INSERT INTO registry_staging (load_id, row_no, record_key, checksum, data) VALUES (?, ?, ?, ?, ?)"
    for batch in batches:
        session.connection().exec_driver_sql(sql, [(load_id, *row) for row in batch])
        commit_apart(session, Why.BATCH)  # SQLite: each batch whole, the write lock released between them


class MassDelete(Exception):
    """Replace mode would delete more records than allowed; the caller's transaction must roll back."""

    def __init__(self, deleted: int, records: int) -> None:
        super().__init__(f"{deleted} of {records}")
        self.deleted, self.records = deleted, records


def merge(session: Session, load: RegistryLoad, resource: InformationResource, head: RegistryHead,
          now: dt.datetime, top: int = 0, missing: set[str] | None = None,
          max_delete: int | None = None) -> tuple[int, int, int]:
    """Staged load, second half (one transaction). `top`: the highest row number already written
    directly. Rows this load wrote directly are not deleted by replace mode. `missing`: when the
    caller knows them (a direct load), the keys replace mode deletes, instead of comparing every
    record with the staging rows. `max_delete`: replace mode raises MassDelete past this many
    deletions (counted by the delete itself, so the common case costs no extra scan; the caller
    rolls back). Returns (changed, duplicates, last sequence number)."""
    dialect = session.get_bind().dialect.name
    staging = _staging(session)
    base = head.last_seq
    params = {"rid": resource.id, "load": load.id, "base": base, "now": now}
    if dialect == "postgresql":
        # Planner statistics of the fresh staging rows (else it expects a handful and loops), and
        # room to hash millions of keys in memory (a 5-million-row register's keys and checksums take
        # about 520 MB) rather than spilling them to disk in batches.
        session.execute(text("ANALYZE load_staging"))
        session.execute(text("SET LOCAL work_mem = '1GB'"))
    # Table names below are the two constants of `_staging`, never outside text.
    staged, staged_top = session.execute(text(
        f"SELECT count(*), coalesce(max(row_no), 0) FROM {staging} WHERE load_id = :load"), params).one()  # noqa: S608
    distinct = session.execute(text(
        f"SELECT count(*) FROM (SELECT 1 FROM {staging} WHERE load_id = :load GROUP BY record_key) AS g"),  # noqa: S608
        params).scalar() or 0
    # The last row of each key wins when a file repeats a key; most files do not, and skip that step.
    last_rows = (f"AND s.row_no IN (SELECT max(row_no) FROM {staging} WHERE load_id = :load "  # noqa: S608
                 "GROUP BY record_key) " if distinct < staged else "")
    # Only new and changed rows reach the upsert: the join finds them (on PostgreSQL, for a big load,
    # one hash join over both tables instead of an index probe per row). On PostgreSQL, key order
    # keeps the inserts into the primary-key index local. SQLite stores rows in insertion order and
    # its key index fits the load's page cache, so sorting gigabytes would only cost.
    order = "ORDER BY s.record_key " if dialect == "postgresql" else ""
    upsert = (
        "INSERT INTO registry_records (resource_id, record_key, checksum, data, seq, deleted, load_id, updated_at) "  # noqa: S608
        "SELECT :rid, s.record_key, s.checksum, s.data, :base + s.row_no, false, :load, :now "
        f"FROM {staging} s LEFT JOIN registry_records r ON r.resource_id = :rid AND r.record_key = s.record_key "
        "WHERE s.load_id = :load AND (r.record_key IS NULL OR r.checksum <> s.checksum OR r.deleted) "
        + last_rows + order +
        "ON CONFLICT (resource_id, record_key) DO UPDATE SET checksum = excluded.checksum, data = excluded.data, "
        "seq = excluded.seq, deleted = false, load_id = excluded.load_id, updated_at = excluded.updated_at "
        "WHERE registry_records.checksum <> excluded.checksum OR registry_records.deleted")
    changed = int(session.execute(text(upsert), params).rowcount)  # type: ignore[attr-defined]
    last_seq = base + max(top, int(staged_top))
    if load.mode == "replace" and missing is not None:
        gone = _delete_keys(session, params, sorted(missing), last_seq) if missing else 0
        if max_delete is not None and gone > max_delete:
            raise MassDelete(gone, head.records)
        changed += gone
        last_seq += gone
    elif load.mode == "replace":
        # Records not in the file are deleted, each with its own sequence number after the file's.
        gone = int(session.execute(text(  # type: ignore[attr-defined]
            "UPDATE registry_records SET deleted = true, load_id = :load, updated_at = :now, seq = :top + g.n "  # noqa: S608
            "FROM (SELECT r.record_key AS k, row_number() OVER (ORDER BY r.record_key) AS n FROM registry_records r "
            "WHERE r.resource_id = :rid AND NOT r.deleted AND r.load_id <> :load "
            f"AND NOT EXISTS (SELECT 1 FROM {staging} s WHERE s.load_id = :load AND s.record_key = r.record_key)"
            ") AS g "
            "WHERE registry_records.resource_id = :rid AND registry_records.record_key = g.k"),
            {**params, "top": last_seq}).rowcount)
        if max_delete is not None and gone > max_delete:
            raise MassDelete(gone, head.records)
        changed += gone
        last_seq += gone
    if staging == "registry_staging":
        session.execute(delete(RegistryStaging).where(RegistryStaging.load_id == load.id))
    return changed, int(staged - distinct), last_seq


def _delete_keys(session: Session, params: dict[str, Any], keys: list[str], top: int) -> int:
    """Replace mode, keys known: the live ones among them are deleted, numbered after `top` in key order."""
    gone = 0
    for start in range(0, len(keys), 1000):
        chunk = keys[start:start + 1000]
        live = session.execute(text(
            "SELECT record_key FROM registry_records WHERE resource_id = :rid AND NOT deleted "
            "AND record_key IN :keys ORDER BY record_key").bindparams(bindparam("keys", expanding=True)),
            {**params, "keys": chunk}).scalars().all()
        if live:
            session.execute(text(
                "UPDATE registry_records SET deleted = true, load_id = :load, updated_at = :now, seq = :seq "
                "WHERE resource_id = :rid AND record_key = :key"),
                [{**params, "seq": top + gone + n, "key": key} for n, key in enumerate(live, start=1)])
            gone += len(live)
    return gone


def publish(session: Session, actor: Actor, *, load: RegistryLoad, resource: InformationResource,
            head: RegistryHead, changed: int, last_seq: int, now: dt.datetime, way: str) -> int:
    """The new version becomes the published one (same transaction as the rows). Returns the record count."""
    records = int(session.execute(text(
        "SELECT count(*) FROM registry_records WHERE resource_id = :rid AND NOT deleted"),
        {"rid": resource.id}).scalar() or 0)
    head.last_seq = max(head.last_seq, last_seq)
    head.version += 1
    head.published_load_id = load.id
    head.records = records
    head.updated_at = now
    load.status, load.finished_at, load.rows_changed = "published", now, changed
    audit.record(session, actor=actor, action="registry.publish", object_type="resource", object_id=resource.code,
                 detail={"load_id": load.id, "mode": load.mode, "way": way, "rows_read": load.rows_read,
                         "rows_rejected": load.rows_rejected, "changed": changed, "records": records,
                         "version": head.version, "last_seq": head.last_seq, "source": load.source_name})
    return records
