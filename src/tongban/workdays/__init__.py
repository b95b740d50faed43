"""节假日设置: the working-day calendar (State Council holidays and make-up working days)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entries and home-page items of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_openapi_tag("节假日设置", "工作日历：法定节假日与调休上班日", order=80)
    platform.add_router("tongban.workdays.api:router", order=80)
    platform.add_router("tongban.workdays.pages:router", order=200)
    platform.add_nav("节假日", "/admin/calendar", order=90, any_of=(P.CALENDAR_MANAGE,))
    platform.add_shortcut("节假日设置", "/admin/calendar", "登记国务院公布的节假日与调休安排", order=40,
                          staff_only=True, any_of=(P.CALENDAR_MANAGE,))
