"""The sharing workload on the home page (registered in `tongban.sharing.register`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from tongban.authz import Actor, Permission
from tongban.cards import CardReads, in_list
from tongban.clock import today


async def workload(reads: CardReads, actor: Actor) -> dict[str, int]:
    """What is waiting for this person's department (and the platform), with overdue counts (逾期预警).

    One statement whatever the roles, on the event loop: each figure is a filtered count over the requests in the
    states a queue holds, which the indexes on status, (provider, status) and (consumer, status) find."""
    compliance = actor.has(Permission.SHARING_COMPLIANCE)
    decide = actor.has(Permission.SHARING_DECIDE) and actor.department_id is not None
    request = actor.has(Permission.SHARING_REQUEST) and actor.department_id is not None
    decide_scope = _scope(actor, Permission.SHARING_DECIDE) if decide else None
    request_scope = _scope(actor, Permission.SHARING_REQUEST) if request else None
    names, sql = _workload_statement(compliance, decide, _size(decide_scope), request, _size(request_scope))
    if not names:
        return {}
    params: dict[str, object] = {"day": today()}
    params |= {f"p{i}": d for i, d in enumerate(decide_scope or ())}
    params |= {f"c{i}": d for i, d in enumerate(request_scope or ())}
    row = await reads.one(sql, params)
    assert row is not None  # an aggregate always answers one row
    return {name: int(n or 0) for name, n in zip(names, row, strict=True)}


def _scope(actor: Actor, perm: Permission) -> list[int] | None:
    scope = actor.department_scope(perm)
    return None if scope is None else sorted(scope)


def _size(scope: list[int] | None) -> int | None:
    return None if scope is None else len(scope)


def _departments(column: str, prefix: str, n: int | None) -> str:
    """The condition on a request's department: any (None), one of n (`:p0, …`), or none at all (0)."""
    if n is None:
        return f"{column} IS NOT NULL"
    return f"{column} IN ({in_list(prefix, range(n))[0]})" if n else "1 = 0"


@cache
def _workload_statement(compliance: bool, decide: bool, providers: int | None, request: bool,
                        consumers: int | None) -> tuple[tuple[str, ...], str]:
    """The figures and the statement of `workload` for one combination of rights and scope sizes (None: every
    department), built once per process."""
    counts: dict[str, str] = {}
    if compliance:
        counts["compliance"] = "status = 'submitted'"
        counts["disputes"] = "status = 'objected'"
        counts["platform_overdue"] = "status IN ('submitted', 'objected') AND due_on < :day"
        counts["provider_overdue_all"] = "status = 'pending_provider' AND due_on < :day"
    if decide:
        provider = _departments("provider_id", "p", providers)
        counts["to_answer"] = f"{provider} AND status = 'pending_provider'"
        counts["to_answer_overdue"] = f"{provider} AND status = 'pending_provider' AND due_on < :day"
    if request:
        consumer = _departments("consumer_id", "c", consumers)
        counts["waiting"] = f"{consumer} AND status IN ('submitted', 'pending_provider', 'objected')"
        counts["refused_objectable"] = f"{consumer} AND status = 'refused'"
    if not counts:
        return (), ""
    figures = ", ".join(f"count(*) FILTER (WHERE {c})" for c in counts.values())
    where = " OR ".join(f"({c})" for c in counts.values())
    return tuple(counts), f"SELECT {figures} FROM sharing_requests WHERE {where}"  # noqa: S608 (constants, not input)


async def home_cards(reads: CardReads, actor: Actor) -> list[dict[str, Any]]:
    """What waits for this person in the sharing process: reviews, answers, objections and the overdue."""
    if not actor.is_staff:
        return []
    work = await workload(reads, actor)
    cards: list[dict[str, Any]] = []
    if "compliance" in work:
        cards += [
            {"label": "待合规审查", "value": work["compliance"], "href": "/sharing?tab=compliance",
             "warn": work["platform_overdue"] > 0},
            {"label": "异议待协调", "value": work["disputes"], "href": "/sharing?tab=disputes"},
            {"label": "平台逾期未办", "value": work["platform_overdue"], "href": "/sharing?tab=compliance",
             "warn": work["platform_overdue"] > 0},
            {"label": "提供部门逾期未答复", "value": work["provider_overdue_all"], "warn":
             work["provider_overdue_all"] > 0},
        ]
    if "to_answer" in work:
        cards += [
            {"label": "待本部门答复的共享申请", "value": work["to_answer"], "href": "/sharing?tab=provider"},
            {"label": "其中已逾期", "value": work["to_answer_overdue"], "href": "/sharing?tab=provider",
             "warn": work["to_answer_overdue"] > 0},
        ]
    if work.get("refused_objectable"):
        cards.append({"label": "被拒绝可提异议的申请", "value": work["refused_objectable"],
                      "href": "/sharing?tab=consumer&status=refused"})
    return cards
