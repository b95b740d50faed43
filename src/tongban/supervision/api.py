"""JSON API of the supervision rules (监察规则)."""

from __future__ import annotations

from pydantic import BaseModel

from tongban.authz import Permission
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import error_responses
from tongban.supervision import queries, service
from tongban.supervision.models import SupervisionRule
from tongban.supervision.schemas import RuleIn

router = secure_router(prefix="/api/v1/supervision", tags=["电子监察"])


class RuleRead(BaseModel):
    code: str
    name: str
    scope: str
    department_id: int | None
    item_code: str | None
    kind: str
    level: str
    days: int | None
    share: int | None
    action: str
    recipients: list[str]
    escalate_days: int
    active: bool


def _read(rule: SupervisionRule) -> RuleRead:
    return RuleRead.model_validate({k: getattr(rule, k) for k in RuleRead.model_fields})


@router.get("/rules", response_model=list[RuleRead], summary="监察规则列表（监察人员、平台管理员）",
            responses=error_responses(403))
def list_rules(session: DbSession, actor: CurrentActor) -> list[RuleRead]:
    actor.require(Permission.SUPERVISION_MANAGE)
    return [_read(r) for r in service.all_rules(session)]


@router.post("/rules", response_model=RuleRead, status_code=201, summary="新增监察规则",
             responses=error_responses(403, 409, 422))
def create_rule(body: RuleIn, session: DbSession, actor: CurrentActor) -> RuleRead:
    return _read(service.create_rule(session=session, actor=actor, rule_in=body))


@router.put("/rules/{code}", response_model=RuleRead, summary="修改监察规则",
            responses=error_responses(403, 404, 422))
def update_rule(code: str, body: RuleIn, session: DbSession, actor: CurrentActor) -> RuleRead:
    return _read(service.update_rule(session=session, actor=actor, code=code, rule_in=body))


@router.get("/cases/{number}/light", summary="办件的红黄绿灯", responses=error_responses(403, 404))
def case_light(number: str, session: DbSession, actor: CurrentActor) -> dict[str, str]:
    light = queries.case_light(session, actor, number)
    return {"light": light, "label": queries.LIGHT_LABELS[light]}
