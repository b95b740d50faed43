"""节假日设置 page: enter each year's State Council holiday notice; check a deadline."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from tongban import clock
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError
from tongban.web.forms import failure_of, rerender
from tongban.web.templating import render
from tongban.workdays import queries, service

router = secure_router(include_in_schema=False)
TEMPLATE = "workdays/calendar.html"
FIELD_NAMES = {"notice": "通知文号或标题", **service.FIELD_LABELS}


@router.get("/admin/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, session: DbSession, actor: CurrentActor, year: int | None = None) -> Response:
    page = queries.calendar_page(session, actor, year)
    return render(request, TEMPLATE, {**vars(page), "notice": request.query_params.get("notice")})


@router.post("/admin/calendar", response_class=HTMLResponse)
async def calendar_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    typed = {k: str(form.get(k, "")) for k in ("notice", "holidays", "workdays")}
    year_text = str(form.get("year", ""))
    year = int(year_text) if year_text.isdigit() and len(year_text) <= 4 else clock.today().year
    try:
        saved = service.save_year(session=session, actor=actor, year_in=service.YearIn.from_text(
            year=year, notice=typed["notice"], holidays=typed["holidays"], workdays=typed["workdays"]))
    except (ValidationError, DomainError) as exc:  # save_year rolled back what it had written
        failure = failure_of(exc, FIELD_NAMES)
        return rerender(request, TEMPLATE, {**vars(queries.calendar_page(session, actor, year)), "form": typed},
                        failure)
    done = f"{year} 年节假日安排已保存"
    if saved.recounted:
        done += f"，已按新安排重新推算 {saved.recounted} 件办理中的期限"
    return RedirectResponse(f"/admin/calendar?year={year}&notice={quote(done)}", status_code=303)
