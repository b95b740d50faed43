"""电子监察's 流程 and 收费 checks: which cases a rule of those types matches, and whether one still does.

The sweep (service.sweep) raises, clears and escalates the alerts exactly as for the 时效 and 材料 rules; this
module only says what matches. Every check starts from an index (the recent fee records, the recently decided
or deemed-accepted cases, the running 送达 clocks past due), never from all the cases; a case found once stays
judged through its open alert (`reason`), however old.

收费 (kind "fee"): a case whose recorded fees (cases/fees.py: charges minus refunds) total differently from the
fee standard in its snapshot — a charge on a 不收费 item, or another amount than a fixed fee. Decisions:
- a case with no fee record is not judged: the fee may not be due yet, or may be taken by another system;
- a standard that is not one fixed amount (NULL: "住宅每件80元，非住宅每件550元") is not judged at all, since
  no total is right or wrong by the list alone; the fee sheet still shows every record to the supervisor;
- it clears when a correcting record (a refund) makes the total equal to the standard.

流程: the case state machine and the BPMN processes already enforce the order of the steps (受理 before 审查
before 决定; 送达 only of a decision; the milestones are stamped by the server at each transition, so they
cannot be out of order, and no API or import writes them). What can really happen, and what a supervisor
checks, is:
- "process_deemed" 逾期未受理（视为受理）: the department neither accepted nor told the applicant of 补正 within
  five working days, and the platform deemed the case accepted (行政许可法 Art. 32) — the acceptance step was
  skipped. A fact of the past: the alert stays until the supervisor's rule no longer covers it;
- "process_separation" 审查与决定未分离: in a 承诺件 (the "promised" process), the same person reviewed and
  decided (审批分离). The roles allow it (both tasks are the reviewer role's), the local rules of separation do
  not. Likewise 受理 and 决定 by one person (受审分离), possible for someone holding both the window and the
  reviewer role. 即办件 are accepted and decided at once by design and 联合审批 decide per department, so
  neither is judged;
- "process_delivery" 决定后逾期未送达: the decision (or 办结) was made but the result has not been served
  within the ten working days of Art. 44 — 办结 does not require 送达, so the step can be skipped; the rule's
  `days` are the working days allowed past the 送达 deadline. It clears when the result is served.
- "process" applies all three; the alert's facts name the ones that hold.
Not checked: decisions without a review step (the promised process cannot skip it; cases run as 即办 are those
whose guide says 即办 or promises 0 days) and milestones out of order (impossible, as above).

The checks look back `LOOKBACK_DAYS` for newly decided or deemed-accepted cases and newly recorded fees: a sweep
runs every working day, so a month covers any pause; a rule created later does not reach further back.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, TypeVarTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tongban.cases import common as case_common
from tongban.cases import fees
from tongban.cases.models import CLOSED, DECIDED, Case, CaseEvent, CaseFee
from tongban.items.schemas import fee_standard
from tongban.supervision.models import (
    DEPARTMENT,
    FEE,
    ITEM,
    PROCESS,
    PROCESS_DEEMED,
    PROCESS_DELIVERY,
    PROCESS_KINDS,
    PROCESS_SEPARATION,
    SupervisionRule,
)
from tongban.workdays import clocks
from tongban.workdays.models import LegalClock
from tongban.workdays.service import WorkCalendar

KINDS = (FEE, *PROCESS_KINDS)
LOOKBACK_DAYS = 31
BATCH = 500
CHECK_LABELS = {PROCESS_DEEMED: "逾期未受理，视为受理", PROCESS_SEPARATION: "审查与决定未分离",
                PROCESS_DELIVERY: "决定后逾期未送达"}
CHECKS_OF = {PROCESS: (PROCESS_DEEMED, PROCESS_SEPARATION, PROCESS_DELIVERY), PROCESS_DEEMED: (PROCESS_DEEMED,),
             PROCESS_SEPARATION: (PROCESS_SEPARATION,), PROCESS_DELIVERY: (PROCESS_DELIVERY,)}
#: The steps whose actors must differ in a 承诺件: (first, then, what the rule of separation is called). 受理
#: takes the window role and 决定 the reviewer's, but one person may hold both (cases.common.participant).
SEPARATED = (("accept", "decide", "受理与决定为同一人（受审分离）"),
             ("review", "decide", "审查与决定为同一人（审批分离）"))
SEPARATED_STEPS = sorted({step for first, then, _label in SEPARATED for step in (first, then)})

Match = tuple[Case, dt.date | None, dict[str, object]]
_Cols = TypeVarTuple("_Cols")


class Scoped(Protocol):
    """What a rule's scope reads of a case (a Case, or the columns the sweep selected)."""

    @property
    def department_id(self) -> int: ...
    @property
    def item_code(self) -> str: ...


