"""Where jobs are declared: `@job` and `@periodic` register handlers when their domain's tasks.py is imported.

No central list: `discover()` imports `tongban.<domain>.tasks` for every domain package that has one,
so a new domain's jobs run by adding its tasks.py.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

JobHandler = Callable[[Session, dict[str, Any]], None]
PeriodicHandler = Callable[[Session], None]


@dataclass(frozen=True)
class JobSpec:
    name: str
    handler: JobHandler
    max_attempts: int
    periodic: Periodic | None = None
    label: str = ""  # what people read on the 任务运行 page and in the audit log (Chinese)


@dataclass(frozen=True)
class Periodic:
    """When a periodic job fires: every interval, or once a day at a Beijing time (working days only if asked)."""

    every: dt.timedelta | None = None
    daily_at: dt.time | None = None
    working_days_only: bool = False

    def describe(self) -> str:
        if self.every is not None:
            secs = int(self.every.total_seconds())
            return f"每 {secs // 60} 分钟" if secs % 60 == 0 else f"每 {secs} 秒"
        assert self.daily_at is not None
        return f"{'每个工作日' if self.working_days_only else '每天'} {self.daily_at:%H:%M}（北京时间）"


_JOBS: dict[str, JobSpec] = {}


def _register(spec: JobSpec) -> None:
    existing = _JOBS.get(spec.name)
    # Re-importing a module (tests, reloads) registers the same function again: allowed. Two different
    # handlers under one name would make which one runs depend on import order: refused.
    if existing is not None and existing.handler.__qualname__ != spec.handler.__qualname__:
        raise ValueError(f"job {spec.name!r} is already registered by {existing.handler.__module__}")
    _JOBS[spec.name] = spec


def job(name: str, *, label: str, max_attempts: int = 5) -> Callable[[JobHandler], JobHandler]:
    """Register a one-off job handler `handler(session, payload)`; it must be idempotent (at-least-once)."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def decorate(fn: JobHandler) -> JobHandler:
        _register(JobSpec(name=name, handler=fn, max_attempts=max_attempts, label=label))
        return fn

    return decorate


def periodic(name: str, *, label: str, every: dt.timedelta | None = None, daily_at: dt.time | None = None,
             working_days_at: dt.time | None = None, max_attempts: int = 3) -> Callable[[PeriodicHandler],
                                                                                      PeriodicHandler]:
    """Register a periodic job `handler(session)`: `every=` an interval, or `daily_at=`/`working_days_at=`
    a Beijing time of day (working days by the platform's holiday calendar)."""
    given = [x for x in (every, daily_at, working_days_at) if x is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of every=, daily_at=, working_days_at=")
    if every is not None and every < dt.timedelta(seconds=1):
        raise ValueError("every= must be at least one second")
    when = Periodic(every=every, daily_at=daily_at or working_days_at, working_days_only=working_days_at is not None)

    def decorate(fn: PeriodicHandler) -> PeriodicHandler:
        def handler(session: Session, payload: dict[str, Any]) -> None:
            fn(session)

        handler.__qualname__ = fn.__qualname__
        handler.__module__ = fn.__module__
        _register(JobSpec(name=name, handler=handler, max_attempts=max_attempts, periodic=when, label=label))
        return fn

    return decorate


def get(name: str) -> JobSpec | None:
    return _JOBS.get(name)


def label_of(name: str) -> str:
    """The Chinese name of a job; a job no longer registered (an old row) keeps its code name."""
    spec = _JOBS.get(name)
    return spec.label if spec is not None and spec.label else name


def all_jobs() -> dict[str, JobSpec]:
    return dict(_JOBS)


def periodic_jobs() -> dict[str, JobSpec]:
    return {n: s for n, s in _JOBS.items() if s.periodic is not None}


_discovered = False


def discover() -> list[str]:
    """Import `tongban.<domain>.tasks` for every domain package that has one; returns the modules imported."""
    global _discovered
    import tongban

    found = []
    for info in pkgutil.iter_modules(tongban.__path__):
        if not info.ispkg:
            continue
        name = f"tongban.{info.name}.tasks"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
            found.append(name)
    _discovered = True
    return found


def ensure_discovered() -> None:
    if not _discovered:
        discover()
