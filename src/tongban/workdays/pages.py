"""节假日设置 page: enter each year's State Council holiday notice; check a deadline."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tongban import clock
from tongban.authz import Permission
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError
from tongban.web.templating import render
from tongban.workdays import clocks, service

router = secure_router(include_in_schema=False)


def _page(request: Request, session: DbSession, year: int, *, status_code: int = 200, **extra: object) -> Response:
    view = service.year_view(session=session, year=year)
    calendar = service.load(session)
    start = clock.today()
    checks = [(n, calendar.add_working_days(start, n)) for n in (2, 5, 10, 20)]
    return render(request, "workdays/calendar.html", {
        "view": view, "years": service.known_years(session=session), "year": year, "today": start,
        "checks": checks, "assumed_open": clocks.open_assumed(session),
        "notice": request.query_params.get("notice"), **extra}, status_code=status_code)


@router.get("/admin/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, session: DbSession, actor: CurrentActor, year: int | None = None) -> Response:
    actor.require(Permission.CALENDAR_MANAGE)
    year = year if year and 2000 <= year <= 2100 else clock.today().year + (1 if clock.today().month >= 11 else 0)
    return _page(request, session, year)


@router.post("/admin/calendar", response_class=HTMLResponse)
async def calendar_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    year_text = str(form.get("year", ""))
    year = int(year_text) if year_text.isdigit() else dt.date.today().year
    try:
        saved = service.save_year(session=session, actor=actor, year_in=service.YearIn(
            year=year, notice=str(form.get("notice", "")),
            holidays=service.parse_lines(str(form.get("holidays", "")), field="holidays"),
            workdays=service.parse_lines(str(form.get("workdays", "")), field="workdays")))
    except DomainError as exc:  # save_year rolled back what it had written
        return _page(request, session, year, status_code=422, error=exc.message,
                     form={k: str(form.get(k, "")) for k in ("notice", "holidays", "workdays")})
    done = f"{year} 年节假日安排已保存"
    if saved.recounted:
        done += f"，已按新安排重新推算 {saved.recounted} 件办理中的期限"
    return RedirectResponse(f"/admin/calendar?year={year}&notice={quote(done)}", status_code=303)
