"""Pydantic schemas of sharing requests and grants."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tongban.schema_types import RefId, Strict, UtcDateTime

REQUEST_STATUS_LABELS: dict[str, str] = {
    "submitted": "待合规审查",
    "compliance_rejected": "合规审查未通过",
    "pending_provider": "待提供方答复",
    "granted": "已授权",
    "refused": "提供方不予共享",
    "objected": "异议协调中",
    "refused_final": "协调后不予共享",
    "withdrawn": "已撤回",
}
GRANT_STATUS_LABELS: dict[str, str] = {
    "active": "有效", "suspended": "已暂停", "revoked": "已撤销", "expired": "已过期", "not_yet_valid": "未生效",
}


class RequestCreate(Strict):
    resource_id: RefId
    client_id: RefId
    items: list[str] = Field(min_length=1, max_length=500)
    purpose: str = Field(min_length=4, max_length=1000)
    legal_basis: str = Field(min_length=4, max_length=1000)
    scenario: str = Field(min_length=4, max_length=1000)
    period_start: dt.date
    period_end: dt.date

    @model_validator(mode="after")
    def _period(self) -> RequestCreate:
        if self.period_end <= self.period_start:
            raise ValueError("使用期限的结束日期应晚于开始日期。")
        self.items = list(dict.fromkeys(self.items))
        return self


class ComplianceDecision(Strict):
    decision: Literal["pass", "reject"]
    note: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _note(self) -> ComplianceDecision:
        if self.decision == "reject" and len(self.note) < 4:
            raise ValueError("合规审查不通过时须写明理由（至少 4 个字）。")
        return self


class ProviderDecision(Strict):
    decision: Literal["approve", "refuse"]
    approved_items: list[str] | None = None  # approve: a subset of the items asked for; default all
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _note(self) -> ProviderDecision:
        if self.decision == "refuse" and len(self.note) < 10:
            raise ValueError("不予共享须写明理由和依据（至少 10 个字），申请部门可据此提出异议。")
        return self


class Objection(Strict):
    text: str = Field(min_length=10, max_length=2000)


class Coordination(Strict):
    decision: Literal["grant", "uphold"]
    approved_items: list[str] | None = None
    note: str = Field(min_length=10, max_length=2000)


class GrantAction(Strict):
    reason: str = Field(min_length=4, max_length=1000)


class GrantQuota(Strict):
    """调用限额: empty means the platform default; 0 means unlimited."""

    calls_per_minute: int | None = Field(default=None, ge=0, le=1_000_000)
    calls_per_day: int | None = Field(default=None, ge=0, le=100_000_000)


class RequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: str
    consumer_id: int
    consumer_name: str = ""
    client_id: int
    client_name: str = ""
    provider_id: int
    provider_name: str = ""
    resource_id: int
    resource_code: str = ""
    resource_name: str = ""
    resource_version: int
    items: list[str]
    approved_items: list[str]
    purpose: str
    legal_basis: str
    scenario: str
    period_start: dt.date
    period_end: dt.date
    status: str
    status_label: str = ""
    due_on: dt.date | None
    due_assumed: bool
    overdue: bool = False
    compliance_note: str
    decision_note: str
    objection: str
    coordination_note: str
    created_at: UtcDateTime
    closed_at: UtcDateTime | None
    grant_id: int | None = None


class GrantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    request_id: int
    client_id: int
    client_name: str = ""
    consumer_id: int
    consumer_name: str = ""
    provider_id: int
    provider_name: str = ""
    resource_id: int
    resource_code: str = ""
    resource_name: str = ""
    items: list[str]
    purpose: str
    valid_from: dt.date
    valid_until: dt.date
    status: str
    state: str = ""
    status_reason: str
    calls_per_minute: int | None
    calls_per_day: int | None
    effective_per_minute: int = 0  # after the platform default; 0 = unlimited
    effective_per_day: int = 0
    created_at: UtcDateTime
