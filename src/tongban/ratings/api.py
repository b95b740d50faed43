"""JSON API of 好差评: the applicant rates and adds; the rated department follows bad ratings up; the supervisor
decides appeals. Ratings are answered only to their applicant, the rated department and the supervisor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import error_responses
from tongban.ratings import service, standard
from tongban.ratings.models import FOLLOW_UP_LABELS
from tongban.ratings.schemas import (
    Appeal,
    AppealDecision,
    CallBack,
    Explanation,
    Notice,
    RatingAddition,
    RatingCreate,
    RatingRead,
    Rectified,
    RectifyPlan,
    StandardRead,
    Verification,
)

router = secure_router(prefix="/api/v1/ratings", tags=["好差评"])
Number = Annotated[str, Path(min_length=1, max_length=24, description="评价编号，如 PJ2026120400001")]
_STATUS_HELP = "差评整改状态：" + "，".join(f"{k} {v}" for k, v in FOLLOW_UP_LABELS.items())


@router.get("/standard", response_model=StandardRead, summary="评价等级与差评选项（国家好差评评价内容标准）")
def get_standard() -> StandardRead:
    return StandardRead(levels=standard.LEVELS, bad_levels=sorted(standard.BAD_LEVELS), channels=standard.CHANNELS,
                        tags=standard.BAD_TAGS, tag_version=standard.TAG_VERSION)


@router.get("", response_model=list[RatingRead], summary="评价列表（本人的、本部门的，或监察人员看全部）",
            responses=error_responses(403))
def list_ratings(
    session: DbSession, actor: CurrentActor,
    bad_only: Annotated[bool, Query(description="只看差评（不满意、非常不满意）")] = False,
    follow_up_status: Annotated[str | None, Query(max_length=16, description=_STATUS_HELP)] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[RatingRead]:
    rows = service.list_ratings(session=session, actor=actor, bad_only=bad_only, follow_up_status=follow_up_status,
                                limit=size, offset=(page - 1) * size)
    return [service.rating_read(session, actor, r) for r in rows]


@router.post("", response_model=RatingRead, status_code=201, summary="评价办件（办结后，本人，每个渠道一次）",
             responses=error_responses(404, 409))
def rate(body: RatingCreate, session: DbSession, actor: CurrentActor) -> RatingRead:
    return service.rating_read(session, actor, service.rate(session=session, actor=actor, rating_in=body))


@router.get("/{number}", response_model=RatingRead, summary="评价详情", responses=error_responses(404))
def get_rating(number: Number, session: DbSession, actor: CurrentActor) -> RatingRead:
    return service.rating_read(session, actor, service.get_rating(session=session, actor=actor, number=number))


@router.post("/{number}/addition", response_model=RatingRead, summary="补充评价（评价人本人，一次）",
             responses=error_responses(403, 404, 409))
def add(number: Number, body: RatingAddition, session: DbSession, actor: CurrentActor) -> RatingRead:
    rating = service.add_to_rating(session=session, actor=actor, number=number, addition=body)
    return service.rating_read(session, actor, rating)


@router.post("/{number}/callback", response_model=RatingRead, summary="差评回访（承办部门）",
             responses=error_responses(403, 404, 409))
def call_back(number: Number, body: CallBack, session: DbSession, actor: CurrentActor) -> RatingRead:
    return service.rating_read(session, actor, service.call_back(session=session, actor=actor, number=number,
                                                                 callback=body))


@router.post("/{number}/verification", response_model=RatingRead, summary="差评核实（承办部门，回访之后）",
             responses=error_responses(403, 404, 409))
def verify(number: Number, body: Verification, session: DbSession, actor: CurrentActor) -> RatingRead:
    return service.rating_read(session, actor, service.verify(session=session, actor=actor, number=number,
                                                              verification=body))


@router.post("/{number}/rectification", response_model=RatingRead,
             summary="限期整改（承办部门，核实之后；期限按工作日计算，5 至 15 个）",
             responses=error_responses(403, 404, 409))
def plan_rectification(number: Number, body: RectifyPlan, session: DbSession, actor: CurrentActor) -> RatingRead:
    return service.rating_read(session, actor, service.plan_rectification(session=session, actor=actor,
                                                                          number=number, plan=body))


@router.post("/{number}/rectification/done", response_model=RatingRead, summary="整改完成（承办部门）",
             responses=error_responses(403, 404, 409))
def rectified(number: Number, body: Rectified, session: DbSession, actor: CurrentActor) -> RatingRead:
    return service.rating_read(session, actor, service.complete_rectification(session=session, actor=actor,
                                                                              number=number, done=body))


@router.post("/{number}/explanation", response_model=RatingRead, summary="情况说明（无需整改时，承办部门）",
             responses=error_responses(403, 404, 409))
def explain(number: Number, body: Explanation, session: DbSession, actor: CurrentActor) -> RatingRead:
    return service.rating_read(session, actor, service.explain(session=session, actor=actor, number=number,
                                                               explanation=body))


@router.post("/{number}/notice", response_model=RatingRead, summary="告知申请人处理结果（承办部门）",
             responses=error_responses(403, 404, 409))
def notify(number: Number, body: Notice, session: DbSession, actor: CurrentActor) -> RatingRead:
    return service.rating_read(session, actor, service.notify_applicant(session=session, actor=actor, number=number,
                                                                        notice=body))


@router.post("/{number}/appeal", response_model=RatingRead, summary="申诉复核（承办部门认为评价与服务无关）",
             responses=error_responses(403, 404, 409))
def appeal(number: Number, body: Appeal, session: DbSession, actor: CurrentActor) -> RatingRead:
    return service.rating_read(session, actor, service.appeal(session=session, actor=actor, number=number,
                                                              appeal_in=body))


@router.post("/{number}/appeal/decision", response_model=RatingRead, summary="复核决定（监察人员：作废或维持）",
             responses=error_responses(403, 404, 409))
def decide_appeal(number: Number, body: AppealDecision, session: DbSession, actor: CurrentActor) -> RatingRead:
    return service.rating_read(session, actor, service.decide_appeal(session=session, actor=actor, number=number,
                                                                     decision=body))
