"""绩效指标: indicators computed from case facts, ratings and alerts (definitions.py), kept as additive rollups
by jobs (rollup.py, tasks.py), read by department, item, region and period (API, dashboard, xlsx)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entry and OpenAPI tag of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_openapi_tag("绩效指标", "网上可办率、全程网办率、按时办结率、好评率、差评整改率等指标，按部门、事项、"
                             "区划与期间汇总，附指标定义；评估报表 xlsx", order=155)
    platform.add_router("tongban.indicators.api:router", order=152)
    platform.add_router("tongban.indicators.pages:router", order=252)
    platform.add_nav("绩效指标", "/indicators", order=83, staff_only=True, any_of=(P.INDICATOR_READ,))
