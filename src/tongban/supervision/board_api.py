"""JSON API of the supervisor's board: open alerts, closing an alert, a case's timeline and 督办."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, Field

from tongban.deps import CurrentActor, DbSession, Id, secure_router
from tongban.errors import error_responses
from tongban.schema_types import ID_MAX
from tongban.supervision import board_queries as queries
from tongban.supervision import oversight
from tongban.supervision.models import OUTCOME_LABELS, SupervisionAlert
from tongban.supervision.schemas import AlertClose, OrderAnswer, OrderIn, OrderReview

router = secure_router(prefix="/api/v1/supervision", tags=["电子监察"])

Page = Annotated[int, Query(ge=1, le=10000, description="页码")]
Size = Annotated[int, Query(ge=1, le=queries.MAX_SIZE, description="每页条数（至多 200）")]
DepartmentFilter = Annotated[int | None, Query(ge=1, le=ID_MAX, description="部门 id（部门负责人只能看本部门）")]
OrderNumber = Annotated[str, Path(min_length=1, max_length=24, description="督办编号，如 DB202612030001")]


class AlertClosed(BaseModel):
    id: int
    state: str
    outcome: str
    outcome_label: str
    note: str = Field(description="说明")


def _closed(alert: SupervisionAlert) -> AlertClosed:
    return AlertClosed(id=alert.id, state=alert.state, outcome=alert.outcome,
                       outcome_label=OUTCOME_LABELS.get(alert.outcome, ""), note=alert.outcome_note)


@router.get("/board", response_model=queries.Board, summary="监察看板：未处理预警按部门、事项和级别统计，督办列表",
            responses=error_responses(403))
def board(session: DbSession, actor: CurrentActor, department_id: DepartmentFilter = None,
          item_code: Annotated[str | None, Query(max_length=32, description="事项编码")] = None,
          level: Annotated[str | None, Query(pattern="^(remind|yellow|red)$", description="级别")] = None,
          page: Page = 1, size: Size = 50) -> queries.Board:
    return queries.board(session, actor, department_id=department_id, item_code=item_code, level=level, page=page,
                         size=size)


@router.get("/alerts", response_model=queries.AlertPage, summary="未处理的预警（红灯在前，按部门、事项、级别筛选）",
            responses=error_responses(403))
def alerts(session: DbSession, actor: CurrentActor, department_id: DepartmentFilter = None,
           item_code: Annotated[str | None, Query(max_length=32, description="事项编码")] = None,
           level: Annotated[str | None, Query(pattern="^(remind|yellow|red)$", description="级别")] = None,
           page: Page = 1, size: Size = 50) -> queries.AlertPage:
    return queries.alert_page(session, actor, department_id=department_id, item_code=item_code, level=level,
                              page=page, size=size)


@router.post("/alerts/{alert_id}/close", response_model=AlertClosed,
             summary="关闭预警并登记处理结果（已督促办结、已说明理由、误报、其他；仅监察人员）",
             responses=error_responses(403, 404, 409, 422))
def close_alert(alert_id: Id, body: AlertClose, session: DbSession, actor: CurrentActor) -> AlertClosed:
    return _closed(oversight.close_alert(session=session, actor=actor, alert_id=alert_id, close_in=body))


@router.get("/cases/{number}/timeline", response_model=queries.CaseTimeline,
            summary="办件的完整时间线：办理过程、预警的触发、升级、消除和关闭、督办",
            responses=error_responses(403, 404))
def timeline(number: Annotated[str, Path(max_length=24)], session: DbSession,
             actor: CurrentActor) -> queries.CaseTimeline:
    return queries.case_timeline(session, actor, number)


@router.get("/orders", response_model=queries.OrderPage, summary="督办列表（逾期未答复的在前；部门只看本部门）",
            responses=error_responses(403))
def orders(session: DbSession, actor: CurrentActor, department_id: DepartmentFilter = None,
           state: Annotated[str | None, Query(pattern="^(issued|answered|returned|concluded)$")] = None,
           overdue: Annotated[bool, Query(description="只看逾期未答复的")] = False,
           page: Page = 1, size: Size = 50) -> queries.OrderPage:
    return queries.order_page(session, actor, department_id=department_id, state=state, overdue_only=overdue,
                              page=page, size=size)


@router.post("/orders", response_model=queries.OrderDetail, status_code=201,
             summary="发出督办（仅监察人员）：向办件的承办部门，限期（工作日）说明",
             responses=error_responses(403, 409, 422))
def issue_order(body: OrderIn, session: DbSession, actor: CurrentActor) -> queries.OrderDetail:
    order = oversight.issue_order(session=session, actor=actor, order_in=body)
    return queries.order_detail(session, actor, order.number)


@router.get("/orders/{number}", response_model=queries.OrderDetail, summary="督办详情",
            responses=error_responses(404))
def order(number: OrderNumber, session: DbSession, actor: CurrentActor) -> queries.OrderDetail:
    return queries.order_detail(session, actor, number)


@router.post("/orders/{number}/answer", response_model=queries.OrderDetail,
             summary="答复督办（被督办部门；期限后答复记为逾期答复）", responses=error_responses(403, 404, 409, 422))
def answer_order(number: OrderNumber, body: OrderAnswer, session: DbSession,
                 actor: CurrentActor) -> queries.OrderDetail:
    oversight.answer_order(session=session, actor=actor, number=number, answer_in=body)
    return queries.order_detail(session, actor, number)


@router.post("/orders/{number}/conclude", response_model=queries.OrderDetail,
             summary="办结督办（采纳答复；仅监察人员）", responses=error_responses(403, 404, 409, 422))
def conclude_order(number: OrderNumber, body: OrderReview, session: DbSession,
                   actor: CurrentActor) -> queries.OrderDetail:
    oversight.conclude_order(session=session, actor=actor, number=number, review_in=body)
    return queries.order_detail(session, actor, number)


@router.post("/orders/{number}/return", response_model=queries.OrderDetail, summary="退回督办答复（仅监察人员）",
             responses=error_responses(403, 404, 409, 422))
def return_order(number: OrderNumber, body: OrderReview, session: DbSession,
                 actor: CurrentActor) -> queries.OrderDetail:
    oversight.return_order(session=session, actor=actor, number=number, review_in=body)
    return queries.order_detail(session, actor, number)