def in_scope(rule: SupervisionRule, case: Scoped) -> bool:
    if rule.scope == DEPARTMENT:
        return case.department_id == rule.department_id
    if rule.scope == ITEM:
        return case.item_code == rule.item_code
    return True


def scoped(query: Select[*_Cols], rule: SupervisionRule) -> Select[*_Cols]:
    """The query narrowed to the rule's department or item (a query over cases)."""
    if rule.scope == DEPARTMENT:
        return query.where(Case.department_id == rule.department_id)
    if rule.scope == ITEM:
        return query.where(Case.item_code == rule.item_code)
    return query


def _since(day: dt.date) -> dt.datetime:
    """The start of the look-back, as the naive UTC the timestamps are stored in (a few hours' slack is fine)."""
    return dt.datetime.combine(day - dt.timedelta(days=LOOKBACK_DAYS), dt.time())


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + BATCH] for i in range(0, len(ids), BATCH)]


# ---------------------------------------------------------------- 收费


def _fee_facts(case: Case, total: int, count: int) -> dict[str, object] | None:
    standard = fee_standard(case.snapshot or {})
    if not fees.differs(standard, total, count):
        return None
    return {"standard": fees.standard_label(standard), "total": f"{fees.yuan(total)} 元", "records": count}


def fee_matches(session: Session, rule: SupervisionRule, day: dt.date) -> list[Match]:
    """The cases with a fee recorded in the look-back whose total differs from their fixed standard."""
    ids = sorted({int(i) for i in session.scalars(select(CaseFee.case_id).where(CaseFee.recorded_at >= _since(day))
                                                  .distinct())})
    found: list[Match] = []
    for chunk in _chunks(ids):
        sums = fees.totals(session, chunk)
        for case in session.scalars(scoped(select(Case).where(Case.id.in_(chunk)), rule).order_by(Case.id)):
            facts = _fee_facts(case, *sums.get(case.id, (0, 0)))
            if facts is not None:
                found.append((case, None, facts))
    return found


# ---------------------------------------------------------------- 流程


def _separation(session: Session, cases: list[Case]) -> dict[int, list[str]]:
    """The rules of separation each 承诺件 broke, by case id (from the timeline's accept/review/decide lines)."""
    out: dict[int, list[str]] = {}
    for chunk in _chunks([c.id for c in cases]):
        actors: dict[int, dict[str, set[int]]] = {}
        for case_id, action, actor_id in session.execute(
                select(CaseEvent.case_id, CaseEvent.action, CaseEvent.actor_id).where(
                    CaseEvent.case_id.in_(chunk), CaseEvent.action.in_(SEPARATED_STEPS),
                    CaseEvent.actor_kind == "staff", CaseEvent.actor_id.is_not(None))):
            actors.setdefault(int(case_id), {}).setdefault(action, set()).add(int(actor_id or 0))
        for case_id, steps in actors.items():
            broken = [label for first, then, label in SEPARATED if steps.get(first, set()) & steps.get(then, set())]
            if broken:
                out[case_id] = broken
    return out


