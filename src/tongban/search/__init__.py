"""检索: the one search component (dictionary, query understanding, the shared index) other domains use.

    from tongban import search
    search.index(session, "catalog", resource.id, name=…, abstract=…, body=…, tags=…)
    result = search.query(session, "catalog", "户口本")      # hits with highlights, suggestion, fallback
    outcome = search.run(session, "catalog", q, fetch)      # the domain joins the hits with its own rules
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tongban.registry import Platform

_API = {
    "index": "tongban.search.fulltext", "index_many": "tongban.search.fulltext", "remove": "tongban.search.fulltext",
    "Doc": "tongban.search.fulltext", "refresh_statistics": "tongban.search.fulltext",
    "query": "tongban.search.engine", "run": "tongban.search.engine", "understand": "tongban.search.engine",
    "Outcome": "tongban.search.engine", "SearchResult": "tongban.search.engine", "Hit": "tongban.search.engine",
}


def __getattr__(name: str) -> Any:
    # Lazy, so that registering the domain (every CLI start) does not load rjieba and pypinyin.
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(name)


def register(platform: Platform) -> None:
    """Routers and menu entries of the search dictionary (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_router("tongban.search.pages:router", order=205)
    platform.add_nav("检索词典", "/admin/search-terms", order=92, any_of=(P.SEARCH_TERMS_MANAGE,))
