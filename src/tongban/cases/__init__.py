"""办件: applications for service items and bundles, handled along BPMN processes against legal clocks.

models.py (cases, case_materials, case_events), service.py (the applicant: drafts, uploads, submission,
补正, withdrawal; the window clerk's 窗口收件 on the same path), handling.py (受理, 不予受理, 补正告知, 审查,
决定, 特别程序, 办结, 送达, deemed acceptance), outcome.py (decision, e-licence, messages, notices, a bundle's
parent), deadlines.py (clock warnings and the sweep), queries.py (read models), api.py (JSON API),
staff_pages.py + staff_queries.py (the 窗口 and 审批 pages: queue, tasks, case page, 窗口收件; home cards).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, OpenAPI tag and upload routes of this domain; the clocks' owner; the staff pages' menu and cards."""
    from tongban.authz import Permission as P
    from tongban.cases import deadlines  # noqa: F401  (registers the "case" clock owner)
    from tongban.exchange import hooks

    # The exchange serves 一网通办平台 only for the applicant's own draft or 补正 case (cases/end_users.py).
    hooks.end_user_cases("tongban.cases.end_users:case_open_to_fetching")

    platform.add_openapi_tag("办件", "网上申请与窗口收件、受理、补正、不予受理、审查、决定、办结、送达、办件查询",
                             order=60)
    platform.add_router("tongban.cases.api:router", order=75)
    platform.add_router("tongban.cases.api:public", order=76)
    platform.add_upload_route("POST", r"/api/v1/cases/\d+/materials/\d+/file", max_bytes=20 * 1024 * 1024,
                              what="申请材料")
    # The applicant's pages (cases/citizen_pages.py): 在线申请, 我的办件, 办件查询, and the home card.
    platform.add_router("tongban.cases.citizen_pages:router", order=77)
    platform.add_router("tongban.cases.citizen_pages:public", order=78)
    platform.add_upload_route("POST", r"/my/cases/\d+/materials/\d+/file", max_bytes=20 * 1024 * 1024,
                              what="申请材料")
    platform.add_nav("我的办件", "/my/cases", order=13,
                     when=lambda a: a.kind in ("citizen", "enterprise") and bool(a.holder_code))
    platform.add_nav("办件查询", "/services/progress", order=13, audience="anonymous")
    platform.add_home_cards("tongban.cases.citizen:home_cards", order=45)
    platform.add_router("tongban.cases.staff_pages:router", order=280)
    platform.add_upload_route("POST", r"/cases/walk-in/drafts/\d+/materials/\d+", max_bytes=20 * 1024 * 1024,
                              what="申请材料")
    clerk = lambda actor: "window_clerk" in actor.roles  # noqa: E731  (the window's pages)
    platform.add_nav("受理队列", "/cases/queue", order=36, staff_only=True, any_of=(P.CASE_HANDLE,), when=clerk)
    platform.add_nav("我的待办", "/cases/tasks", order=37, staff_only=True, any_of=(P.CASE_HANDLE,))
    platform.add_nav("窗口收件", "/cases/walk-in", order=38, staff_only=True, any_of=(P.CASE_HANDLE,), when=clerk)
    platform.add_home_cards("tongban.cases.staff_queries:home_cards", order=20)
