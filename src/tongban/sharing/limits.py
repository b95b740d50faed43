"""A grant's call quota (调用限额): its own calls per minute and per day, or the platform's default.

Sharing sets the quota on a grant and shows it; the exchange (exchange/quotas.py) counts calls against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from tongban.config import get_settings


class _HasLimits(Protocol):
    @property
    def calls_per_minute(self) -> int | None: ...

    @property
    def calls_per_day(self) -> int | None: ...


@dataclass(frozen=True)
class Limits:
    per_minute: int  # 0: unlimited
    per_day: int


def _effective(value: int | None, default: int) -> int:
    return default if value is None else value


def limits_of(grants: Sequence[_HasLimits]) -> Limits:
    """The most generous limit among the client's active grants for the resource (0 = unlimited)."""
    cfg = get_settings()
    minute = [_effective(g.calls_per_minute, cfg.exchange_default_calls_per_minute) for g in grants]
    day = [_effective(g.calls_per_day, cfg.exchange_default_calls_per_day) for g in grants]
    return Limits(per_minute=0 if (not minute or 0 in minute) else max(minute),
                  per_day=0 if (not day or 0 in day) else max(day))
