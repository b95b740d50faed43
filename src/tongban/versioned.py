"""Per-process memory of rows read on every call, kept correct across processes by a version number in the database.

Every exchange call needs the caller's API key and client, the resource and its items, the grants, the register's
head and the open disputes: read with a query each, they cost more than the call's own work (bench/request_path.py).
They change rarely, and each change must be seen by the next call in every process: a revoked key or grant must stop
working at once. So:

- `config_versions` holds one number per area ("exchange"). Database triggers (migration 0033) add one to it in
  the same transaction as any insert, update or delete of the rows the area caches, whatever wrote them.
- A process keeps, per engine (per database), what it read under one version. Each transaction that uses the
  cache reads the number once (one single-row primary-key read, remembered for the rest of that transaction);
  when it differs from the number the cache was filled under, the whole cache is dropped and filled again.
- The number is read before the rows it guards, in the same transaction: what is cached under a number is never
  older than that number's state.

After restoring the database from a backup, restart the app processes (as after any restore).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import BigInteger, String
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from tongban.db import Base
from tongban.loop_reads import reader

T = TypeVar("T")
EXCHANGE = "exchange"  # API keys, clients, departments, catalog resources and items, grants, register heads, disputes
SESSIONS = "sessions"  # web sessions, users, their roles (migration 0034)
_MAX_ENTRIES = 50_000  # past this many the cache starts again (many clients × resources): a bound, not a policy


class ConfigVersion(Base):
    """The version of an area of cached rows; raised by triggers only (migration 0033)."""

    __tablename__ = "config_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class _Area:
    def __init__(self) -> None:
        # The version and the entries read under it, replaced together (one assignment): a reader never pairs a new
        # version with the entries of an older one.
        self.state: tuple[int | None, dict[Hashable, Any]] = (None, {})
        self.lock = threading.Lock()


_AREAS: weakref.WeakKeyDictionary[Engine, dict[str, _Area]] = weakref.WeakKeyDictionary()
_AREAS_LOCK = threading.Lock()
MISSING = object()


class NotCached(Exception):
    """What a `Snapshot` raises where the work would need the database: the caller does it the ordinary way."""


class Snapshot:
    """In place of a session, for work done on the event loop from this process's memory alone: the versions read
    there (tongban/loop_reads.py) stand for the transaction's, `cached` answers only what is kept under them, and
    anything else a session would be asked — a statement, a flush — raises `NotCached` (the caller then runs the
    work in a request thread with the request's session). `info` is a plain dict, as a session's."""

    def __init__(self, engine: Engine, versions: dict[str, int | None]) -> None:
        self.engine = engine
        self.versions = versions
        self.info: dict[str, Any] = {}

    def get_bind(self) -> Engine:
        return self.engine

    def __getattr__(self, name: str) -> Any:
        raise NotCached(name)


VERSION_SQL = "SELECT version FROM config_versions WHERE name = :n"  # :n the area


async def snapshot_on_loop(engine: Engine, area: str) -> Snapshot:
    """A snapshot of `area` at its version read now on the event loop (tongban/loop_reads.py)."""
    found = await reader(engine).one(VERSION_SQL, {"n": area})
    return Snapshot(engine, {area: None if found is None else int(found[0])})


def current_version(session: Session, area: str = EXCHANGE) -> int | None:
    """The area's version as this transaction sees it (read once per transaction); None if the area has no row (then
    nothing is cached: without its row no trigger could tell of a change)."""
    if isinstance(session, Snapshot):
        if area not in session.versions:
            raise NotCached(area)
        return session.versions[area]
    transaction = session.get_transaction()
    memo: tuple[Any, dict[str, int | None]] | None = session.info.get("config_versions")
    if memo is not None and transaction is not None and memo[0] is transaction and area in memo[1]:
        return memo[1][area]
    raw: Any = session.connection().exec_driver_sql(
        "SELECT version FROM config_versions WHERE name = %(n)s" if session.get_bind().dialect.name != "sqlite"
        else "SELECT version FROM config_versions WHERE name = :n", {"n": area}).scalar()
    version = int(raw) if raw is not None else None
    transaction = session.get_transaction()
    if memo is None or memo[0] is not transaction:
        memo = (transaction, {})
        session.info["config_versions"] = memo
    memo[1][area] = version
    return version


def _area(session: Session, area: str) -> _Area:
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    areas = _AREAS.get(engine)
    if areas is None:
        with _AREAS_LOCK:
            areas = _AREAS.setdefault(engine, {})
    found = areas.get(area)
    if found is None:
        with _AREAS_LOCK:
            found = areas.setdefault(area, _Area())
    return found


def kept_version(engine: Engine, area: str = EXCHANGE) -> int | None:
    """The version this process's cache of `area` was filled under (None: nothing kept): for work on the event loop
    that assumes it and confirms it in the statement that reads its data (exchange/gateway.get_record_on_loop)."""
    areas = _AREAS.get(engine)
    found = areas.get(area) if areas is not None else None
    return found.state[0] if found is not None else None


def engine_memo(session: Session, name: str) -> dict[Hashable, Any]:
    """A dict this process keeps per database (engine), whatever the versions: for what a process remembers of its
    own writes (e.g. when it last wrote an API key's last use)."""
    return _area(session, "memo:" + name).state[1]


def peek(session: Session, key: Hashable, area: str = EXCHANGE) -> Any:
    """What this process has for `key` under the current version, or MISSING (nothing is read but the version)."""
    version = current_version(session, area)
    cached_version, entries = _area(session, area).state
    if version is None or cached_version != version:
        return MISSING
    return entries.get(key, MISSING)


def cached(session: Session, key: Hashable, load: Callable[[], T], area: str = EXCHANGE) -> T:
    """`load()` (run in `session`'s transaction) unless this process already has it under the current version (for a
    `Snapshot`: what is kept, or `NotCached`)."""
    version = current_version(session, area)
    if isinstance(session, Snapshot):
        cached_version, entries = _area(session, area).state
        value = entries.get(key, MISSING) if version is not None and cached_version == version else MISSING
        if value is MISSING:
            raise NotCached(key)
        return value
    if version is None:
        return load()
    cache = _area(session, area)
    cached_version, entries = cache.state
    if cached_version == version:
        value = entries.get(key, MISSING)
        if value is not MISSING:
            return value
    value = load()
    with cache.lock:
        cached_version, entries = cache.state
        if cached_version != version:
            if cached_version is not None and version < cached_version:
                return value  # a transaction that began before the cache moved on: answer it, keep the newer cache
            entries = {}
        elif len(entries) >= _MAX_ENTRIES:
            entries = {}
        entries[key] = value
        cache.state = (version, entries)
    return value
