"""JSON API of the working-day calendar."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, Field

from tongban.authz import Permission
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import error_responses
from tongban.schema_types import Strict
from tongban.workdays import service

router = secure_router(prefix="/api/v1/calendar", tags=["节假日设置"])


class DayIn(Strict):
    day: dt.date
    name: str = Field(min_length=1, max_length=32)


class YearBody(Strict):
    notice: str = Field(min_length=2, max_length=500)
    holidays: list[DayIn] = Field(default_factory=list, max_length=60)
    workdays: list[DayIn] = Field(default_factory=list, max_length=30)


class YearRead(BaseModel):
    year: int
    official: bool
    source: str | None
    notice: str | None
    holidays: list[DayIn]
    workdays: list[DayIn]


class DeadlineRead(BaseModel):
    start: dt.date
    days: int
    due: dt.date
    assumed: bool
    note: str


Year = Annotated[int, Path(ge=2000, le=2100)]


@router.get("/deadline", response_model=DeadlineRead, summary="按工作日推算期限")
def deadline(session: DbSession, actor: CurrentActor, start: dt.date,
             days: Annotated[int, Query(ge=0, le=365)]) -> DeadlineRead:
    result = service.load(session).add_working_days(start, days)
    return DeadlineRead(start=start, days=days, due=result.due, assumed=result.assumed, note=result.note())


@router.get("/{year}", response_model=YearRead, summary="某年的节假日与调休上班日", responses=error_responses(404))
def get_year(year: Year, session: DbSession, actor: CurrentActor) -> YearRead:
    view = service.year_view(session=session, year=year)
    return YearRead(year=year, official=view.official, source=view.source, notice=view.notice,
                    holidays=[DayIn(day=d, name=n) for d, n in view.holidays],
                    workdays=[DayIn(day=d, name=n) for d, n in view.workdays])


@router.put("/{year}", response_model=YearRead, summary="登记某年的国务院节假日安排（平台管理员）",
            responses=error_responses(404, 409))
def put_year(year: Year, body: YearBody, session: DbSession, actor: CurrentActor) -> YearRead:
    actor.require(Permission.CALENDAR_MANAGE)
    service.save_year(session=session, actor=actor, year_in=service.YearIn(
        year=year, notice=body.notice, holidays=[(d.day, d.name) for d in body.holidays],
        workdays=[(d.day, d.name) for d in body.workdays]))
    return get_year(year, session, actor)
