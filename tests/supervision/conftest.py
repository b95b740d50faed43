"""An accepted 承诺件 (promised 5 working days, legal 20) of the cases' small city, and no seeded rules: each
test states the rules it applies."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from tests.cases.conftest import CasesWorld, world  # noqa: F401  (the cases' fixture, reused)
from tests.cases.test_lifecycle import _submitted
from tongban import clock as beijing
from tongban.cases import handling
from tongban.cases.models import Case
from tongban.supervision.models import SupervisionRule
from tongban.supervision.schemas import RuleIn

ACCEPTED_ON = dt.date(2026, 11, 2)  # a Monday: promised due 9 Nov, legal due 30 Nov


@pytest.fixture
def no_rules(session: Session) -> None:
    session.execute(delete(SupervisionRule))
    session.commit()


@pytest.fixture
def case(session: Session, world: CasesWorld, no_rules: None) -> Case:  # noqa: F811
    with beijing.frozen(ACCEPTED_ON):
        made = _submitted(session, world).case
        handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=made.id)
    session.commit()
    assert (made.promised_due_on, made.legal_due_on) == (dt.date(2026, 11, 9), dt.date(2026, 11, 30))
    return made


def rule(code: str, kind: str, level: str, **more: object) -> RuleIn:
    base: dict[str, object] = {"code": code, "name": f"规则{code}", "kind": kind, "level": level, "days": 0,
                               "recipients": ["handler", "dept_admin", "supervisor"], "escalate_days": 1}
    base.update(more)
    return RuleIn.model_validate(base)
