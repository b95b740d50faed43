"""电子监察 use-cases: the supervisor edits the rules; the sweep applies the 时效 rules to the open cases,
raises and clears alerts and escalates those that stay open (handler → department head → supervisor)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.cases import common as case_clocks
from tongban.cases.models import OPEN as OPEN_STATUSES
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.service import FETCHABLE
from tongban.clock import today
from tongban.db import utcnow
from tongban.errors import Conflict, NotFound, ValidationFailed
from tongban.notifications import service as notifications
from tongban.org.models import Department, User, UserRole
from tongban.supervision import checks, messages
from tongban.supervision.models import (
    ACTION_LABELS,
    CLEARED,
    CLOSED,
    DEPARTMENT,
    DEPT_ADMIN,
    HANDLER,
    ITEM,
    KIND_LABELS,
    LEGAL_OVERDUE,
    LEVEL_LABELS,
    MATERIAL,
    OPEN,
    PROMISED_NEAR,
    RECIPIENT_LABELS,
    SCOPE_LABELS,
    SUPERVISOR,
    TIMING_KINDS,
    SupervisionAlert,
    SupervisionRule,
)
from tongban.supervision.schemas import RuleIn
from tongban.transactions import use_case
from tongban.workdays import clocks
from tongban.workdays import service as workdays
from tongban.workdays.models import LegalClock
from tongban.workdays.service import WorkCalendar

SYSTEM = Actor(kind="system", id=None, name="通办平台（电子监察）")
FIELD_LABELS = {"code": "规则编码", "name": "规则名称", "scope": "适用范围", "department_id": "部门",
                "item_code": "事项编码", "kind": "规则类型", "level": "级别", "days": "工作日数",
                "share": "时限占比", "action": "处置方式", "recipients": "通知对象", "escalate_days": "升级间隔"}
HANDLER_ROLES = ("window_clerk", "reviewer")
CHECKED_KINDS = (*TIMING_KINDS, MATERIAL, *checks.KINDS)  # 流程 and 收费: supervision/checks.py


# ---------------------------------------------------------------- rules


def _invalid(message: str, field_name: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_rule", detail={"field": field_name})


def _check(session: Session, rule_in: RuleIn) -> None:
    if rule_in.scope not in SCOPE_LABELS:
        raise _invalid("适用范围应为全市、部门或事项。", "scope")
    if rule_in.kind not in KIND_LABELS:
        raise _invalid("规则类型应为时效、流程、收费或材料之一。", "kind")
    if rule_in.level not in LEVEL_LABELS:
        raise _invalid("级别应为提醒、预警或报警。", "level")
    if rule_in.action not in ACTION_LABELS:
        raise _invalid("处置方式应为“记录并通知”或“仅记录”。", "action")
    unknown = [r for r in rule_in.recipients if r not in RECIPIENT_LABELS]
    if unknown or len(set(rule_in.recipients)) != len(rule_in.recipients):
        raise _invalid("通知对象只能是承办人员、部门负责人、监察人员，且不重复。", "recipients")
    if rule_in.action == "notify" and not rule_in.recipients:
        raise _invalid("“记录并通知”的规则请至少选择一个通知对象。", "recipients")
    if rule_in.scope == DEPARTMENT and (rule_in.department_id is None
                                        or session.get(Department, rule_in.department_id) is None):
        raise _invalid("适用范围为部门时，请选择一个部门。", "department_id")
    if rule_in.scope == ITEM and not rule_in.item_code:
        raise _invalid("适用范围为事项时，请填写事项编码。", "item_code")
    if rule_in.kind in TIMING_KINDS:
        if rule_in.kind == PROMISED_NEAR and rule_in.days is None and rule_in.share is None:
            raise _invalid("临近期限的规则请填写剩余工作日数或已用时限占比。", "days")
        if rule_in.kind != PROMISED_NEAR and rule_in.share is not None:
            raise _invalid("超过期限的规则以逾期工作日数为条件，不填时限占比。", "share")


def _apply(session: Session, rule: SupervisionRule, rule_in: RuleIn) -> None:
    _check(session, rule_in)
    for name, value in rule_in.model_dump().items():
        setattr(rule, name, value)
    if rule.scope != DEPARTMENT:
        rule.department_id = None
    if rule.scope != ITEM:
        rule.item_code = None
    rule.updated_at = utcnow()


def _create(session: Session, actor: Actor, rule_in: RuleIn) -> SupervisionRule:
    if session.scalar(select(SupervisionRule.id).where(SupervisionRule.code == rule_in.code)) is not None:
        raise Conflict(f"规则编码 {rule_in.code} 已被使用，请换一个。", code="rule_code_taken")
    rule = SupervisionRule()
    _apply(session, rule, rule_in)
    session.add(rule)
    session.flush()
    audit.record(session, actor=actor, action="supervision.rule_create", object_type="supervision_rule",
                 object_id=rule.code, detail=rule_in.model_dump())
    return rule


def _update(session: Session, actor: Actor, rule: SupervisionRule, rule_in: RuleIn) -> SupervisionRule:
    before = {k: getattr(rule, k) for k in rule_in.model_dump()}
    _apply(session, rule, rule_in)
    audit.record(session, actor=actor, action="supervision.rule_update", object_type="supervision_rule",
                 object_id=rule.code, detail={"before": before, "after": rule_in.model_dump()})
    return rule


@use_case
def create_rule(*, session: Session, actor: Actor, rule_in: RuleIn) -> SupervisionRule:
    """A new rule (监察人员 or 平台管理员)."""
    actor.require(Permission.SUPERVISION_MANAGE)
    return _create(session, actor, rule_in)


@use_case
def update_rule(*, session: Session, actor: Actor, code: str, rule_in: RuleIn) -> SupervisionRule:
    """Change a rule; its code stays. Open alerts of a rule made inactive are cleared by the next sweep."""
    actor.require(Permission.SUPERVISION_MANAGE)
    rule = get_rule(session, code)
    if rule_in.code != code:
        raise _invalid("规则编码不可修改。", "code")
    return _update(session, actor, rule, rule_in)


@use_case
def save_rule(*, session: Session, actor: Actor, rule_in: RuleIn) -> SupervisionRule:
    """The rules page's one form: a known code changes that rule, a new code adds one."""
    actor.require(Permission.SUPERVISION_MANAGE)
    rule = session.scalar(select(SupervisionRule).where(SupervisionRule.code == rule_in.code))
    return _create(session, actor, rule_in) if rule is None else _update(session, actor, rule, rule_in)


