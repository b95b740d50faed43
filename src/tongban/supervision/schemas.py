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
