"""审计留痕: the append-only, hash-chained audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entries and home-page items of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_openapi_tag("审计留痕", "防篡改审计日志查询", order=20)
    platform.add_router("tongban.audit.api:router", order=20)
    platform.add_router("tongban.audit.pages:router", order=120)
    platform.add_nav("审计日志", "/admin/audit", order=80, any_of=(P.AUDIT_READ,))
    platform.add_shortcut("审计日志", "/admin/audit", "按操作人、对象、时间检索留痕记录", order=60,
                          any_of=(P.AUDIT_READ,))
