"""Who sees which exchange calls in monitoring: the platform all, a department its own side of each call."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, true

from tongban.authz import Actor, Permission
from tongban.errors import Forbidden
from tongban.monitoring.models import ExchangeStatsDaily, ExchangeStatsHourly


def check_monitor(actor: Actor) -> None:
    """Only staff holding EXCHANGE_MONITOR (platform admins, supervisors, department data staff)."""
    if not actor.has(Permission.EXCHANGE_MONITOR):
        raise Forbidden("交换监测仅供平台管理员、监察人员和各部门数据管理人员查看。",
                        detail={"permission": str(Permission.EXCHANGE_MONITOR)})


def visible_calls(actor: Actor, s: type[ExchangeStatsHourly] | type[ExchangeStatsDaily]) -> ColumnElement[bool]:
    """Platform-wide roles see every call; others the calls their department made or answered."""
    scope = actor.department_scope(Permission.EXCHANGE_MONITOR)
    if scope is None:
        return true()
    ids = sorted(scope)
    return or_(s.consumer_id.in_(ids), s.provider_id.in_(ids))
