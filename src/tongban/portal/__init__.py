"""办事服务 (the public portal): services by life and business event, by department, high-frequency services,
bundles, search in people's own words, and a guide per item (with a printable PDF). No login needed to browse;
a logged-in citizen or enterprise sees per material whether they must provide it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers and menu entry of the portal (tongban/registry.py; orders are global)."""
    platform.add_router("tongban.portal.pages:public", order=93)
    # 为您推荐的服务 on a citizen's or enterprise's home page (the rule: tongban/portal/home.py).
    platform.add_home_cards("tongban.portal.home:home_cards", order=50)
    # For the people it serves: visitors, citizens and enterprises (staff reach it by its address).
    platform.add_nav("办事服务", "/services", order=12, audience="anonymous")
    platform.add_nav("办事服务", "/services", order=12, when=lambda a: a.kind in ("citizen", "enterprise"))
