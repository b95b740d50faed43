"""Search results kept in the process while what they were computed from is unchanged.

A search costs several statements and milliseconds of segmenting, matching and highlighting; the portal's
visitors ask the same few hundred questions all day. A domain's read model may therefore keep its page's
result per normalized query in a `ResultCache`, keyed together with `version(session, kinds)`, which is
read from the database by every request (one statement of scalar subqueries, a few primary-key reads):

- the dictionary's version (`dictionary.current_version`: the terms' counter and the departments' count and
  last change — department names are shown in results and are dictionary words);
- for each cached kind (`TOKENS`), a token that every write to that kind's documents replaces in the same
  transaction (`fulltext.index_many`, `remove`, `reindex_all` call `touch`).

Invalidation rule: a result is served only while both are equal to what they were when it was computed,
so the first request after the commit of any change to the documents of those kinds, or to the dictionary
or a department, recomputes it — in every worker process, since each reads the version from the database.
The token is a fresh random number, not a counter: a rolled-back write, or a test database emptied between
tests, can bring a counter back to a value already seen with other documents; a random token does not
repeat (1 in 2³¹). The version is read before the result is computed, so an entry holds data at least as
new as its key. What a cached read model adds to the hits must itself change only with the kind's
documents (the portal shows the published snapshot's values, which only publishing changes, and
publishing re-indexes the item).

Results must not depend on who asks: only public read models (the portal's search) use the cache.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tongban.loop_reads import LoopReader
from tongban.org.models import Department
from tongban.search.models import SearchState

#: The kinds whose documents carry a token, each with the `search_state` row holding it (row 1 is the
#: dictionary's version). Service items and bundles share one row: they change together, and rarely.
TOKENS: dict[str, int] = {"item": 2, "bundle": 2}

V = TypeVar("V")


def touch(session: Session, kinds: Iterable[str]) -> None:
    """A write to these kinds' documents: replace their tokens inside the caller's transaction."""
    rows = sorted({TOKENS[k] for k in kinds if k in TOKENS})
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for row in rows:
        token = random.randint(1, 2**31 - 1)
        session.execute(insert(SearchState).values(id=row, dictionary_version=token)
                        .on_conflict_do_update(index_elements=[SearchState.id], set_={"dictionary_version": token}))


def version(session: Session, kinds: Iterable[str]) -> tuple[object, ...]:
    """What a cached result of these kinds depends on, read in one statement (see the module's rule)."""
    # On the session's connection with the driver: the statement needs none of the ORM's per-statement work.
    return _version_of(session.connection().exec_driver_sql(_version_sql(_token_rows(kinds))).one())


async def version_on_loop(reads: LoopReader, kinds: Iterable[str]) -> tuple[object, ...]:
    """`version` read on the event loop (tongban/loop_reads.py: a few primary-key reads and a count of the departments,
    a small table), for a handler that answers from the cache without a thread. The same statement and form as
    `version`, so the two paths share cached entries."""
    values = await reads.one(_version_sql(_token_rows(kinds)))
    assert values is not None  # scalar subqueries: always one row
    return _version_of(values)


def _token_rows(kinds: Iterable[str]) -> tuple[int, ...]:
    return tuple(sorted({TOKENS[k] for k in kinds}))  # a kind without a token cannot be cached: KeyError


def _version_of(values: Sequence[Any]) -> tuple[object, ...]:
    last_change = values[2]
    if isinstance(last_change, str):  # SQLite's driver gives the stored text, PostgreSQL's a datetime
        last_change = dt.datetime.fromisoformat(last_change)
    return ((values[0] or 0, values[1], str(last_change)), *values[3:])


@cache
def _version_sql(rows: tuple[int, ...]) -> str:
    """Built once per set of token rows; no parameters, so the same text on both databases."""
    state, departments = SearchState.__tablename__, Department.__tablename__
    # Table names of the models and the token rows' numbers (ints): no outside text.
    tokens = "".join(f", (SELECT dictionary_version FROM {state} WHERE id = {int(r)})" for r in rows)  # noqa: S608
    return (f"SELECT (SELECT dictionary_version FROM {state} WHERE id = 1), "  # noqa: S608
            f"(SELECT count(id) FROM {departments}), (SELECT max(updated_at) FROM {departments}){tokens}")


class ResultCache(Generic[V]):
    """Values per key, each kept with the version it was computed at; the least recently used go first."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[object, tuple[tuple[object, ...], V]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: object, current: tuple[object, ...]) -> V | None:
        """The value for `key` if it was computed at `current`; None otherwise (nothing is computed)."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] == current:
                self._entries.move_to_end(key)
                return found[1]
        return None

    def get(self, key: object, current: tuple[object, ...], compute: Callable[[], V]) -> V:
        """The value for `key` computed at `current`, from the cache or computed now (and kept)."""
        found = self.peek(key, current)
        if found is not None:
            return found
        value = compute()
        with self._lock:
            self._entries[key] = (current, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