def _late_delivery(clock: LegalClock | None, rule: SupervisionRule, calendar: WorkCalendar, day: dt.date) -> bool:
    return (clock is not None and clock.state == clocks.RUNNING and clock.due_on is not None and day > clock.due_on
            and calendar.working_days_between(clock.due_on, day) >= (rule.days or 0))


def process_matches(session: Session, rule: SupervisionRule, calendar: WorkCalendar, day: dt.date) -> list[Match]:
    """The cases on which one of the rule's 流程 checks holds; the facts name the checks (and the 送达 due day)."""
    checks = CHECKS_OF[rule.kind]
    found: dict[int, tuple[Case, dt.date | None, list[str]]] = {}

    def add(case: Case, what: str, due: dt.date | None = None) -> None:
        _case, was_due, names = found.get(case.id, (case, None, []))
        found[case.id] = (case, due or was_due, [*names, what])

    if PROCESS_DEEMED in checks:
        for case in session.scalars(scoped(select(Case).where(
                Case.deemed_accepted.is_(True), Case.accepted_at >= _since(day)), rule).order_by(Case.id)):
            add(case, CHECK_LABELS[PROCESS_DEEMED])
    if PROCESS_SEPARATION in checks:
        decided = list(session.scalars(scoped(select(Case).where(
            Case.decided_at >= _since(day), Case.process_key == "promised"), rule).order_by(Case.id)))
        broken = _separation(session, decided)
        for case in decided:
            for label in broken.get(case.id, []):
                add(case, label)
    if PROCESS_DELIVERY in checks:
        query = (select(Case, LegalClock).join(LegalClock, LegalClock.owner_id == Case.id)
                 .where(LegalClock.owner_type == case_common.OWNER, LegalClock.name == case_common.DELIVERY,
                        LegalClock.state == clocks.RUNNING, LegalClock.due_on < day,
                        Case.status.in_((DECIDED, CLOSED))))
        if rule.scope == DEPARTMENT:
            query = query.where(Case.department_id == rule.department_id)
        elif rule.scope == ITEM:
            query = query.where(Case.item_code == rule.item_code)
        for case, clock in session.execute(query.order_by(Case.id)).all():
            if _late_delivery(clock, rule, calendar, day):
                add(case, CHECK_LABELS[PROCESS_DELIVERY], clock.due_on)
    return [(case, due, {"checks": names, **({"delivery_due_on": due.isoformat()} if due else {})})
            for _id, (case, due, names) in sorted(found.items())]


def _process_holds(session: Session, rule: SupervisionRule, case: Case, calendar: WorkCalendar,
                   day: dt.date) -> bool:
    checks = CHECKS_OF[rule.kind]
    if PROCESS_DEEMED in checks and case.deemed_accepted:
        return True
    if PROCESS_SEPARATION in checks and case.process_key == "promised" and _separation(session, [case]):
        return True
    return PROCESS_DELIVERY in checks and case.status in (DECIDED, CLOSED) and _late_delivery(
        case_common.clock(session, case, case_common.DELIVERY), rule, calendar, day)


# ---------------------------------------------------------------- the sweep's two questions


def matches(session: Session, rule: SupervisionRule, calendar: WorkCalendar, day: dt.date) -> list[Match]:
    """The cases the rule (收费 or 流程) matches on `day`: (case, due day shown on the alert, facts)."""
    if rule.kind == FEE:
        return fee_matches(session, rule, day)
    return process_matches(session, rule, calendar, day)


def reason(session: Session, rule: SupervisionRule, case: Case, calendar: WorkCalendar, day: dt.date) -> str:
    """'' while the rule still holds on the case (found outside the look-back), else why its alert clears."""
    if not in_scope(rule, case):
        return "不在规则适用范围内"
    if rule.kind == FEE:
        total, count = fees.totals(session, [case.id]).get(case.id, (0, 0))
        return "" if _fee_facts(case, total, count) is not None else "收费已与收费标准一致"
    if _process_holds(session, rule, case, calendar, day):
        return ""
    return "已送达" if rule.kind == PROCESS_DELIVERY else "流程问题已不存在"
