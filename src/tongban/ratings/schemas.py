"""Input and output shapes of 好差评 (the JSON API and the pages share them)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tongban.ratings import standard
from tongban.schema_types import Strict, UtcDateTime

Text = str


class RatingCreate(Strict):
    """评价: the applicant rates their case after its result (网上 一事一评) or at the window (一次一评)."""

    case_number: str = Field(min_length=1, max_length=24, description="办件编号")
    channel: Literal["online", "window"] = Field(default="online", description="评价渠道：online 网上（一事一评），"
                                                                                 "window 窗口（一次一评，扫码评价）")
    level: int = Field(ge=1, le=5, description="评价等级：5 非常满意，4 满意，3 基本满意，2 不满意，1 非常不满意")
    tags: list[str] = Field(default_factory=list, max_length=8,
                            description="差评（不满意、非常不满意）的评价选项编码，见 GET /api/v1/ratings/standard")
    text: str = Field(default="", max_length=standard.TEXT_MAX, description="评价内容（选填，500 字以内）")


class RatingAddition(Strict):
    text: str = Field(min_length=1, max_length=standard.TEXT_MAX, description="补充评价（只能补充一次，500 字以内）")


class CallBack(Strict):
    called_at: dt.datetime = Field(description="回访时间（不带时区时按北京时间）")
    note: str = Field(min_length=1, max_length=2000, description="回访情况")


class Verification(Strict):
    note: str = Field(min_length=1, max_length=2000, description="核实情况")


class RectifyPlan(Strict):
    plan: str = Field(min_length=1, max_length=2000, description="整改措施")
    days: int | None = Field(default=None, ge=5, le=15,
                             description="整改期限（工作日，5 至 15 个；不填按平台设置，默认 10 个）")


class Rectified(Strict):
    note: str = Field(min_length=1, max_length=2000, description="整改结果")


class Explanation(Strict):
    text: str = Field(min_length=1, max_length=2000, description="情况说明（无需整改时）")


class Notice(Strict):
    text: str = Field(min_length=1, max_length=2000, description="告知申请人的整改或说明结果")


class Appeal(Strict):
    reason: str = Field(min_length=1, max_length=2000, description="申诉理由（如评价内容与服务无关、恶意评价）")


class AppealDecision(Strict):
    decision: Literal["void", "keep"] = Field(description="复核决定：void 申诉成立、评价作废；keep 维持评价")
    note: str = Field(min_length=1, max_length=2000, description="复核意见")


class FollowUpRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: str
    status_label: str = ""
    callback_at: UtcDateTime | None = None
    callback_note: str = ""
    verification_note: str = ""
    rectify_days: int | None = None
    rectify_due_on: dt.date | None = None
    rectify_plan: str = ""
    rectification_note: str = ""
    explanation: str = ""
    notice_text: str = ""
    notified_at: UtcDateTime | None = None
    appeal_reason: str = ""
    appeal_decision: str | None = None
    decision_note: str = ""


class RatingRead(BaseModel):
    """A rating as its reader may see it: the applicant is masked for department staff."""

    number: str = Field(description="评价编号")
    case_number: str = Field(description="办件编号")
    item_code: str
    department_name: str
    applicant: str = Field(description="评价人（部门视图中脱敏）")
    channel: str
    channel_label: str
    mode: str = Field(description="一事一评 / 一次一评")
    level: int
    level_label: str
    bad: bool
    tags: list[str]
    tag_labels: list[str]
    text: str
    is_default: bool
    addition: str
    added_at: UtcDateTime | None
    status: str
    void_reason: str
    created_at: UtcDateTime
    follow_up: FollowUpRead | None = None


class StandardRead(BaseModel):
    levels: dict[int, str]
    bad_levels: list[int]
    channels: dict[str, str]
    tags: dict[str, dict[str, str]]
    tag_version: str