def all_rules(session: Session) -> list[SupervisionRule]:
    return list(session.scalars(select(SupervisionRule).order_by(SupervisionRule.id)))


def get_rule(session: Session, code: str) -> SupervisionRule:
    rule = session.scalar(select(SupervisionRule).where(SupervisionRule.code == code))
    if rule is None:
        raise NotFound(f"未找到编码为 {code} 的监察规则。", code="rule_not_found")
    return rule


# ---------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    raised: list[SupervisionAlert] = field(default_factory=list)
    cleared: list[SupervisionAlert] = field(default_factory=list)
    notified: list[tuple[SupervisionAlert, str]] = field(default_factory=list)  # (alert, recipient kind)


def _clock_name(rule: SupervisionRule) -> str:
    return case_clocks.LEGAL if rule.kind == LEGAL_OVERDUE else case_clocks.PROMISED


class _CaseFacts(checks.Scoped, Protocol):
    @property
    def status(self) -> str: ...


class _ClockFacts(Protocol):
    @property
    def state(self) -> str: ...
    @property
    def due_on(self) -> dt.date | None: ...
    @property
    def days(self) -> int: ...
    @property
    def extended_days(self) -> int: ...


class _Days(Protocol):
    def working_days_between(self, start: dt.date, end: dt.date) -> int: ...


