"""Pydantic schemas of data-quality disputes."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tongban.schema_types import RefId, Strict, UtcDateTime

DISPUTE_STATUS_LABELS: dict[str, str] = {
    "open": "待提供方答复",
    "corrected": "已更正",
    "rejected": "提供方不予更正",
    "escalated": "平台协调中",
    "coordinated_correct": "协调结论：予以更正",
    "upheld": "协调结论：维持原数据",
    "withdrawn": "已撤回",
}
# A record shows as disputed (有疑义) while one of its disputes is in these states.
UNRESOLVED = ("open", "escalated")
ROLE_LABELS: dict[str, str] = {"raised": "我方提出", "against": "针对我方", "platform": "平台协调"}


class DisputeCreate(Strict):
    resource_id: RefId
    record_key: str = Field(min_length=1, max_length=255)
    items: list[str] = Field(min_length=1, max_length=200)
    description: str = Field(min_length=10, max_length=4000)
    proposed: dict[str, str] = Field(default_factory=dict, max_length=200)
    evidence: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _proposed_in_items(self) -> DisputeCreate:
        self.items = list(dict.fromkeys(i.strip() for i in self.items if i.strip()))
        if not self.items:
            raise ValueError("请至少选择一个有疑义的信息项。")
        self.proposed = {k.strip(): v.strip() for k, v in self.proposed.items() if v and v.strip()}
        outside = [k for k in self.proposed if k not in self.items]
        if outside:
            raise ValueError("建议值只能针对有疑义的信息项：" + "、".join(outside) + " 未被选为疑义项。")
        if any(len(v) > 1000 for v in self.proposed.values()):
            raise ValueError("每个建议值至多 1000 个字符。")
        return self


class DisputeAnswer(Strict):
    decision: Literal["corrected", "rejected"]
    note: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _note(self) -> DisputeAnswer:
        if self.decision == "rejected" and len(self.note) < 10:
            raise ValueError("不予更正须写明理由和依据（至少 10 个字），提出部门可据此申请平台协调。")
        return self


class DisputeEscalation(Strict):
    reason: str = Field(min_length=10, max_length=4000)


class DisputeCoordination(Strict):
    decision: Literal["correct", "uphold"]
    note: str = Field(min_length=10, max_length=4000)


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: UtcDateTime


class DisputeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: str
    resource_id: int
    resource_code: str = ""
    resource_name: str = ""
    provider_id: int
    provider_name: str = ""
    consumer_id: int
    consumer_name: str = ""
    raised_by: int | None
    raised_by_name: str = ""
    client_id: int | None
    client_name: str = ""
    record_key: str
    items: list[str]
    description: str
    proposed: dict[str, Any]
    evidence: str
    status: str
    status_label: str = ""
    due_on: dt.date | None
    due_assumed: bool
    overdue: bool = False
    answer_note: str
    answered_by: int | None
    answered_at: UtcDateTime | None
    escalation_note: str
    escalated_by: int | None
    escalated_at: UtcDateTime | None
    coordination_note: str
    coordinated_by: int | None
    coordinated_at: UtcDateTime | None
    withdrawn_by: int | None
    withdrawn_at: UtcDateTime | None
    created_at: UtcDateTime
    closed_at: UtcDateTime | None
    escalation_deadline: dt.date | None = None
    record_changed: bool = False  # the provider's record changed since the dispute was raised
    attachments: list[AttachmentRead] = Field(default_factory=list)
