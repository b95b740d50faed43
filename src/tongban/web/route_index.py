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

Even answered "no" at once, the ~50 routers before a late one still cost a call each (~20 µs a request for the
last). So the app's routes also begin with `_Dispatch`: the entries that can match a path, by the path's first
segment, built once at start-up (an entry whose paths fix no first segment, or that this cannot read, is asked for
every path). It asks only those, in their order, and hands the request to the first that matches fully — the one
FastAPI's own loop would pick, since no other entry before it can match. When none matches fully (a 405 for a path
that exists under another method, a 404, a redirect to the path with or without its slash) it answers "no", and
FastAPI's loop over every entry decides as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound, get_route_path
from starlette.types import Receive, Scope, Send


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
    """Give each plainly included router its path test and the app its dispatch by first segment; returns how many
    routers got a test. Again after routes were added (a bench's): the dispatch is built anew."""
    routes = [entry for entry in app.router.routes if not isinstance(entry, _Dispatch)]
    guarded = 0
    segments: list[frozenset[str] | None] = []  # per entry: the first segments of the paths it can match (None: any)
    for entry in routes:
        router = getattr(entry, "original_router", None)
        prefix: Any = getattr(getattr(entry, "include_context", None), "prefix", "x")
        try:
            if router is None:
                if not isinstance(getattr(entry, "path", None), str) or getattr(entry, "path_regex", None) is None:
                    raise _Unreadable
                paths = [entry.path]  # type: ignore[attr-defined]
            elif prefix:
                raise _Unreadable
            else:
                paths = list(_paths(router))
        except _Unreadable:
            segments.append(None)
            continue
        segments.append(_first_segments(paths))
        if router is not None and "matches" not in vars(entry):
            fixed = frozenset(p for p in paths if "{" not in p)
            prefixes = tuple(p.split("{", 1)[0] for p in paths if "{" in p)
            entry.matches = _guarded(entry.matches, fixed, prefixes)  # type: ignore[method-assign]
        guarded += router is not None
    app.router.routes[:] = [_Dispatch(routes, segments), *routes]
    return guarded


def _first_segments(paths: list[str]) -> frozenset[str] | None:
    """The first segments of these paths ("services" of /services/search), or None if one does not fix its first
    segment (a parameter in it, as in /{code} or /x{y}): such an entry may match any path."""
    found = set()
    for path in paths:
        first = path[1:].partition("/")[0]
        if not path.startswith("/") or "{" in first:
            return None
        found.add(first)  # "" for "/" itself
    return frozenset(found)


class _Dispatch(BaseRoute):
    """First of the app's routes: the first entry that fully matches, among those that can (see the module)."""

    def __init__(self, routes: list[BaseRoute], segments: list[frozenset[str] | None]) -> None:
        always = tuple(r for r, s in zip(routes, segments, strict=True) if s is None)
        known = set().union(*(s for s in segments if s is not None))
        self.by_segment = {seg: tuple(r for r, s in zip(routes, segments, strict=True) if s is None or seg in s)
                           for seg in known}
        self.always = always
        self.include_in_schema = False

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        first = get_route_path(scope)[1:].partition("/")[0]
        for entry in self.by_segment.get(first, self.always):
            match, child = entry.matches(scope)
            if match == Match.FULL:
                return Match.FULL, {**child, _CHOSEN: entry}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope.pop(_CHOSEN).handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)


_CHOSEN = "tongban.route"


def _guarded(matches: Any, fixed: frozenset[str], prefixes: tuple[str, ...]) -> Any:
    def guarded_matches(scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        if path in fixed or path.startswith(prefixes):
            result: tuple[Match, Scope] = matches(scope)
            return result
        return Match.NONE, {}

    return guarded_matches