def _holds(rule: SupervisionRule, case: _CaseFacts, clock: _ClockFacts | None, calendar: _Days,
           day: dt.date, *, scoped: bool = False) -> str:
    """'' when the rule's condition holds on `day`, otherwise why not (the reason an alert is cleared)."""
    if case.status not in OPEN_STATUSES:
        return "办件已办结或终止"
    if clock is None:
        return "办件无此期限"
    if clock.state == clocks.SUSPENDED:
        return "期限已中止"
    if clock.state != clocks.RUNNING or clock.due_on is None:
        return "期限已停止"
    if not scoped and not checks.in_scope(rule, case):  # (the candidates' query applied the scope)
        return "不在规则适用范围内"
    if rule.kind == PROMISED_NEAR:
        if day > clock.due_on:
            return "已超过期限"
        left = calendar.working_days_between(day, clock.due_on)
        if rule.days is not None and left <= rule.days:
            return ""
        limit = clock.days + clock.extended_days
        if rule.share is not None and limit > 0 and (limit - left) * 100 >= rule.share * limit:
            return ""
        return "未临近期限"
    if day > clock.due_on and calendar.working_days_between(clock.due_on, day) >= (rule.days or 0):
        return ""
    return "未超过期限"


class _Open(NamedTuple):
    """The columns of an open case and its running clock that a 时效 rule reads (no ORM objects: the sweep
    reads every open case near or past its deadline)."""

    id: int
    number: str | None
    department_id: int
    item_code: str
    status: str
    state: str
    due_on: dt.date | None
    days: int
    extended_days: int


def _candidates(session: Session, rule: SupervisionRule, calendar: WorkCalendar, day: dt.date) -> list[_Open]:
    """The open cases whose running clock may meet the rule: an indexed range on the clocks' due day."""
    query = (select(Case.id, Case.number, Case.department_id, Case.item_code, Case.status, LegalClock.state,
                    LegalClock.due_on, LegalClock.days, LegalClock.extended_days)
             .join(LegalClock, LegalClock.owner_id == Case.id)
             .where(LegalClock.owner_type == case_clocks.OWNER, LegalClock.name == _clock_name(rule),
                    LegalClock.state == clocks.RUNNING, Case.status.in_(OPEN_STATUSES)))
    if rule.kind == PROMISED_NEAR:
        query = query.where(LegalClock.due_on >= day)
        if rule.share is None and rule.days is not None:
            query = query.where(LegalClock.due_on <= calendar.add_working_days(day, rule.days).due)
    else:
        query = query.where(LegalClock.due_on < day)
    return [_Open(*row) for row in session.execute(checks.scoped(query, rule).order_by(Case.id)).all()]


def _clock_facts(session: Session, rule: SupervisionRule, case_ids: list[int]) -> dict[int, _Open]:
    """The cases of open alerts the candidates did not find, with the rule's clock (its columns empty when the
    case has none): read in batches, to say why each alert clears."""
    found: dict[int, _Open] = {}
    for start in range(0, len(case_ids), 500):
        query = (select(Case.id, Case.number, Case.department_id, Case.item_code, Case.status, LegalClock.state,
                        LegalClock.due_on, LegalClock.days, LegalClock.extended_days)
                 .outerjoin(LegalClock, (LegalClock.owner_id == Case.id) & (LegalClock.owner_type == case_clocks.OWNER)
                            & (LegalClock.name == _clock_name(rule)))
                 .where(Case.id.in_(case_ids[start:start + 500])))
        found.update((row.id, _Open(*row)) for row in session.execute(query))
    return found


def _preload(session: Session, case_ids: list[int]) -> None:
    """The cases of open alerts loaded in batches into the session (session.get then reads them from it)."""
    for start in range(0, len(case_ids), 500):
        session.scalars(select(Case).where(Case.id.in_(case_ids[start:start + 500]))).all()


