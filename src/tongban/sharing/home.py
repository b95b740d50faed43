"""The sharing workload on the home page (registered in `tongban.exchange.register`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tongban.authz import Actor


def home_cards(*, session: Session, actor: Actor) -> list[dict[str, Any]]:
    """What waits for this person in the sharing process: reviews, answers, objections and the overdue."""
    if not actor.is_staff:
        return []
    from tongban.sharing.service import workload

    work = workload(session=session, actor=actor)
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
