"""A cheap first test in front of each included router: can any of its routes match this path at all?

FastAPI (0.165) matches a request by asking every included router in turn, and each router every route,
at about 2 µs a route with its bookkeeping. The platform has about 400 routes in 54 routers, so a route near
the end (the exchange, a case page) cost 0.1–0.9 ms before any work began (bench/request_path.py).

A route can only match a path that starts with the literal part of its path before its first parameter, and a
route without parameters only its own path. So each included router gets, once at start-up, the set of its
routes' fixed paths and the tuple of their literal prefixes, and its `matches` answers "no" at once for a path
that fits none of them. Matching is otherwise unchanged: the routers are still asked in their order, and the
first that matches wins, as before (tests/web/test_route_index.py checks every route still reaches itself).

A router this cannot read (one included under a prefix, or holding a kind of route other than a path route)
is left as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from starlette.routing import Match, get_route_path
from starlette.types import Scope


class _Unreadable(Exception):
    pass


def _paths(router: Any) -> Iterator[str]:
    if getattr(router, "_low_priority_routes", None):
        raise _Unreadable
    for route in router.routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            if getattr(getattr(route, "include_context", None), "prefix", "x"):
                raise _Unreadable
            yield from _paths(nested)
        elif isinstance(getattr(route, "path", None), str):
            yield route.path
        else:
            raise _Unreadable


def install(app: FastAPI) -> int:
    """Give each plainly included router its path test; returns how many got one."""
    guarded = 0
    for entry in app.router.routes:
        router = getattr(entry, "original_router", None)
        prefix: Any = getattr(getattr(entry, "include_context", None), "prefix", "x")
        if router is None or prefix:
            continue
        try:
            paths = list(_paths(router))
        except _Unreadable:
            continue
        fixed = frozenset(p for p in paths if "{" not in p)
        prefixes = tuple(p.split("{", 1)[0] for p in paths if "{" in p)
        entry.matches = _guarded(entry.matches, fixed, prefixes)  # type: ignore[method-assign]
        guarded += 1
    return guarded


def _guarded(matches: Any, fixed: frozenset[str], prefixes: tuple[str, ...]) -> Any:
    def guarded_matches(scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        if path in fixed or path.startswith(prefixes):
            result: tuple[Match, Scope] = matches(scope)
            return result
        return Match.NONE, {}

    return guarded_matches
