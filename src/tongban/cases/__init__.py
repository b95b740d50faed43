"""办件: applications for service items and bundles, handled along BPMN processes against legal clocks.

models.py (cases, case_materials, case_events), service.py (the applicant: drafts, uploads, submission,
补正, withdrawal; the window clerk's 窗口收件 on the same path), handling.py (受理, 不予受理, 补正告知, 审查,
决定, 特别程序, 办结, 送达, deemed acceptance), outcome.py (decision, e-licence, messages, notices, a bundle's
parent), deadlines.py (clock warnings and the sweep), queries.py (read models), api.py (JSON API).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, OpenAPI tag and upload route of this domain; the clocks' owner (pages and nav come with pages.py)."""
    from tongban.cases import deadlines  # noqa: F401  (registers the "case" clock owner)

    platform.add_openapi_tag("办件", "网上申请与窗口收件、受理、补正、不予受理、审查、决定、办结、送达、办件查询",
                             order=60)
    platform.add_router("tongban.cases.api:router", order=75)
    platform.add_router("tongban.cases.api:public", order=76)
    platform.add_upload_route("POST", r"/api/v1/cases/\d+/materials/\d+/file", max_bytes=20 * 1024 * 1024,
                              what="申请材料")
