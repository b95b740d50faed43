"""Domain errors and the one error body of the API: {"code", "message", "detail"}.

Services raise these; they never raise HTTPException. `main.py` turns them into responses:
JSON for the API, an error page for browsers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DomainError(Exception):
    """Base of every error a user can meet; `message` is Chinese and says what to do."""

    status_code = 400
    code = "bad_request"
    default_message = "请求有误，请检查后重试。"

    def __init__(self, message: str | None = None, *, code: str | None = None, detail: Any = None) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.detail = detail
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation_failed"
    default_message = "提交的数据有误，请按提示修改后重试。"

    def body(self) -> dict[str, Any]:
        """Every 422 carries `detail.fields`, as a schema error does, so clients read one shape."""
        detail = dict(self.detail) if isinstance(self.detail, dict) else {}
        if self.detail is not None and not isinstance(self.detail, dict):
            detail["value"] = self.detail
        if "fields" not in detail:
            name = detail.get("field")
            detail["fields"] = [{"field": str(name), "label": field_label(str(name).split(".")),
                                 "message": self.message, "type": self.code}] if name else []
        return {"code": self.code, "message": self.message, "detail": detail}


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"
    default_message = "请先登录。"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"
    default_message = "您没有执行此操作的权限；如确需办理，请联系本部门管理员授权。"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_message = "未找到请求的对象，请确认编号是否正确。"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_message = "与已有数据冲突，请检查后重试。"


class InvalidTransition(DomainError):
    status_code = 409
    code = "invalid_transition"
    default_message = "当前状态下不能执行此操作。"


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"
    default_message = "请求过于频繁，请稍后再试。"

    def __init__(self, message: str | None = None, *, retry_after: int = 60, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class CsrfFailed(DomainError):
    status_code = 403
    code = "csrf_failed"
    default_message = "页面已过期或请求来源无法确认，请刷新页面后重新提交。"


# Chinese labels of field names, so that a validation error names the field the user sees.
FIELD_LABELS: dict[str, str] = {
    "username": "用户名",
    "password": "密码",
    "new_password": "新密码",
    "display_name": "姓名",
    "name": "名称",
    "short_name": "简称",
    "code": "编码",
    "uscc": "统一社会信用代码",
    "credit_code": "统一社会信用代码",
    "id_number": "公民身份号码",
    "region_code": "行政区划代码",
    "parent_code": "上级区划代码",
    "parent_id": "上级部门",
    "department_id": "所属部门",
    "roles": "角色",
    "phone": "手机号码",
    "email": "电子邮箱",
    "level": "层级",
    "kind": "类型",
    "label": "说明",
    "expires_at": "有效期至",
    "expires_in_days": "有效天数",
    "purpose": "用途",
    "legal_representative": "法定代表人",
    "since": "开始时间",
    "until": "结束时间",
    "page": "页码",
    "size": "每页条数",
    "status": "状态",
}

_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": "必须填写",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "bool_parsing": "必须是“是”或“否”",
    "datetime_parsing": "日期时间格式不正确，应为 2026-01-31T09:00:00",
    "datetime_from_date_parsing": "日期时间格式不正确，应为 2026-01-31T09:00:00",
    "date_parsing": "日期格式不正确，应为 2026-01-31",
    "date_from_datetime_parsing": "日期格式不正确，应为 2026-01-31",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "格式不正确",
    "dict_type": "必须是对象",
    "list_type": "必须是列表",
    "string_type": "必须是文本",
    "extra_forbidden": "是未知字段，请删除",
    "value_error": "取值不正确",
    "null_not_allowed": "不能为 null：不修改时请省略此项，要修改时请填写新值",
}


def field_label(loc: tuple[Any, ...] | list[Any]) -> str:
    """The Chinese label of the innermost named field of a pydantic error location."""
    names = [str(p) for p in loc if isinstance(p, str) and p not in ("body", "query", "path", "form")]
    if not names:
        return "请求"
    last = names[-1]
    return FIELD_LABELS.get(last, last)


def translate_validation_errors(errors: Sequence[Any]) -> tuple[str, list[dict[str, Any]]]:
    """Turn pydantic errors into a Chinese summary and a per-field list for `detail`."""
    fields: list[dict[str, Any]] = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        label = field_label(loc)
        etype = str(err.get("type", ""))
        if etype == "value_error":
            # Our validators raise ValueError with a complete Chinese sentence.
            text = str(err.get("msg", "")).removeprefix("Value error, ")
        elif "input" in err and err["input"] is None and etype.endswith("_type"):
            # An explicit null for a field that must have a value (in a PATCH: omit the field to keep it).
            text = "不能为 null：不修改时请省略此项，修改时请填写新值"
        else:
            text = _PYDANTIC_MESSAGES.get(etype, "取值不正确")
            ctx = err.get("ctx") or {}
            if etype in ("string_too_short", "string_too_long") and ctx:
                limit = ctx.get("min_length", ctx.get("max_length"))
                text = f"{text}（{'至少' if etype == 'string_too_short' else '至多'} {limit} 个字符）"
        field = ".".join(str(p) for p in loc if p not in ("body", "query", "path", "form"))
        if text.startswith(label):
            message = text
        elif etype == "value_error":
            message = f"{label}：{text}"
        else:
            message = f"{label}{text}"
        fields.append({"field": field, "label": label, "message": message, "type": etype})
    summary = "；".join(f["message"].rstrip("。") for f in fields[:5]) or "提交的数据有误"
    return summary + "。", fields


# ---------------------------------------------------------------- the error contract, as OpenAPI declares it


class FieldError(BaseModel):
    """One refused field of a 422 answer."""

    field: str = Field(description="字段路径，如 items.0.name；请求整体有误时为空")
    label: str = Field(description="字段的中文名称")
    message: str = Field(description="中文说明：哪里不对、应如何修改")
    type: str = Field(description="稳定的错误类型，如 missing、string_too_long、value_error")


class ErrorBody(BaseModel):
    """Every error answer of the API: a stable code, a Chinese message, and details that depend on the code."""

    model_config = ConfigDict(json_schema_extra={"example": {
        "code": "not_found", "message": "未找到请求的对象，请确认编号是否正确。", "detail": None}})
    code: str = Field(description="稳定的错误代码，程序据此判断，如 validation_failed、not_found、conflict")
    message: str = Field(description="中文说明，可直接展示给用户")
    detail: Any = Field(default=None, description="补充信息；字段校验失败时为 {fields: [...]}，系统错误时为 {incident}")


class ValidationDetail(BaseModel):
    model_config = ConfigDict(extra="allow")  # e.g. an import's row-by-row `errors`
    fields: list[FieldError] = Field(description="逐个字段的错误；与具体字段无关时为空列表")


class ValidationErrorBody(ErrorBody):
    """A 422 answer: the request was understood but its content is refused; `detail.fields` names the fields."""

    detail: ValidationDetail


_STATUS_TEXT: dict[int, str] = {
    400: "请求无法处理（例如请求头格式不正确）",
    401: "未登录或 API 密钥无效、已过期、已吊销",
    403: "无权执行此操作，或 CSRF 校验未通过",
    404: "对象不存在，或不在调用者可见的范围内",
    405: "不支持该请求方法（Allow 响应头列出支持的方法）",
    409: "与当前状态或已有数据冲突",
    413: "请求体过大",
    415: "请求体的内容类型不受支持",
    422: "提交的数据有误：detail.fields 逐项说明",
    429: "请求过于频繁或超过调用限额（Retry-After 响应头给出等待秒数）",
    500: "系统内部错误：detail.incident 为事件编号",
    502: "提供部门业务系统的应答有误",
    503: "服务暂不可用",
    504: "提供部门业务系统应答超时",
}

_HEADERS: dict[int, dict[str, Any]] = {
    405: {"Allow": {"description": "支持的请求方法", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "建议等待的秒数", "schema": {"type": "integer"}}},
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the error statuses a route can answer, all with the one error body."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ValidationErrorBody if status == 422 else ErrorBody,
                                 "description": _STATUS_TEXT.get(status, "错误")}
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]
        out[status] = entry
    return out
