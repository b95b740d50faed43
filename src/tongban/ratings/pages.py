"""The applicant's 好差评 page: rate a case after its result (phone first), add to a rating once.

GET renders queries.rate_page; each POST calls one use-case; a failed form is shown again with what was typed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, Response

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError
from tongban.ratings import queries, service
from tongban.ratings.schemas import RatingAddition, RatingCreate
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
