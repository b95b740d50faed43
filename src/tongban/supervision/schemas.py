"""Input of the supervision rules (监察规则)."""

from __future__ import annotations

from pydantic import Field

from tongban.schema_types import Strict


class RuleIn(Strict):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=2, max_length=64)
    scope: str = "city"
    department_id: int | None = None
    item_code: str | None = Field(default=None, max_length=32)
    kind: str
    level: str
    days: int | None = Field(default=None, ge=0, le=60)
    share: int | None = Field(default=None, ge=1, le=100)
    action: str = "notify"
    recipients: list[str] = Field(default_factory=list, max_length=3)
    escalate_days: int = Field(default=1, ge=1, le=30)
    active: bool = True


# ---------------------------------------------------------------- oversight (closing alerts, 督办)


class AlertClose(Strict):
    """Close an open alert with its outcome (已督促办结, 已说明理由, 误报, 其他 + 说明)."""

    outcome: str = Field(description="urged 已督促办结 / explained 已说明理由 / false_alarm 误报 / other 其他")
    note: str = Field(default="", max_length=500, description="说明；结果为“其他”时必填")


class OrderIn(Strict):
    """督办: the case (by 办件编号), optionally the alert it follows, the working days and what to explain."""

    case_number: str = Field(min_length=1, max_length=24, description="办件编号")
    alert_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="所督办的预警（可选）")
    days: int = Field(ge=1, le=30, description="答复期限（工作日）")
    requirement: str = Field(min_length=2, max_length=1000, description="需要部门说明的事项")


class OrderAnswer(Strict):
    explanation: str = Field(min_length=2, max_length=2000, description="部门的情况说明")


class OrderReview(Strict):
    note: str = Field(default="", max_length=500, description="审核意见；退回时必填")