class _CachedCalendar:
    """The working days between two days, computed once per pair in a sweep (many clocks share a due day)."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._between: dict[tuple[dt.date, dt.date], int] = {}

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        key = (start, end)
        if key not in self._between:
            self._between[key] = self.calendar.working_days_between(start, end)
        return self._between[key]


def _timing_matches(session: Session, rule: SupervisionRule, calendar: WorkCalendar,
                    day: dt.date) -> list[tuple[_Open, dt.date | None, dict[str, object]]]:
    cached = _CachedCalendar(calendar)
    return [(row, row.due_on, {"due_on": row.due_on.isoformat() if row.due_on else None})
            for row in _candidates(session, rule, calendar, day)
            if not _holds(rule, row, row, cached, day, scoped=True)]


def _material_matches(session: Session, rule: SupervisionRule) -> list[tuple[Case, dt.date | None, dict[str, object]]]:
    """材料: open cases whose 补正 notice asked the applicant to provide (upload or correct) a material the
    platform fetches itself (a licence or shared data). The cases domain refuses a notice line demanding an
    upload of such a material, but a 'correct' line (补正内容) passes it, and notices written before that check
    stand. An applicant who chose to upload instead of a fetch made their own choice: not a demand."""
    query = checks.scoped(select(Case).where(Case.supplement_notice.is_not(None), Case.status.in_(OPEN_STATUSES)),
                          rule)
    found: list[tuple[Case, dt.date | None, dict[str, object]]] = []
    for case in session.scalars(query.order_by(Case.id)):
        lines = {int(line["material_id"]): line for line in case.supplement_notice or [] if "material_id" in line}
        if not lines:
            continue
        named = [m.name for m in session.scalars(select(CaseMaterial).where(
                     CaseMaterial.case_id == case.id, CaseMaterial.id.in_(list(lines)),
                     CaseMaterial.source.in_(FETCHABLE)).order_by(CaseMaterial.position))
                 if lines[m.id].get("how") != "fetch"]
        if named:
            found.append((case, None, {"materials": named}))
    return found


class _Numbered(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def number(self) -> str | None: ...


class _Ref(NamedTuple):
    id: int
    number: str | None


class _Log:
    """The sweep's audit entries of one rule, appended as batches (audit.record_batch) at the end of the rule:
    an entry per alert step on the case's timeline, without a round trip per entry."""

    def __init__(self, rule: SupervisionRule) -> None:
        self.rule = rule
        self.entries: dict[str, list[tuple[str | int | None, dict[str, Any] | None]]] = {}

    def add(self, action: str, case: _Numbered, **detail: object) -> None:
        rule = self.rule
        self.entries.setdefault(action, []).append((case.number or str(case.id), {
            "rule": rule.code, "rule_name": rule.name, "level": rule.level, **detail}))

    def write(self, session: Session) -> None:
        for action, objects in self.entries.items():
            audit.record_batch(session, actor=SYSTEM, action=f"supervision.{action}", object_type="case",
                               objects=objects)
        self.entries.clear()


@use_case
def sweep(*, session: Session, day: dt.date | None = None) -> SweepResult:
    """Apply every active rule on `day` (时效 and 材料 here, 流程 and 收费 in checks.py): raise an alert once per
    case and rule, clear it when the condition no longer holds, escalate the open ones. Rerunning on the same
    day changes nothing."""
    day = day or today()
    calendar = workdays.load(session)
    result = SweepResult()
    rules = session.scalars(select(SupervisionRule).where(SupervisionRule.kind.in_(CHECKED_KINDS))
                            .order_by(SupervisionRule.id)).all()
    for rule in rules:
        log = _Log(rule)
        matches = (_material_matches(session, rule) if rule.kind == MATERIAL
                   else checks.matches(session, rule, calendar, day) if rule.kind in checks.KINDS
                   else _timing_matches(session, rule, calendar, day)) if rule.active else []
        # The rule's open alerts and those the supervisor closed (their episode lasts while the condition
        # holds), and the cleared ones of the matched cases (raised again on the same row); the history of
        # cleared alerts is not read on every sweep. Read as columns: a rerun changes few of them.
        existing = {row.case_id: row for row in _alert_rows(session, rule, None)}
        matched = [case.id for case, _due, _facts in matches if case.id not in existing]
        for start in range(0, len(matched), 500):
            existing.update((row.case_id, row) for row in _alert_rows(session, rule, matched[start:start + 500]))
        holding: set[int] = set()
        redue: dict[int, dt.date | None] = {}  # alert id → its new due day
        raise_: list[tuple[_Numbered, _CaseFacts, dt.date | None, dict[str, object], int | None]] = []
        for case, due_on, facts in matches:
            holding.add(case.id)
            row = existing.get(case.id)
            if row is not None and row.state in (OPEN, CLOSED):  # a closed alert stays closed
                if row.due_on != due_on:
                    redue[row.id] = due_on
                continue
            raise_.append((case, case, due_on, facts, row.id if row is not None else None))
        loaded = _alerts(session, [*redue, *(r[4] for r in raise_ if r[4] is not None)])
        for alert_id, due_on in redue.items():
            loaded[alert_id].due_on = due_on
        for numbered, subject, due_on, facts, known in raise_:
            if known is None:
                alert = SupervisionAlert(rule_id=rule.id, case_id=numbered.id)
                session.add(alert)
            else:
                alert = loaded[known]
            alert.department_id, alert.level, alert.state = subject.department_id, rule.level, OPEN
            alert.due_on, alert.raised_on, alert.raised_at = due_on, day, utcnow()
            alert.step, alert.notified_on, alert.cleared_at, alert.clear_reason = 0, None, None, ""
            alert.outcome, alert.outcome_note, alert.closed_at, alert.closed_by_id = "", "", None, None
            log.add("alert_raise", numbered, **facts)
            result.raised.append(alert)
        _clear(session, rule, existing, holding, calendar, day, result, log)
        due = [row.id for case_id, row in existing.items() if row.state == OPEN and case_id in holding
               and _escalation_due(rule, row, calendar, day)]
        _escalate(session, rule, list(_alerts(session, due).values()), day, result, log)
        log.write(session)
    session.flush()
    return result


