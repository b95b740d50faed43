"""共享交换: sharing requests and grants (this part), the exchange API and its log (later)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entries and home-page items of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_openapi_tag("共享申请与授权", "共享申请、合规审查、提供方答复、异议协调、授权暂停与撤销", order=40)
    platform.add_openapi_tag("共享交换接口",
                             "应用系统按授权查询共享数据：须说明用途，按敏感级别脱敏，每次调用留痕", order=50)
    # The gateway's and the proxy's fixed paths must be matched before the sharing API's parameters.
    platform.add_router("tongban.exchange.gateway_api:router", order=50)
    platform.add_router("tongban.exchange.proxy_api:router", order=60)
    platform.add_router("tongban.exchange.api:router", order=70)
    platform.add_router("tongban.exchange.pages:router", order=160)
    platform.add_router("tongban.exchange.endpoint_pages:router", order=190)
    platform.add_nav("数据共享", "/sharing", order=30, any_of=(P.SHARING_READ, P.SHARING_COMPLIANCE))
    platform.add_nav("接口登记", "/sharing/endpoints", order=60, any_of=(P.ENDPOINT_MANAGE,))
    platform.add_home_cards("tongban.exchange.home:home_cards", order=30)
    platform.add_shortcut("数据共享", "/sharing", "共享申请、答复、授权与逾期提醒", order=20, staff_only=True,
                          any_of=(P.SHARING_READ, P.SHARING_COMPLIANCE))
