"""共享交换: the records API (keyed, filtered, changes, export), access and masking, quotas, provider
interfaces and the proxy, the exchange log and its sealing. Sharing requests and grants are in tongban.sharing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entries and home-page items of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_openapi_tag("共享交换接口",
                             "应用系统按授权查询共享数据：须说明用途，按敏感级别脱敏，每次调用留痕", order=50)
    # The gateway's and the proxy's fixed paths must be matched before the sharing API's parameters.
    platform.add_router("tongban.exchange.gateway_api:router", order=50)
    platform.add_router("tongban.exchange.proxy_api:router", order=60)
    platform.add_router("tongban.exchange.endpoint_pages:router", order=190)
    platform.add_router("tongban.exchange.data_use_pages:router", order=195)
    platform.add_nav("接口登记", "/sharing/endpoints", order=60, any_of=(P.ENDPOINT_MANAGE,))
    # 谁用了我的数据: for citizens and enterprises, beside 我的证照 (113).
    platform.add_nav("谁用了我的数据", "/my/data-uses", order=115,
                     when=lambda a: a.kind in ("citizen", "enterprise") and bool(a.holder_code))
    platform.add_home_cards("tongban.exchange.home:home_cards", order=40)
    platform.add_shortcut("谁用了我的数据", "/my/data-uses", "哪个部门在什么时间、为了什么用途使用了您的数据", order=85,
                          when=lambda a: a.kind in ("citizen", "enterprise") and bool(a.holder_code))
