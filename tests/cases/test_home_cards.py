"""The handler's home-page figures (cases.staff_queries.home_cards): 办件临近期限 and 办件已逾期 come from one
statement (issue 16); they must equal the plain per-figure counts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from tests.factories import actor_of, card_reads, on_own_loop
from tongban.cases import common
from tongban.cases.models import OPEN, SUBMITTED, Case
from tongban.cases.staff_queries import home_cards
from tongban.clock import today
from tongban.demo.loader import DemoSummary
from tongban.org.models import User
from tongban.workdays import clocks
from tongban.workdays.models import LegalClock
from tongban.workflow.models import WorkflowInstance, WorkflowTask


def _plain(session: Session, dept: int, *conds: object) -> int:
    running = and_(LegalClock.owner_type == common.OWNER, LegalClock.owner_id == Case.id,
                   LegalClock.state == clocks.RUNNING, LegalClock.name != common.DELIVERY)
    return int(session.execute(select(func.count(func.distinct(Case.id))).select_from(Case).join(LegalClock, running)
                               .where(Case.department_id == dept, Case.status.in_(OPEN), *conds)).scalar_one())  # type: ignore[arg-type]


def test_near_and_overdue_in_one_statement_equal_the_plain_counts(demo: DemoSummary, session: Session) -> None:
    day = today()
    # One running clock overdue and one near its deadline in each department that has any.
    clock_ids = list(session.execute(select(LegalClock.id).where(LegalClock.owner_type == common.OWNER,
                                                                 LegalClock.state == clocks.RUNNING)).scalars())
    assert len(clock_ids) >= 2
    session.execute(update(LegalClock).where(LegalClock.id == clock_ids[0])
                    .values(warn_on=day - dt.timedelta(days=9), due_on=day - dt.timedelta(days=3)))
    session.execute(update(LegalClock).where(LegalClock.id == clock_ids[1])
                    .values(warn_on=day - dt.timedelta(days=1), due_on=day + dt.timedelta(days=2)))
    session.commit()
    checked = tasks_seen = 0
    reads = card_reads(session)
    for username in ("amr_clerk", "amr_reviewer", "hrss_clerk", "civil_clerk", "bdc_clerk"):
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            continue
        actor = actor_of(user)
        cards = {c["label"]: c["value"] for c in on_own_loop(lambda: home_cards(reads, actor))}
        if not cards:
            continue
        dept = user.department_id
        assert cards["办件已逾期"] == _plain(session, dept, LegalClock.due_on < day), username
        assert cards["办件临近期限"] == _plain(session, dept, LegalClock.warn_on <= day, LegalClock.due_on >= day), username
        checked += cards["办件已逾期"] + cards["办件临近期限"]
        # The queue and the tasks (written as text for the event loop) against the ORM's counts.
        assert cards["待受理办件"] == session.execute(select(func.count()).select_from(Case).where(
            Case.department_id == dept, Case.status == SUBMITTED)).scalar_one(), username
        assert cards["我的待办"] == session.execute(
            select(func.count()).select_from(WorkflowTask)
            .join(WorkflowInstance, WorkflowInstance.id == WorkflowTask.instance_id)
            .join(Case, Case.workflow_instance_id == WorkflowInstance.id)
            .where(WorkflowTask.department_id == dept, WorkflowTask.role.in_(sorted(actor.roles)),
                   Case.status.in_(OPEN))).scalar_one(), username
        tasks_seen += cards["我的待办"] + cards["待受理办件"]
    assert checked > 0 and tasks_seen > 0
