"""共享交换监测: exchange call figures rolled up from the sealed exchange log."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entries and home-page items of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P
    from tongban.exchange import hooks

    platform.add_openapi_tag("共享交换监测", "按资源、使用部门、提供部门统计调用量、错误率、时延分位数与热点使用方",
                             order=70)
    platform.add_router("tongban.monitoring.api:router", order=90)
    platform.add_router("tongban.monitoring.pages:router", order=210)
    platform.add_nav("交换监测", "/monitoring/exchange", order=50, any_of=(P.EXCHANGE_MONITOR,))
    # Sealed exchange-log batches are rolled up in the sealing transaction: each entry counted once.
    hooks.on_sealed("tongban.monitoring.rollup:rollup")
