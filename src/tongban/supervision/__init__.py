"""电子监察: supervision rules as data, the alert sweep over the cases' legal clocks, the cases' lights."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entries and home-page items of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_openapi_tag("电子监察", "监察规则：时效、流程、收费、材料的提醒、预警与报警", order=150)
    platform.add_router("tongban.supervision.api:router", order=150)
    platform.add_router("tongban.supervision.pages:router", order=250)
    platform.add_nav("监察规则", "/supervision/rules", order=81, any_of=(P.SUPERVISION_MANAGE,))
    # The supervisor's board and 督办 (department heads: their own department; handlers: their 督办).
    platform.add_router("tongban.supervision.board_api:router", order=151)
    platform.add_router("tongban.supervision.board_pages:router", order=251)
    platform.add_nav("监察看板", "/supervision/board", order=80, any_of=(P.SUPERVISION_READ,))
    platform.add_nav("督办", "/supervision/orders", order=82, any_of=(P.SUPERVISION_READ, P.SUPERVISION_ANSWER))
    # The light of each case on the cases' staff pages (the cases domain reads it through the registry).
    platform.add_case_badges("tongban.supervision.queries:case_badges", order=10)
