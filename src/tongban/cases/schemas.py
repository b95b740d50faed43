"""Input schemas of the cases API (Strict: unknown fields refused, text trimmed)."""

from __future__ import annotations

from typing import Any, Literal

import orjson
from pydantic import Field, field_validator, model_validator

from tongban.schema_types import OneLine, RefId, Strict

FORM_MAX_BYTES = 64 * 1024  # a form is typed answers, not documents (those are uploaded materials)


def check_form(value: dict[str, Any]) -> dict[str, Any]:
    """The applicant's answers: JSON of bounded size; keys starting with "_" are the platform's (预填的来源)."""
    reserved = [k for k in value if k.startswith("_")]
    if reserved:
        raise ValueError(f"申请表字段名不能以下划线开头（{reserved[0][:32]}），这类字段由平台填写")
    try:
        size = len(orjson.dumps(value))
    except orjson.JSONEncodeError:  # nested deeper than JSON encoders go
        raise ValueError("申请表内容层级过深，请按申请表的栏目填写") from None
    if size > FORM_MAX_BYTES:
        raise ValueError(f"申请表内容过长（最多 {FORM_MAX_BYTES // 1024} KB），材料请作为附件上传")
    return value


class CaseCreate(Strict):
    """A new draft: for an item implementation or a bundle (一件事); a window clerk names the applicant."""

    implementation_id: RefId | None = Field(default=None, description="事项实施清单编号（与 bundle_code 二选一）")
    bundle_code: OneLine | None = Field(default=None, max_length=32, description="一件事编码")
    form_data: dict[str, Any] = Field(default_factory=dict, description="申请表内容；一件事的情形问题答案也在此")
    applicant_code: OneLine | None = Field(default=None, max_length=32,
                                           description="窗口收件：申请人的身份证号码或统一社会信用代码")

    _form = field_validator("form_data")(check_form)

    @model_validator(mode="after")
    def _one_target(self) -> CaseCreate:
        if (self.implementation_id is None) == (self.bundle_code is None):
            raise ValueError("请选择要申请的事项或一件事（二选一）")
        return self


class DraftUpdate(Strict):
    form_data: dict[str, Any] = Field(description="申请表内容（整体替换；平台预填的来源记录保留）")

    _form = field_validator("form_data")(check_form)


class SupplementItem(Strict):
    """One line of the 补正 notice: a material and what the applicant must do."""

    material_id: RefId = Field(description="办件材料编号")
    how: Literal["upload", "correct", "fetch"] = Field(
        description="upload 重新上传；correct 更正内容；fetch 授权平台调取（可共享获取的材料只能选此项）")
    note: str = Field(default="", max_length=150, description="需要补正的具体内容（写入补正材料通知书）")


class SupplementRequest(Strict):
    items: list[SupplementItem] = Field(min_length=1, max_length=50,
                                        description="一次性告知需要补正的全部材料")
    note: str = Field(default="", max_length=1000)


class Refusal(Strict):
    reason: str = Field(min_length=2, max_length=500, description="不予受理的理由（写入不予受理决定书）")
    remedies: str = Field(default="", max_length=1000, description="申请人的救济途径（留空用默认文字）")


class Review(Strict):
    opinion: str = Field(min_length=1, max_length=2000, description="审查意见")


class Decision(Strict):
    decision: Literal["approve", "refuse"] = Field(description="approve 准予；refuse 不予")
    reason: str = Field(default="", max_length=500, description="理由（不予许可时必填，写入决定书）")
    remedies: str = Field(default="", max_length=1000, description="救济途径（留空用默认文字）")

    @model_validator(mode="after")
    def _reason(self) -> Decision:
        if self.decision == "refuse" and len(self.reason) < 2:
            raise ValueError("不予许可须写明理由")
        return self


class Suspension(Strict):
    reason: Literal["听证", "检测检验", "专家评审", "公示"] = Field(description="特别程序")
    note: str = Field(default="", max_length=1000)


class Resumption(Strict):
    note: str = Field(default="", max_length=1000)


class Withdrawal(Strict):
    reason: str = Field(default="", max_length=1000)


class Delivery(Strict):
    method: Literal["电子送达", "邮寄送达", "窗口领取"] = "电子送达"


class Lookup(Strict):
    number: OneLine = Field(min_length=6, max_length=24, description="办件编号")
    check_code: OneLine = Field(min_length=4, max_length=12, description="查询码")


class MaterialFetch(Strict):
    """调取一项材料预览: optionally which of the applicant's own licences of the type; at the window (窗口收件)
    the clerk states that the walk-in applicant agreed (`consent`)."""

    licence_id: RefId | None = Field(default=None, description="申请人本人名下的电子证照编号（不填则取最新有效的一本）")
    consent: bool = Field(
        default=False,
        description="窗口收件时必填 true：申请人已当面同意平台调取其数据（缺少时 422 applicant_consent_required，"
                    "不调取）。申请人本人调取时不需要此字段。")


class MaterialConfirm(Strict):
    token: OneLine = Field(min_length=3, max_length=64, pattern=r"^(licence:\d{1,10}:\d{1,6}|exchange:\d{1,19})$",
                           description="调取预览返回的凭据：licence:<证照编号>:<版本> 或 exchange:<交换记录序号>")
