"""The routers' path test (web/route_index.py) changes which router answers no request: for a path made from every
route of the app, and for paths no route has, the routers' own matching and the guarded matching pick the same."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Match

from tongban.main import create_app
from tongban.web.route_index import _CHOSEN, _Dispatch, install

SAMPLES = ("1", "101", "abc", "A1B2", "x/y")


def _leaf_paths(router: Any) -> list[str]:
    paths = []
    for route in router.routes:
        nested = getattr(route, "original_router", None)
        paths += _leaf_paths(nested) if nested is not None else [route.path]
    return paths


def _pick(entries: list[Any], scope: dict[str, Any], guarded: bool) -> tuple[str, int | None]:
    partial = None
    for n, entry in enumerate(entries):
        match, _ = entry.matches(scope) if guarded else type(entry).matches(entry, scope)
        if match == Match.FULL:
            return "full", n
        if match == Match.PARTIAL and partial is None:
            partial = n
    return ("partial", partial) if partial is not None else ("none", None)


def _all_paths(entries: list[Any]) -> list[str]:
    paths = {"/", "/nowhere", "/api/v1/nowhere", "/static", "/services/", "/cases/", "/admin//x", "", "//", "/x"}
    for entry in entries:
        router = getattr(entry, "original_router", None)
        for template in _leaf_paths(router) if router is not None else [getattr(entry, "path", "/")]:
            for sample in SAMPLES:
                path = re.sub(r"\{[^}]+\}", sample, template)
                paths |= {path, path + "/", path.rstrip("/") or "/"}
    return sorted(paths)


def _scope(method: str, path: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}


def test_every_route_is_reached_as_without_the_index(database_url: str) -> None:
    app = create_app()
    dispatch, *entries = list(app.router.routes)
    assert isinstance(dispatch, _Dispatch)
    assert sum(1 for e in entries if "matches" in vars(e)) > 40  # the routers did get their test
    for path in _all_paths(entries):
        for method in ("GET", "POST", "DELETE"):
            scope = _scope(method, path)
            assert _pick(entries, scope, True) == _pick(entries, scope, False), (method, path)


def test_the_dispatch_hands_each_request_to_the_entry_fastapis_loop_would(database_url: str) -> None:
    """The first entry that matches fully, among those its first segment allows, is the loop's own first; when the
    loop would find only a partial match (405) or none, the dispatch answers "no" and leaves it to the loop."""
    app = create_app()
    dispatch, *entries = list(app.router.routes)
    full = 0
    for path in _all_paths(entries):
        for method in ("GET", "POST", "DELETE"):
            scope = _scope(method, path)
            kind, n = _pick(entries, scope, False)
            match, child = dispatch.matches(scope)
            if kind == "full":
                assert match == Match.FULL and child[_CHOSEN] is entries[n], (method, path)
                full += 1
            else:
                assert match == Match.NONE, (method, path)
    assert full > 300
    assert dispatch.matches({"type": "websocket", "path": "/healthz"})[0] == Match.NONE


def test_installing_again_builds_one_dispatch_with_the_new_routes(database_url: str) -> None:
    from fastapi import APIRouter

    app = create_app()
    late = APIRouter()

    @late.get("/zz-late/{n}")
    def late_route(n: int) -> dict[str, int]:
        return {"n": n}

    app.include_router(late)
    install(app)
    routes = list(app.router.routes)
    assert sum(isinstance(r, _Dispatch) for r in routes) == 1 and isinstance(routes[0], _Dispatch)
    match, child = routes[0].matches(_scope("GET", "/zz-late/3"))
    assert match == Match.FULL and child[_CHOSEN] is routes[-1]
