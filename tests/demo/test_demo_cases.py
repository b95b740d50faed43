"""The demo's cases: every state of a case's life, unique numbers, and the decided case's licence delivered."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.cases import handling, queries
from tongban.cases.models import Case, CaseEvent
from tongban.cases.schemas import Decision
from tongban.demo.loader import DemoSummary
from tongban.licences import queries as licence_queries
from tongban.licences.models import Licence
from tongban.org.auth import user_actor
from tongban.org.models import User


def _actor(session: Session, user_id: int) -> Actor:
    return user_actor(session.get(User, user_id), client_ip="127.0.0.1")  # type: ignore[arg-type]


def test_demo_cases_cover_every_state_with_unique_numbers_and_a_delivered_licence(demo: DemoSummary, session: Session) -> None:
    summary = demo
    by_number = {c.number: c for c in session.scalars(select(Case).where(Case.number.is_not(None)))}
    statuses = {c.status for c in session.scalars(select(Case))}
    assert {"draft", "submitted", "supplement", "accepted", "reviewed", "decided", "delivered", "withdrawn",
            "rejected"} <= statuses
    numbers = session.scalars(select(Case.number).where(Case.number.is_not(None))).all()
    assert len(numbers) == len(set(numbers)) == session.scalar(
        select(func.count()).select_from(Case).where(Case.number.is_not(None)))
    cases = {state: by_number[number] for state, number in summary.cases.items() if number}
    assert set(summary.cases) == {"draft", "submitted", "accepted", "supplement", "approved", "reviewed",
                                  "suspended", "overdue", "refused", "withdrawn", "rejected", "bundle"}

    # 准予: the 营业执照 issued from the case is in the applicant's 我的证照, and the case was delivered.
    approved = cases["approved"]
    assert (approved.status, approved.decision) == ("delivered", "approve")
    holder = _actor(session, approved.applicant_user_id)
    mine = licence_queries.my_licences(session=session, actor=holder)
    assert approved.licence_id in [lic.id for lic in mine]
    licence = session.get(Licence, approved.licence_id)
    assert licence is not None and (licence.type.name, licence.holder_code) == ("营业执照", approved.applicant_code)

    # It went through 补正 across the 2026 National Day week: submitted 28 September, then the one notice,
    # the supplement, 受理 and the decision.
    actions = list(session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == approved.id)
                                   .order_by(CaseEvent.id)))
    steps = [a for a in actions if a in ("submit", "request_supplement", "supplement", "accept", "opinion")]
    assert steps[:4] == ["submit", "request_supplement", "supplement", "accept"]
    assert approved.number.startswith("BJ20260928")  # type: ignore[union-attr]

    assert (cases["refused"].status, cases["refused"].decision) == ("decided", "refuse")
    assert cases["refused"].reason and "行政复议" in cases["refused"].remedies
    assert cases["rejected"].status == "rejected" and cases["rejected"].reason
    assert cases["withdrawn"].status == "withdrawn"
    assert cases["supplement"].status == "supplement" and cases["supplement"].supplement_notice
    assert cases["suspended"].suspended_reason == "专家评审"
    assert cases["reviewed"].status == "reviewed"

    # The overdue case shows as such to the clerk of its department.
    overdue = cases["overdue"]
    clerk = user_actor(session.scalar(select(User).where(User.username == "amr_clerk")), client_ip="127.0.0.1")  # type: ignore[arg-type]
    detail = queries.case_detail(session, clerk, overdue.id)
    assert detail.summary.overdue

    # The bundle (企业开办一件事) runs as parallel sub-cases in five departments (at least three); the tax
    # bureau has decided, the others have not, and each open one is in its own department's task list.
    bundle = cases["bundle"]
    subs = session.scalars(select(Case).where(Case.parent_id == bundle.id).order_by(Case.id)).all()
    assert len(subs) >= 3 and len({s.department_id for s in subs}) == len(subs)
    assert bundle.process_key == "joint" and [s.lane for s in subs] == ["a", "b", "c", "d", "e"][:len(subs)]
    assert bundle.snapshot["joint_policy"] == "all_must_decide"
    tax = session.scalar(select(User).where(User.username == "tax_reviewer"))
    assert [(s.department_id == tax.department_id, s.decision) for s in subs if s.decision] == [(True, "approve")]
    assert bundle.status == "accepted" and {s.status for s in subs if not s.decision} == {"accepted"}
    open_subs = [s.id for s in subs if not s.decision]
    for username in ("amr_reviewer", "psb_reviewer", "hpf_reviewer", "si_reviewer"):
        reviewer = user_actor(session.scalar(select(User).where(User.username == username)), client_ip="127.0.0.1")  # type: ignore[arg-type]
        [mine] = [s for s in subs if s.department_id == reviewer.department_id]
        assert mine.number in [t.case.number for t in queries.task_list(session, reviewer)]

    # The submitted case waits in the clerk's queue; the accepted ones are in the reviewer's task list.
    assert cases["submitted"].number in [c.number for c in queries.clerk_queue(session, clerk).items]
    reviewer = user_actor(session.scalar(select(User).where(User.username == "amr_reviewer")),  # type: ignore[arg-type]
                          client_ip="127.0.0.1")
    tasks = {t.case.number for t in queries.task_list(session, reviewer)}
    assert {cases["accepted"].number, cases["overdue"].number} <= tasks
    assert all(c.submitted_at is None or c.submitted_at.date() <= dt.date.today() + dt.timedelta(days=1)
               for c in cases.values())

    # Every department of the bundle has demo staff who can finish it by hand: each open sub-case decided by
    # its department's reviewer, the joint case is decided with every member's result.
    for sub_id in open_subs:
        sub = session.get(Case, sub_id)
        assert sub is not None
        reviewer_user = session.scalar(select(User).where(User.department_id == sub.department_id,
                                                          User.username.like("%_reviewer")))
        assert reviewer_user is not None, f"no demo reviewer in the department of {sub.number}"
        handling.decide(session=session, actor=user_actor(reviewer_user, client_ip="127.0.0.1"), case_id=sub_id,
                        decision=Decision(decision="approve"))
    session.expire_all()
    assert session.get(Case, bundle.id).decision == "approve"  # type: ignore[union-attr]


def test_the_demo_has_ratings_a_called_back_bad_one_an_overdue_alert_and_indicators(demo: DemoSummary,
                                                                                       session: Session) -> None:
    from tongban.indicators.models import IndicatorDaily
    from tongban.ratings.models import Rating, RatingFollowUp
    from tongban.supervision.models import SupervisionAlert

    rated = {r.case_number: r for r in session.scalars(select(Rating).where(Rating.number.in_(demo.ratings)))}
    assert (rated[demo.cases["approved"]].level, rated[demo.cases["refused"]].level) == (5, 1)
    follow = session.scalars(select(RatingFollowUp).where(
        RatingFollowUp.rating_id == rated[demo.cases["refused"]].id)).one()
    assert follow.status == "called_back" and follow.callback_note
    overdue = session.scalars(select(Case).where(Case.number == demo.cases["overdue"])).one()
    levels = set(session.scalars(select(SupervisionAlert.level).where(SupervisionAlert.case_id == overdue.id,
                                                                      SupervisionAlert.state == "open")))
    assert "red" in levels
    assert session.scalar(select(func.sum(IndicatorDaily.ratings))) == 2
    assert (session.scalar(select(func.sum(IndicatorDaily.cases_decided))) or 0) >= 2
