"""The supervisor's board (监察看板) pages: open alerts by department and item, a case's timeline with closing an
alert and issuing 督办, the 督办 list and one 督办 (answered by the department, reviewed by the supervisor)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from tongban.deps import CurrentActor, DbSession, Id, secure_router
from tongban.errors import DomainError
from tongban.schema_types import ID_MAX
from tongban.supervision import board_queries as queries
from tongban.supervision import oversight
from tongban.supervision.schemas import AlertClose, OrderAnswer, OrderIn, OrderReview
from tongban.web.forms import Form, failure_of, form_text, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)
BOARD, CASE, ORDERS, ORDER = ("supervision/board.html", "supervision/case.html", "supervision/orders.html",
                              "supervision/order.html")
Page = Annotated[int, Query(ge=1, le=10000)]


def _back(path: str, notice: str) -> Response:
    return RedirectResponse(f"{path}?notice={quote(notice)}", status_code=303)


@router.get("/supervision/board", response_class=HTMLResponse)
def board_page(request: Request, session: DbSession, actor: CurrentActor,
               department: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
               item: Annotated[str | None, Query(max_length=32)] = None,
               level: Annotated[str | None, Query(pattern="^(remind|yellow|red)?$")] = None,
               page: Page = 1) -> Response:
    data = queries.board(session, actor, department_id=department, item_code=item or None, level=level or None,
                         page=page)
    return render(request, BOARD, {"b": data, "notice": request.query_params.get("notice")})


@router.get("/supervision/cases/{number}", response_class=HTMLResponse)
def case_page(number: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, CASE, {"t": queries.case_timeline(session, actor, number),
                                  "notice": request.query_params.get("notice")})


@router.post("/supervision/alerts/{alert_id}/close", response_class=HTMLResponse)
def close_alert(alert_id: Id, request: Request, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    number = form_text(form, "case_number")
    try:
        oversight.close_alert(session=session, actor=actor, alert_id=alert_id, close_in=AlertClose.model_validate(
            {"outcome": form_text(form, "outcome"), "note": form_text(form, "note")}))
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc, oversight.ORDER_FIELD_LABELS, form_id=f"close-{alert_id}")
        return rerender(request, CASE, {"t": queries.case_timeline(session, actor, number),
                                        "form": dict(form)}, failure)
    return _back(f"/supervision/cases/{quote(number)}", "预警已关闭，处理结果已登记")


@router.post("/supervision/orders", response_class=HTMLResponse)
def issue_order(request: Request, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    number = form_text(form, "case_number")
    try:
        order = oversight.issue_order(session=session, actor=actor, order_in=OrderIn.model_validate(
            {"case_number": number, "alert_id": form_text(form, "alert_id") or None,
             "days": form_text(form, "days"), "requirement": form_text(form, "requirement")}))
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc, oversight.ORDER_FIELD_LABELS, form_id="order")
        return rerender(request, CASE, {"t": queries.case_timeline(session, actor, number),
                                        "form": dict(form)}, failure)
    return _back(f"/supervision/orders/{order.number}", f"督办 {order.number} 已发出")


@router.get("/supervision/orders", response_class=HTMLResponse)
def orders_page(request: Request, session: DbSession, actor: CurrentActor,
                overdue: Annotated[bool, Query()] = False, page: Page = 1) -> Response:
    data = queries.order_page(session, actor, overdue_only=overdue, page=page)
    return render(request, ORDERS, {"o": data, "overdue_only": overdue, "notice": request.query_params.get("notice")})


@router.get("/supervision/orders/{number}", response_class=HTMLResponse)
def order_page(number: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, ORDER, {"d": queries.order_detail(session, actor, number),
                                   "notice": request.query_params.get("notice")})


@router.post("/supervision/orders/{number}/answer", response_class=HTMLResponse)
def answer_order(number: str, request: Request, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    try:
        oversight.answer_order(session=session, actor=actor, number=number,
                               answer_in=OrderAnswer.model_validate({"explanation": form_text(form, "explanation")}))
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc, oversight.ORDER_FIELD_LABELS, form_id="answer")
        return rerender(request, ORDER, {"d": queries.order_detail(session, actor, number), "form": dict(form)},
                        failure)
    return _back(f"/supervision/orders/{number}", "答复已提交")


@router.post("/supervision/orders/{number}/review", response_class=HTMLResponse)
def review_order(number: str, request: Request, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    review = form_text(form, "decision")
    use_case = oversight.return_order if review == "return" else oversight.conclude_order
    try:
        use_case(session=session, actor=actor, number=number,
                 review_in=OrderReview.model_validate({"note": form_text(form, "note")}))
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc, oversight.ORDER_FIELD_LABELS, form_id="review")
        return rerender(request, ORDER, {"d": queries.order_detail(session, actor, number), "form": dict(form)},
                        failure)
    done = "答复已退回，等待部门重新答复" if review == "return" else "督办已办结"
    return _back(f"/supervision/orders/{number}", done)