class _AlertRow(NamedTuple):
    id: int
    case_id: int
    state: str
    due_on: dt.date | None
    step: int
    notified_on: dt.date | None
    raised_on: dt.date


def _alert_rows(session: Session, rule: SupervisionRule, case_ids: list[int] | None) -> list[_AlertRow]:
    """The rule's open and closed alerts (case_ids None), or its alerts of those cases in any state."""
    query = select(SupervisionAlert.id, SupervisionAlert.case_id, SupervisionAlert.state, SupervisionAlert.due_on,
                   SupervisionAlert.step, SupervisionAlert.notified_on, SupervisionAlert.raised_on).where(
        SupervisionAlert.rule_id == rule.id)
    query = (query.where(SupervisionAlert.state.in_((OPEN, CLOSED))) if case_ids is None
             else query.where(SupervisionAlert.case_id.in_(case_ids)))
    return [_AlertRow(*row) for row in session.execute(query)]


def _alerts(session: Session, ids: list[int]) -> dict[int, SupervisionAlert]:
    """The alerts to change, loaded in batches."""
    out: dict[int, SupervisionAlert] = {}
    for start in range(0, len(ids), 500):
        out.update((a.id, a) for a in session.scalars(select(SupervisionAlert).where(
            SupervisionAlert.id.in_(ids[start:start + 500]))))
    return out


def _clear(session: Session, rule: SupervisionRule, existing: dict[int, _AlertRow], holding: set[int],
           calendar: WorkCalendar, day: dt.date, result: SweepResult, log: _Log) -> None:
    """Clear the open and closed alerts whose condition no longer holds, with the reason; those found to hold
    outside the candidates' range join `holding`."""
    unmatched = [case_id for case_id, row in existing.items() if row.state in (OPEN, CLOSED) and case_id not in holding]
    timing = rule.active and rule.kind in TIMING_KINDS
    clock_rows = _clock_facts(session, rule, unmatched) if timing else {}
    if not timing:
        _preload(session, unmatched)
    clearing: dict[int, tuple[_Numbered, str]] = {}
    for case_id in unmatched:
        owner = clock_rows.get(case_id) if timing else session.get(Case, case_id)
        if owner is None:
            continue
        if not rule.active:
            reason = "规则已停用"
        elif isinstance(owner, _Open):
            reason = _holds(rule, owner, owner if owner.state else None, calendar, day)
        elif rule.kind == MATERIAL:  # a demand made stays a fact: the alert stays until the rule goes
            reason = "" if checks.in_scope(rule, owner) else "不在规则适用范围内"
        elif rule.kind in checks.KINDS:
            reason = checks.reason(session, rule, owner, calendar, day)
        else:
            reason = _holds(rule, owner, case_clocks.clock(session, owner, _clock_name(rule)), calendar, day)
        if not reason:  # still holds (found outside the candidates' range): keep it open
            holding.add(case_id)
            continue
        clearing[existing[case_id].id] = (owner, reason)
    for alert_id, alert in _alerts(session, list(clearing)).items():
        cleared_case, why = clearing[alert_id]
        alert.state, alert.cleared_at, alert.clear_reason = CLEARED, utcnow(), why
        log.add("alert_clear", cleared_case, reason=why)
        result.cleared.append(alert)


