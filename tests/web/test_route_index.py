"""The routers' path test (web/route_index.py) changes which router answers no request: for a path made from every
route of the app, and for paths no route has, the routers' own matching and the guarded matching pick the same."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Match

from tongban.main import create_app

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


def test_every_route_is_reached_as_without_the_index(database_url: str) -> None:
    app = create_app()
    entries = list(app.router.routes)
    assert sum(1 for e in entries if "matches" in vars(e)) > 40  # the routers did get their test
    paths = {"/", "/nowhere", "/api/v1/nowhere", "/static", "/services/", "/cases/", "/admin//x"}
    for entry in entries:
        router = getattr(entry, "original_router", None)
        for template in _leaf_paths(router) if router is not None else [getattr(entry, "path", "/")]:
            for sample in SAMPLES:
                path = re.sub(r"\{[^}]+\}", sample, template)
                paths |= {path, path + "/", path.rstrip("/") or "/"}
    for path in sorted(paths):
        for method in ("GET", "POST", "DELETE"):
            scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [],
                     "query_string": b""}
            assert _pick(entries, scope, True) == _pick(entries, scope, False), (method, path)
