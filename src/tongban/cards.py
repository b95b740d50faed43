"""What the home page's cards read with (registry.CardProvider): bounded statements on the event loop, anything else in
a request thread with a session of its own.

The home is every user's first page after login and is drawn on the event loop (issue 16: in a request thread with
the ORM session it cost ~1.8 ms of CPU, most of it the statements' machinery, not the database's work). A provider is
`async def cards(reads: CardReads, actor) -> list[dict]` and decides where each of its statements runs:

- `await reads.one(sql, params)`, `reads.all`, `reads.count`: statements written once with `:name` parameters, run with
  the driver where the request already is (tongban/loop_reads.py) — for what an index bounds: one person's or one
  department's work, a count over the rows in a state that a queue holds, keys.
- `await reads.in_thread(function, *args)`: `function(session, *args)` in a request thread with a session of its own
  (closed after it, nothing committed) — for whatever is not bounded that way (counts over a whole table, the
  portal's recommendations with their many statements).

A provider that does not apply to the actor answers `[]` before reading anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tongban import threads
from tongban.loop_reads import LoopReader, reader

T = TypeVar("T")


class CardReads:
    """The reads of one request's home page."""

    __slots__ = ("_factory", "loop")

    def __init__(self, engine: Engine, session_factory: sessionmaker[Session]) -> None:
        self.loop: LoopReader = reader(engine)
        self._factory = session_factory

    async def one(self, sql: str, params: dict[str, Any] | None = None) -> tuple[Any, ...] | None:
        return await self.loop.one(sql, params)

    async def all(self, sql: str, params: dict[str, Any] | None = None, *, limit: int = 1000) -> list[tuple[Any, ...]]:
        return await self.loop.all(sql, params, limit=limit)

    async def together(self, *steps: Awaitable[Any]) -> list[Any]:
        """The results of `steps` in their order, their reads sent together where that saves round trips
        (`LoopReader.together`)."""
        return await self.loop.together(*steps)

    async def count(self, sql: str, params: dict[str, Any] | None = None) -> int:
        """The first column of the first row as a number (a `SELECT count(*) …`), 0 when NULL."""
        row = await self.loop.one(sql, params)
        return int(row[0] or 0) if row is not None else 0

    async def in_thread(self, function: Callable[..., T], *args: Any) -> T:
        """`function(session, *args)` in a request thread, with a session of its own closed after it."""
        return await threads.run(self._with_session, function, args)

    def _with_session(self, function: Callable[..., T], args: tuple[Any, ...]) -> T:
        with self._factory() as session:
            return function(session, *args)


def in_list(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """`:name0, :name1, …` and their parameters, for an `IN (…)` of a statement written as text (at least one value:
    the caller decides what an empty list means)."""
    if not values:
        raise ValueError("in_list needs at least one value")
    params = {f"{name}{i}": v for i, v in enumerate(values)}
    return ", ".join(f":{k}" for k in params), params


def as_datetime(value: Any) -> dt.datetime | None:
    """A DateTime column as read by the driver: PostgreSQL's a datetime, SQLite's the text SQLAlchemy wrote."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))
