"""共享申请与授权: sharing requests (submit, compliance check, provider decision, objection, coordination,
withdrawal) with their working-day deadlines, and the grants they produce (suspend, resume, revoke).
The exchange (tongban.exchange) lets calls through under these grants."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entries and home-page items of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P
    from tongban.catalog import hooks as catalog_hooks

    # Retiring a resource, or removing its items, waits until no grant or open request uses them.
    catalog_hooks.in_use_check("tongban.sharing.catalog_use:blocking_use")
    platform.add_openapi_tag("共享申请与授权", "共享申请、合规审查、提供方答复、异议协调、授权暂停与撤销", order=40)
    platform.add_router("tongban.sharing.api:router", order=70)
    platform.add_router("tongban.sharing.pages:router", order=160)
    platform.add_nav("数据共享", "/sharing", order=30, any_of=(P.SHARING_READ, P.SHARING_COMPLIANCE))
    platform.add_home_cards("tongban.sharing.home:home_cards", order=30)
    platform.add_shortcut("数据共享", "/sharing", "共享申请、答复、授权与逾期提醒", order=20, staff_only=True,
                          any_of=(P.SHARING_READ, P.SHARING_COMPLIANCE))
