"""Read models of the 好差评 pages (one per page)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.cases.models import STATUS_LABELS, Case
from tongban.errors import NotFound
from tongban.org.models import Department
from tongban.ratings import service, standard
from tongban.ratings.schemas import RatingRead


@dataclass
class RatePage:
    """The applicant's rating page of one of their cases (phone first)."""

    case_number: str
    item_name: str
    department_name: str
    status_label: str
    result_ready: bool  # the case has its result: it may be rated
    ratings: list[RatingRead] = field(default_factory=list)
    can_rate_online: bool = False
    levels: dict[int, str] = field(default_factory=lambda: standard.LEVELS)
    bad_levels: frozenset[int] = standard.BAD_LEVELS
    tags: dict[str, str] = field(default_factory=lambda: standard.BAD_TAGS[standard.ONLINE])
    text_max: int = standard.TEXT_MAX


def rate_page(session: Session, actor: Actor, case_number: str) -> RatePage:
    case = session.execute(select(Case).where(Case.number == case_number)).scalar_one_or_none()
    if case is None or actor.kind not in ("citizen", "enterprise") or case.applicant_user_id != actor.id:
        raise NotFound("办件不存在，或不是您本人的办件。", code="case_not_found")
    department = session.get(Department, case.department_id)
    ratings = [service.rating_read(session, actor, r) for r in service.case_ratings(session, actor, case)]
    ready = service.may_rate(case)
    return RatePage(case_number=case_number, item_name=case.item_name,
                    department_name=department.name if department is not None else "",
                    status_label=STATUS_LABELS.get(case.status, case.status), result_ready=ready, ratings=ratings,
                    can_rate_online=ready and not any(r.channel == standard.ONLINE for r in ratings))
