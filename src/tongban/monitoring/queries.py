"""Read model of the exchange monitoring page (共享交换监测): filters, their options and the figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.errors import ValidationFailed
from tongban.monitoring import permissions as rules
from tongban.monitoring import service
from tongban.monitoring.models import LATENCY_BOUNDS_MS
from tongban.monitoring.schemas import ExchangeStats, parse_filter
from tongban.org import service as org

FILTER_FIELDS = ("start", "end", "granularity", "resource_code", "consumer_id", "provider_id")


@dataclass(frozen=True)
class ExchangeMonitoring:
    #: The filters as typed (blank ones ""), completed with the range and granularity applied.
    form: dict[str, str]
    #: The options of the consumer and provider selects.
    departments: list[Any]
    bounds: tuple[int, ...]
    #: The figures, or None when the filters are wrong (`problem` says why; the page answers 422).
    stats: ExchangeStats | None = None
    stats_json: dict[str, Any] | None = None
    problem: ValidationFailed | None = None


def exchange_monitoring(session: Session, actor: Actor, values: dict[str, str]) -> ExchangeMonitoring:
    """共享交换监测: what the actor may monitor (the platform everything, a department its own calls)."""
    rules.check_monitor(actor)
    form = {k: str(values.get(k, "")).strip() for k in FILTER_FIELDS}
    departments, _ = org.list_departments(session=session, actor=actor, size=1000)
    try:
        stats = service.exchange_stats(session=session, actor=actor, filters=parse_filter(**form))
    except ValidationFailed as exc:
        return ExchangeMonitoring(form=form, departments=list(departments), bounds=LATENCY_BOUNDS_MS, problem=exc)
    form.update(start=stats.start.isoformat(), end=stats.end.isoformat(), granularity=stats.granularity)
    return ExchangeMonitoring(form=form, departments=list(departments), bounds=LATENCY_BOUNDS_MS, stats=stats,
                              stats_json=stats.model_dump(mode="json"))
