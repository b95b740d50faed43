"""Read models of 电子监察: the rules page and the cases' lights (红黄绿灯)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.authz import Actor, Permission
from tongban.cases import common
from tongban.cases.models import Case
from tongban.errors import NotFound
from tongban.org.models import Department
from tongban.registry import CaseBadge
from tongban.supervision.models import (
    ACTION_LABELS,
    DEPARTMENT,
    ITEM,
    KIND_LABELS,
    LEVEL_LABELS,
    MATERIAL,
    OPEN,
    RECIPIENT_LABELS,
    RED,
    SCOPE_LABELS,
    TIMING_KINDS,
    YELLOW,
    SupervisionAlert,
    SupervisionRule,
)

GREEN = "green"
LIGHT_LABELS = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯"}


@dataclass
class RuleRow:
    code: str
    name: str
    scope: str  # 全市 / 部门 安康市… / 事项 011000000001
    kind: str
    level: str
    condition: str
    action: str
    recipients: str
    escalate: str
    active: bool
    checked: bool  # the sweep applies it (时效, 材料); 流程/收费 are stored, not yet checked


@dataclass
class RulesPage:
    rules: list[RuleRow]
    departments: list[tuple[int, str]]
    kinds: dict[str, str]
    levels: dict[str, str]
    scopes: dict[str, str]
    actions: dict[str, str]
    recipient_kinds: dict[str, str]


def _condition(rule: SupervisionRule) -> str:
    if rule.kind not in TIMING_KINDS:
        return "—"
    if rule.kind == "promised_near":
        parts = []
        if rule.days is not None:
            parts.append(f"剩余不超过 {rule.days} 个工作日")
        if rule.share is not None:
            parts.append(f"已用时限达 {rule.share}%")
        return "或".join(parts)
    return f"逾期 {rule.days} 个工作日起" if rule.days else "期限届满次日起"


def rules_page(session: Session, actor: Actor) -> RulesPage:
    actor.require(Permission.SUPERVISION_MANAGE)
    names: dict[int, str] = {i: n for i, n in session.execute(
        select(Department.id, Department.name).order_by(Department.id))}
    rows = []
    for r in session.scalars(select(SupervisionRule).order_by(SupervisionRule.id)):
        scope = SCOPE_LABELS[r.scope]
        if r.scope == DEPARTMENT:
            scope += f" {names.get(r.department_id or 0, '')}"
        elif r.scope == ITEM:
            scope += f" {r.item_code}"
        rows.append(RuleRow(code=r.code, name=r.name, scope=scope, kind=KIND_LABELS[r.kind],
                            level=LEVEL_LABELS[r.level], condition=_condition(r), action=ACTION_LABELS[r.action],
                            recipients=" → ".join(RECIPIENT_LABELS[x] for x in r.recipients) or "—",
                            escalate=f"每 {r.escalate_days} 个工作日", active=r.active,
                            checked=r.kind in (*TIMING_KINDS, MATERIAL)))
    return RulesPage(rows, list(names.items()), KIND_LABELS, LEVEL_LABELS, SCOPE_LABELS, ACTION_LABELS,
                     RECIPIENT_LABELS)


def lights(session: Session, case_ids: Iterable[int]) -> dict[int, str]:
    """Each case's light from its open alerts: red if any is 报警, yellow if any is 预警, else green
    (提醒 keeps a case green). Cases without open alerts are green."""
    ids = list(case_ids)
    result = dict.fromkeys(ids, GREEN)
    if not ids:
        return result
    rows = session.execute(select(SupervisionAlert.case_id, SupervisionAlert.level).where(
        SupervisionAlert.state == OPEN, SupervisionAlert.case_id.in_(ids))).all()
    for case_id, level in rows:
        if level == RED or (level == YELLOW and result[case_id] == GREEN):
            result[case_id] = level
    return result


LIGHT_STATES = {GREEN: "正常", YELLOW: "预警", RED: "报警"}


def case_badges(session: Session, case_ids: Iterable[int]) -> dict[int, CaseBadge]:
    """The staff pages' light of each case (registered as a case-badge provider): 绿灯 正常 / 黄灯 预警 /
    红灯 报警 with the names of the rules that lit it. One query for all the cases of a page."""
    ids = list(case_ids)
    level_of: dict[int, str] = dict.fromkeys(ids, GREEN)
    rules: dict[int, dict[str, list[str]]] = {i: {} for i in ids}
    if ids:
        rows = session.execute(
            select(SupervisionAlert.case_id, SupervisionAlert.level, SupervisionRule.name)
            .join(SupervisionRule, SupervisionRule.id == SupervisionAlert.rule_id)
            .where(SupervisionAlert.state == OPEN, SupervisionAlert.case_id.in_(ids))
            .order_by(SupervisionAlert.case_id, SupervisionRule.name)).all()
        for case_id, level, name in rows:
            if level not in (RED, YELLOW):
                continue  # 提醒 keeps a case green
            rules[case_id].setdefault(level, []).append(name)
            if level == RED or level_of[case_id] == GREEN:
                level_of[case_id] = level
    badges: dict[int, CaseBadge] = {}
    for case_id in ids:
        level = level_of[case_id]
        text = f"{LIGHT_LABELS[level]} {LIGHT_STATES[level]}"
        names = list(dict.fromkeys(rules[case_id].get(level, [])))
        detail = f"{text}：{'、'.join(names)}" if names else f"{text}：无未处理的预警或报警"
        badges[case_id] = CaseBadge(text=text, detail=detail, css_class=f"case-clock light-{level}")
    return badges


def light(session: Session, case_id: int) -> str:
    return lights(session, [case_id])[case_id]


def case_light(session: Session, actor: Actor, number: str) -> str:
    """The light of one case by its 办件编号, for whoever may read the case."""
    case = session.scalar(select(Case).where(Case.number == number))
    if case is None or not common.can_read(actor, case):
        raise NotFound(f"未找到办件 {number}。", code="case_not_found")
    return light(session, case.id)
