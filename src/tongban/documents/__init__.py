"""文书: the platform's official documents — 受理通知书, 不予受理决定书, 补正材料通知书, 准予 / 不予行政许可决定书 —
numbered per department, kind and year, rendered after GB/T 9704, sealed with the department's e-seal like
e-licences (tongban.seals.signing), kept in the file store and verifiable by anyone at /verify.

Owning domains (cases) issue them through `service.issue` inside their own use-cases and tell who the
recipient is through `hooks.register_recipient`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers of this domain (tongban/registry.py; orders are global)."""
    platform.add_openapi_tag("文书", "受理通知书、不予受理决定书、补正材料通知书、准予/不予行政许可决定书："
                             "查看、下载与撤销；核验请使用公开的“证照核验”接口。", order=75)
    # Registers the PDF reader and referrer with the file store in every process that serves or sweeps.
    platform.add_router("tongban.documents.api:router", order=245)
