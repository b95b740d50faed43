"""好差评 (国办发〔2019〕51号, GB/T 39734/39735): the applicant's rating of a case on the five standard levels,
one per case and channel, an addition once, a default rating by a daily job where local rules set one; every
named bad rating followed up by the rated case's department (call-back, verification, rectification in working
days or an explanation, the notice to the applicant) and appeals decided by the supervisor."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entry and OpenAPI tag of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_openapi_tag("好差评", "办件评价、补充评价、默认评价，差评回访、核实、整改、告知与申诉复核", order=57)
    platform.add_router("tongban.ratings.api:router", order=79)
    # The public figures (/services/ratings) before the portal's own public pages.
    platform.add_router("tongban.ratings.pages:public", order=91)
    platform.add_router("tongban.ratings.pages:router", order=165)
    # The rated departments' staff who handle bad ratings, and the supervisor (appeals, every department).
    platform.add_nav("好差评", "/ratings", order=39, any_of=(P.RATING_HANDLE, P.RATING_REVIEW))
