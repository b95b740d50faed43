"""电子印章 (GB/T 38540): departments' seals with their SM2 and PDF keys and certificates, and the seal picture;
the admin page and API of the seals and of the CA certificates the platform trusts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers and menu entries of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    # Between the licences' public API (230) and their API (240): the OpenAPI document lists the
    # seal and CA operations before the licence ones, as it did when licences served them.
    platform.add_router("tongban.seals.api:router", order=235)
    platform.add_router("tongban.seals.pages:router", order=255)
    platform.add_nav("电子印章", "/admin/seals", order=110, any_of=(P.SEAL_MANAGE,))