def _escalation_due(rule: SupervisionRule, alert: _AlertRow, calendar: WorkCalendar, day: dt.date) -> bool:
    """The next recipient is told once the alert has stayed open `escalate_days` working days since it was
    raised or since the last notice; one step per sweep, so a rerun on the same day tells no one twice."""
    if rule.action != "notify" or alert.step >= len(rule.recipients):
        return False
    return calendar.working_days_between(alert.notified_on or alert.raised_on, day) >= rule.escalate_days


DIGEST_SHOWN = 20  # case numbers listed in one notice; the rest are counted


def _escalate(session: Session, rule: SupervisionRule, alerts: list[SupervisionAlert], day: dt.date,
              result: SweepResult, log: _Log) -> None:
    """Tell each alert's next recipients. One notice per recipient group (the handlers or the head of one
    department, or the supervisors) and step: about one case it names the case, about several it lists them
    (a bad month must not send each person thousands of messages). Each alert's step is audited on its case."""
    if not alerts:
        return
    cases: dict[int, tuple[str | None, str, int]] = {}
    ids = [a.case_id for a in alerts]
    for start in range(0, len(ids), 500):
        rows = session.execute(select(Case.id, Case.number, Case.item_name, Case.department_id)
                               .where(Case.id.in_(ids[start:start + 500])))
        cases.update((row.id, (row.number, row.item_name, row.department_id)) for row in rows)
    groups: dict[tuple[str, int | None], list[SupervisionAlert]] = {}
    for alert in alerts:
        if alert.case_id not in cases:
            continue
        kind = rule.recipients[alert.step]
        groups.setdefault((kind, None if kind == SUPERVISOR else alert.department_id), []).append(alert)
    names = dict(session.execute(select(Department.id, Department.name)).all())
    for (kind, department_id), members in groups.items():
        recipients = _recipients(session, kind, department_id)
        first = members[0]
        number, title, dept = cases[first.case_id]
        if len(members) == 1:
            notifications.notify(session, template=messages.ALERT_OPEN.code, recipients=recipients, personalisation={
                "level": LEVEL_LABELS[rule.level], "rule": rule.name, "number": number or "", "title": title,
                "department": names.get(dept, ""), "due_on": (first.due_on or day).isoformat(),
                "raised_on": first.raised_on.isoformat()}, reference=number or "", link=f"/cases/{number}")
        else:
            shown = [cases[a.case_id][0] or "" for a in members[:DIGEST_SHOWN]]
            rest = f"等 {len(members)} 件" if len(members) > DIGEST_SHOWN else f"共 {len(members)} 件"
            notifications.notify(session, template=messages.ALERT_DIGEST.code, recipients=recipients,
                                 personalisation={"level": LEVEL_LABELS[rule.level], "rule": rule.name,
                                                  "count": len(members), "numbers": "、".join(shown) + rest,
                                                  "department": names.get(department_id, "") if department_id
                                                  else "各部门"},
                                 reference=rule.code, link="/supervision/board")
        people = [u.display_name for u in recipients]
        for alert in members:
            alert.step += 1
            alert.notified_on = day
            log.add("alert_escalate", _Ref(alert.case_id, cases[alert.case_id][0]), step=alert.step,
                    recipient=RECIPIENT_LABELS[kind], people=people)
            result.notified.append((alert, kind))


def _recipients(session: Session, kind: str, department_id: int | None) -> list[User]:
    if kind == HANDLER and department_id is not None:
        return notifications.department_staff(session, department_id, roles=HANDLER_ROLES)
    if kind == DEPT_ADMIN and department_id is not None:
        return notifications.department_staff(session, department_id, roles=("dept_admin",))
    assert kind == SUPERVISOR
    return list(session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
        User.kind == "staff", User.status == "active", UserRole.role == "supervisor").order_by(User.id).distinct()))
