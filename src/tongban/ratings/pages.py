"""好差评 pages: the applicant's rating page (phone first, add to a rating once); the rated department's list and
rating page with the follow-up forms in state order; the supervisor's appeals page and trail; the public figures.

GET renders queries.rate_page; each POST calls one use-case; a failed form is shown again with what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from tongban.deps import CurrentActor, DbSession, public_router, secure_router
from tongban.errors import DomainError
from tongban.ratings import queries, service
from tongban.ratings.schemas import (
    Appeal,
    AppealDecision,
    CallBack,
    Explanation,
    Notice,
    RatingAddition,
    RatingCreate,
    Rectified,
    RectifyPlan,
    Verification,
)
from tongban.web.forms import Form, failure_of, form_text, redirect_with_notice, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)
CaseNumber = Annotated[str, Path(min_length=1, max_length=24)]
NAMES = {"level": "评价等级", "tags": "不满意的原因", "text": "评价内容"}


def _ctx(request: Request, **extra: Any) -> dict[str, Any]:
    return {"notice": request.query_params.get("notice"), "typed": {}, **extra}


@router.get("/my/ratings/{case_number}", response_class=HTMLResponse)
def rate_page(request: Request, case_number: CaseNumber, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "ratings/rate.html", _ctx(request, view=queries.rate_page(session, actor, case_number)))


@router.post("/my/ratings/{case_number}", response_class=HTMLResponse)
def rate(request: Request, case_number: CaseNumber, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    typed = {"level": form_text(form, "level"), "text": form_text(form, "text"),
             "tags": [str(t) for t in form.getlist("tags")]}
    try:
        service.rate(session=session, actor=actor, rating_in=RatingCreate.model_validate(
            {"case_number": case_number, "channel": "online", "level": typed["level"] or 0, "tags": typed["tags"],
             "text": typed["text"]}))
    except (DomainError, ValueError) as exc:
        return rerender(request, "ratings/rate.html",
                        _ctx(request, view=queries.rate_page(session, actor, case_number), typed=typed),
                        failure_of(exc, NAMES, form_id="rate"))
    return redirect_with_notice(f"/my/ratings/{case_number}", "感谢您的评价。")


@router.post("/my/ratings/{case_number}/{number}/addition", response_class=HTMLResponse)
def add(request: Request, case_number: CaseNumber, number: CaseNumber, session: DbSession, actor: CurrentActor,
        form: Form) -> Response:
    try:
        service.add_to_rating(session=session, actor=actor, number=number,
                              addition=RatingAddition(text=form_text(form, "addition")))
    except (DomainError, ValueError) as exc:
        return rerender(request, "ratings/rate.html",
                        _ctx(request, view=queries.rate_page(session, actor, case_number),
                             typed={"addition": form_text(form, "addition")}),
                        failure_of(exc, {"text": "补充评价"}, form_id=number))
    return redirect_with_notice(f"/my/ratings/{case_number}", "补充评价已提交。")


# ---------------------------------------------------------------- the department's and the supervisor's pages

RatingNumber = Annotated[str, Path(min_length=1, max_length=24)]
RATING_TEMPLATE = "ratings/rating.html"
FIELD_NAMES = {"called_at": "回访时间", "note": "情况", "plan": "整改措施", "days": "整改期限（工作日）",
               "text": "内容", "reason": "申诉理由", "decision": "复核决定"}


@router.get("/ratings", response_class=HTMLResponse)
def ratings_list(request: Request, session: DbSession, actor: CurrentActor, bad: bool = False, status: str = "",
                 overdue: bool = False, page: Annotated[int, Query(ge=1, le=10000)] = 1) -> Response:
    view = queries.list_page(session, actor, bad_only=bad, status=status[:16], overdue=overdue, page=page)
    return render(request, "ratings/list.html", _ctx(request, view=view))


@router.get("/ratings/appeals", response_class=HTMLResponse)
def appeals(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "ratings/appeals.html", _ctx(request, view=queries.appeals_page(session, actor)))


@router.get("/ratings/{number}", response_class=HTMLResponse)
def rating_detail(request: Request, number: RatingNumber, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, RATING_TEMPLATE, _ctx(request, view=queries.rating_page(session, actor, number)))


def _after(request: Request, session: DbSession, actor: CurrentActor, number: str, action: str, form: Form,
           act: Callable[[], object], done: str) -> Response:
    """Run one follow-up use-case; on refusal show the rating page again with what was typed."""
    try:
        act()
    except (DomainError, ValueError) as exc:
        typed = {k: form_text(form, k) for k in ("called_at", "note", "plan", "days", "text", "reason", "decision")}
        return rerender(request, RATING_TEMPLATE,
                        _ctx(request, view=queries.rating_page(session, actor, number), typed=typed),
                        failure_of(exc, FIELD_NAMES, form_id=action))
    return redirect_with_notice(f"/ratings/{number}", done)


@router.post("/ratings/{number}/callback", response_class=HTMLResponse)
def callback(request: Request, number: RatingNumber, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    return _after(request, session, actor, number, "callback", form, lambda: service.call_back(
        session=session, actor=actor, number=number, callback=CallBack.model_validate(
            {"called_at": form_text(form, "called_at") or None, "note": form_text(form, "note")})), "回访已记录。")


@router.post("/ratings/{number}/verify", response_class=HTMLResponse)
def verify(request: Request, number: RatingNumber, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    return _after(request, session, actor, number, "verify", form, lambda: service.verify(
        session=session, actor=actor, number=number,
        verification=Verification.model_validate({"note": form_text(form, "note")})), "核实情况已记录。")


@router.post("/ratings/{number}/rectify_plan", response_class=HTMLResponse)
def rectify_plan(request: Request, number: RatingNumber, session: DbSession, actor: CurrentActor,
                 form: Form) -> Response:
    return _after(request, session, actor, number, "rectify_plan", form, lambda: service.plan_rectification(
        session=session, actor=actor, number=number, plan=RectifyPlan.model_validate(
            {"plan": form_text(form, "plan"), "days": form_text(form, "days") or None})), "整改期限已确定。")


@router.post("/ratings/{number}/rectified", response_class=HTMLResponse)
def rectified(request: Request, number: RatingNumber, session: DbSession, actor: CurrentActor,
              form: Form) -> Response:
    return _after(request, session, actor, number, "rectified", form, lambda: service.complete_rectification(
        session=session, actor=actor, number=number, done=Rectified.model_validate({"note": form_text(form, "note")})),
        "整改结果已记录。")


@router.post("/ratings/{number}/explain", response_class=HTMLResponse)
def explain(request: Request, number: RatingNumber, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    return _after(request, session, actor, number, "explain", form, lambda: service.explain(
        session=session, actor=actor, number=number,
        explanation=Explanation.model_validate({"text": form_text(form, "text")})), "情况说明已记录。")


@router.post("/ratings/{number}/notify", response_class=HTMLResponse)
def notify(request: Request, number: RatingNumber, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    return _after(request, session, actor, number, "notify", form, lambda: service.notify_applicant(
        session=session, actor=actor, number=number, notice=Notice.model_validate({"text": form_text(form, "text")})),
        "已告知申请人处理结果。")


@router.post("/ratings/{number}/appeal", response_class=HTMLResponse)
def appeal(request: Request, number: RatingNumber, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    return _after(request, session, actor, number, "appeal", form, lambda: service.appeal(
        session=session, actor=actor, number=number, appeal_in=Appeal.model_validate(
            {"reason": form_text(form, "reason")})), "申诉已提交，等待监察人员复核。")


@router.post("/ratings/{number}/decide_appeal", response_class=HTMLResponse)
def decide_appeal(request: Request, number: RatingNumber, session: DbSession, actor: CurrentActor,
                  form: Form) -> Response:
    return _after(request, session, actor, number, "decide_appeal", form, lambda: service.decide_appeal(
        session=session, actor=actor, number=number, decision=AppealDecision.model_validate(
            {"decision": form_text(form, "decision") or None, "note": form_text(form, "note")})), "复核决定已作出。")


# ---------------------------------------------------------------- public: the published figures

public = public_router(include_in_schema=False)


@public.get("/services/ratings", response_class=HTMLResponse)
def public_figures(request: Request, session: DbSession) -> Response:
    """好差评 figures per department and item (no login, no personal data), as the 好差评 rules require."""
    return render(request, "ratings/public.html", {"view": queries.public_figures(session)})
