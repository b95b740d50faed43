"""电子证照: licence types, e-licences, verification (seals: tongban.seals; cryptography: tongban.crypto)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers and menu entries of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_upload_route("POST", r"/(api/v1/)?verify", max_bytes=10 * 1024 * 1024,
                              what="电子证照 PDF（不超过 10 MB）", gate="tongban.licences.throttle:upload_gate")
    platform.add_router("tongban.licences.api:public", order=230)
    platform.add_router("tongban.licences.api:router", order=240)
    platform.add_router("tongban.licences.pages:public", order=250)
    platform.add_router("tongban.licences.pages:router", order=260)
    platform.add_nav("证照类型", "/admin/licence-types", order=111, any_of=(P.LICENCE_TYPE_MANAGE,))
    platform.add_nav("电子证照", "/licences", order=112, any_of=(P.LICENCE_READ,))
    platform.add_nav("我的证照", "/my/licences", order=113, when=lambda a: bool(a.holder_code))
    platform.add_nav("证照核验", "/verify", order=114, audience="all")
