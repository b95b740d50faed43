"""政务服务事项: the basic catalog and implementation lists (三级四同), their review and published versions,
materials and where they come from, the once-only rate, bundles (一件事一次办) and life/business events."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entries and upload routes of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_openapi_tag("政务服务事项",
                             "基本目录与实施清单（三级四同）、办事指南、申请材料及其来源、一件事一次办、偏差报告与"
                             "“一次不用跑”指标（已发布事项无需登录）", order=85)
    platform.add_router("tongban.items.api:public", order=92)
    platform.add_router("tongban.items.api:router", order=94)
    platform.add_router("tongban.items.pages:router", order=275)
    platform.add_nav("事项管理", "/admin/items", order=35, staff_only=True,
                     any_of=(P.ITEM_MANAGE, P.ITEM_REVIEW, P.ITEM_CATALOG_MANAGE))
    platform.add_upload_route("POST", r"/admin/items/import", max_bytes=10 * 1024 * 1024,
                              what="实施清单表格 xlsx（不超过 10 MB）")
