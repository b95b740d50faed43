"""政务信息资源目录: information resources, their items, classification, versions, search."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entries and home-page items of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_openapi_tag("政务信息资源目录",
                             "信息资源编目、发布、检索、统计与表格导入导出（开放资源无需登录）", order=30)
    platform.add_router("tongban.catalog.api:public", order=30)
    platform.add_router("tongban.catalog.api:router", order=40)
    platform.add_router("tongban.catalog.pages:public", order=130)
    platform.add_router("tongban.catalog.pages:router", order=140)
    platform.add_router("tongban.catalog.import_pages:router", order=150)
    platform.add_nav("目录", "/catalog", order=20)
    platform.add_nav("开放目录", "/catalog", order=20, audience="anonymous")
    platform.add_shortcut("编目", "/catalog/resources/new", "把本部门的数据资源编入目录，发布后供各部门申请",
                          order=10, staff_only=True, any_of=(P.CATALOG_EDIT,))
    platform.add_shortcut("政务信息资源目录", "/catalog", "按分类、部门、共享类型查找全市数据资源", order=30,
                          staff_only=True)
    platform.add_upload_route("POST", r"/(api/v1/)?catalog/import", max_bytes=20 * 1024 * 1024,
                              what="目录表格 xlsx（不超过 20 MB）")
