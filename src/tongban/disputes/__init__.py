"""Data-quality disputes (数据疑义/纠错): consumers flag shared records as wrong; providers answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entries and home-page items of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P
    from tongban.exchange import hooks

    platform.add_openapi_tag("数据疑义", "对共享数据提出疑义，提供部门限期答复，平台协调；交换结果标注有疑义的记录",
                             order=60)
    platform.add_router("tongban.disputes.api:router", order=170)
    platform.add_router("tongban.disputes.pages:router", order=180)
    platform.add_nav("数据疑义", "/disputes", order=40, staff_only=True, any_of=(P.DISPUTE_RAISE, P.DISPUTE_ANSWER))
    # Exchange answers flag records under an open dispute; the exchange itself knows nothing of disputes.
    hooks.annotate_records("tongban.disputes.service:open_disputes")
    # The monitoring page lists providers with overdue disputes; monitoring itself knows nothing of disputes.
    hooks.overdue_at_providers("tongban.disputes.service:overdue_summary")
    platform.add_upload_route("POST", r"/api/v1/disputes/\d+/attachments|/disputes/new|/disputes/\d+/[a-z_]+",
                              max_bytes=10 * 5 * 1024 * 1024, what="证明材料（每个不超过 5 MB，最多 10 个）")
