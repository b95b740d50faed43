"""The demo's 好差评, 电子监察 and indicators: two ratings of finished demo cases (a good one, and a bad one the
AMR has called back, for the visitor to verify, rectify and tell), the 电子监察 sweep run once (the overdue demo
case turns red on the board), and the indicators rolled up — so the supervisor's board, the 好差评 pages and the
dashboard show something on the first `make run`, before the jobs' own schedules come round."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban import clock
from tongban.authz import Actor
from tongban.demo import city
from tongban.indicators import rollup
from tongban.org.auth import user_actor
from tongban.org.models import User
from tongban.ratings import service as ratings
from tongban.ratings.models import Rating
from tongban.ratings.schemas import CallBack, RatingCreate
from tongban.supervision import service as supervision


@dataclass
class OversightSummary:
    ratings: list[str] = field(default_factory=list)  # 评价编号
    alerts_raised: int = 0


def _actor(session: Session, login: str) -> Actor:
    user = session.scalars(select(User).where(User.username == login)).one()
    return user_actor(user, client_ip="127.0.0.1")


def load(session: Session, cases: dict[str, str]) -> OversightSummary:
    """`cases`: demo state → 办件编号 (cases_loader: the approved case is the 4th demo enterprise's, the refused
    one the 8th's)."""
    summary = OversightSummary()
    if session.execute(select(Rating.id).limit(1)).first() is not None:
        return summary
    good = ratings.rate(session=session, actor=_actor(session, city.ENTERPRISES[4].uscc), rating_in=RatingCreate(
        case_number=cases["approved"], level=5,
        text="补正一次说清楚，国庆假期后很快就办好了，营业执照直接进了我的证照。"))
    bad = ratings.rate(session=session, actor=_actor(session, city.ENTERPRISES[8].uscc), rating_in=RatingCreate(
        case_number=cases["refused"], level=1, tags=["XS01"],
        text="现场核查等了一周多，不予许可的理由事先没有人讲清楚。"))
    ratings.call_back(session=session, actor=_actor(session, "amr_clerk"), number=bad.number, callback=CallBack(
        called_at=dt.datetime.now(clock.BEIJING).replace(microsecond=0, second=0),
        note="已电话回访申请人，解释了现场核查的要求和整改后可重新申请，申请人表示理解，但对等待时间仍不满意。"))
    summary.ratings = [good.number, bad.number]
    summary.alerts_raised = len(supervision.sweep(session=session).raised)
    rollup.refresh(session)
    return summary
