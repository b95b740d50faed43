"""Pydantic schemas of the catalog domain."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tongban.schema_types import RefId, Strict, UtcDateTime

DataType = Literal["string", "integer", "decimal", "date", "datetime", "boolean", "resident_id",
                   "credit_code", "region_code", "amount", "phone", "address", "text"]
Sensitivity = Literal["public", "internal", "sensitive", "personal_sensitive"]
ShareType = Literal["unconditional", "conditional", "none"]
ShareMethod = Literal["interface", "table", "file"]
FormatType = Literal["数据库", "电子表格", "电子文件", "图形图像", "接口", "流媒体"]
UpdateCycle = Literal["实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期"]

DATA_TYPE_LABELS: dict[str, str] = {
    "string": "字符型", "integer": "整数型", "decimal": "数值型", "date": "日期型", "datetime": "日期时间型",
    "boolean": "布尔型", "resident_id": "公民身份号码", "credit_code": "统一社会信用代码",
    "region_code": "行政区划代码",
    "amount": "金额", "phone": "电话号码", "address": "地址", "text": "长文本",
}
SENSITIVITY_LABELS: dict[str, str] = {
    "public": "公开", "internal": "内部", "sensitive": "敏感", "personal_sensitive": "个人敏感",
}
SHARE_TYPE_LABELS: dict[str, str] = {"unconditional": "无条件共享", "conditional": "有条件共享", "none": "不予共享"}
SHARE_METHOD_LABELS: dict[str, str] = {"interface": "接口", "table": "库表", "file": "文件"}
STATUS_LABELS: dict[str, str] = {"draft": "草稿", "published": "已发布", "retired": "已下架"}
FORMAT_TYPES: tuple[str, ...] = ("数据库", "电子表格", "电子文件", "图形图像", "接口", "流媒体")
UPDATE_CYCLES: tuple[str, ...] = ("实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期")

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE = re.compile(r"^\d{1,12}/\d{6}$")


class ItemIn(Strict):
    name: str = Field(min_length=1, max_length=64)
    key: str = Field(min_length=1, max_length=64)
    data_type: DataType = "string"
    length: int | None = Field(default=None, ge=1, le=100000)
    required: bool = False
    is_key: bool = False
    sensitivity: Sensitivity = "internal"
    description: str = Field(default="", max_length=500)

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not _KEY.fullmatch(v):
            raise ValueError("机器标识须以小写字母开头，只含小写字母、数字和下划线，如 id_number。")
        return v


class ResourceIn(Strict):
    """A whole catalog entry as the editor or an import submits it."""

    classification_code: str = Field(min_length=1, max_length=16)
    name: str = Field(min_length=2, max_length=128)
    abstract: str = Field(min_length=4, max_length=2000)
    format_type: FormatType
    share_type: ShareType
    share_condition: str = Field(default="", max_length=1000)
    no_share_reason: str = Field(default="", max_length=1000)
    share_methods: list[ShareMethod] = Field(default_factory=list)
    open_to_public: bool = False
    open_condition: str = Field(default="", max_length=1000)
    update_cycle: UpdateCycle
    related_codes: list[str] = Field(default_factory=list, max_length=50)
    themes: list[str] = Field(default_factory=list, max_length=12)
    data_on_platform: bool = False
    provider_id: RefId | None = None  # platform admins catalog for others; officers for their own department
    items: list[ItemIn] = Field(min_length=1, max_length=500)
    change_note: str = Field(default="", max_length=500)

    @field_validator("related_codes")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        for code in v:
            if not _CODE.fullmatch(code):
                raise ValueError(f"关联资源代码“{code}”格式不正确，应为“分类码/6位顺序码”，如 101/000001。")
        return list(dict.fromkeys(v))

    @model_validator(mode="after")
    def _rules(self) -> ResourceIn:
        problems: list[str] = []
        if self.share_type == "conditional" and not self.share_condition:
            problems.append("有条件共享的资源须填写共享条件")
        if self.share_type == "none":
            if not self.no_share_reason:
                problems.append("不予共享的资源须写明不予共享的法律法规或政策依据")
            if self.share_methods:
                problems.append("不予共享的资源不填写共享方式")
            if self.open_to_public:
                problems.append("不予共享的资源不能向社会开放")
        elif not self.share_methods:
            problems.append("请至少选择一种共享方式（接口、库表或文件）")
        if self.open_to_public and any(i.sensitivity == "personal_sensitive" for i in self.items):
            problems.append("含个人敏感信息项的资源不能向社会开放")
        keys = [i.key for i in self.items]
        names = [i.name for i in self.items]
        dup_keys = sorted({k for k in keys if keys.count(k) > 1})
        dup_names = sorted({n for n in names if names.count(n) > 1})
        if dup_keys:
            problems.append("信息项机器标识重复：" + "、".join(dup_keys))
        if dup_names:
            problems.append("信息项名称重复：" + "、".join(dup_names))
        if not any(i.is_key for i in self.items):
            problems.append("请至少指定一个信息项作为记录主键（如公民身份号码、统一社会信用代码）")
        if problems:
            raise ValueError("；".join(problems) + "。")
        self.share_methods = sorted(set(self.share_methods), key=["interface", "table", "file"].index)
        return self


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    key: str
    data_type: str
    length: int | None
    required: bool
    is_key: bool
    sensitivity: str
    description: str


class ResourceSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    abstract: str
    provider_id: int
    provider_name: str = ""
    classification_code: str
    share_type: str
    share_methods: list[str]
    open_to_public: bool
    update_cycle: str
    status: str
    version: int
    published_on: dt.date | None
    item_count: int = 0
    #: In search results: the matched spans (start, end) of the name and the abstract, to highlight.
    highlights: dict[str, list[tuple[int, int]]] = Field(default_factory=dict)


class ResourceRead(ResourceSummary):
    provider_code: str
    format_type: str
    share_condition: str
    no_share_reason: str
    open_condition: str
    related_codes: list[str]
    themes: list[str]
    data_on_platform: bool
    items: list[ItemRead]
    updated_at: UtcDateTime


class VersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    change_note: str
    published_at: UtcDateTime
    published_by: int | None
    snapshot: dict[str, Any]


class ClassificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    level: int
    parent_code: str | None
    department_id: int | None


class ClassificationCreate(Strict):
    parent_code: str = Field(min_length=1, max_length=13)
    name: str = Field(min_length=2, max_length=64)


class RetireIn(Strict):
    reason: str = Field(min_length=4, max_length=500)


class FacetCount(BaseModel):
    value: str
    label: str
    count: int


class SearchPage(BaseModel):
    items: list[ResourceSummary]
    total: int
    page: int
    size: int
    facets: dict[str, list[FacetCount]]
    #: "Did you mean": when the query found nothing, the corrected query whose results these are.
    suggestion: str = ""
    #: True when no resource matched every word and these match some of them (partial matches).
    fallback: bool = False
    #: How the query was read: "户口本 → 居民户口簿".
    expanded: list[str] = Field(default_factory=list)


class DepartmentStats(BaseModel):
    department_id: int
    department_name: str
    resources: int
    items: int
    unconditional: int
    conditional: int
    none: int
    open: int


class CatalogStats(BaseModel):
    resources: int
    items: int
    unconditional: int
    conditional: int
    none: int
    open: int
    departments: list[DepartmentStats]
