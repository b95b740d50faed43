"""The kinds of document (文书种类) and their templates: title, 文号代字, the fields each takes, the body.

行政许可法 Art. 32 (受理, 不予受理, 补正), Art. 38 (准予 / 不予行政许可, with reasons and remedies). A refusal
tells the applicant their remedies: 行政复议 within 60 days of receipt (行政复议法 Art. 20) with the people's
government at the department's level (Art. 24, as revised in 2023), or 行政诉讼 within 6 months (行政诉讼法
Art. 46). The templates are plain data: paragraphs with {placeholders} filled from the checked fields.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tongban.errors import ValidationFailed


@dataclass(frozen=True)
class FieldSpec:
    """One value a kind of document takes: key, Chinese label, whether required, text / date / list."""

    key: str
    label: str
    required: bool = True
    type: str = "text"  # text / date / list
    max_length: int = 300


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document: what it is called, its 文号 word, its fields and its body."""

    code: str
    title: str  # 受理通知书
    word: str  # 文号代字 after the agency's: 受 → 安市监受字〔2026〕第00001号
    fields: tuple[FieldSpec, ...]
    body: tuple[str, ...]  # paragraphs; "{materials}" expands to a numbered list
    remedies: bool = False  # a refusal: the applicant's remedies follow the body


_COMMON = (
    FieldSpec("item_name", "申请事项", max_length=128),
    FieldSpec("case_number", "申请编号", max_length=64),
    FieldSpec("applied_on", "申请日期", type="date"),
)
_OPENING = "你（单位）于{applied_on}提出的{item_name}申请（申请编号：{case_number}），"

KINDS: dict[str, DocumentKind] = {k.code: k for k in (
    DocumentKind(
        "acceptance", "受理通知书", "受",
        (*_COMMON, FieldSpec("due_on", "承诺办结日期", type="date"), FieldSpec("contact", "联系电话", required=False,
                                                                           max_length=40)),
        (_OPENING + "经审查，申请材料齐全、符合法定形式。"
         "根据《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，决定予以受理。",
         "本机关将于{due_on}前作出决定；依法需要听证、检验、检测、鉴定、专家评审的，所需时间不计算在期限内。",
         "{contact_line}"),
    ),
    DocumentKind(
        "rejection", "不予受理决定书", "不受",
        (*_COMMON, FieldSpec("reason", "不予受理理由", max_length=500)),
        (_OPENING + "经审查，{reason}。根据《中华人民共和国行政许可法》第三十二条第一款的规定，决定不予受理。",),
        remedies=True,
    ),
    DocumentKind(
        "supplement", "补正材料通知书", "补",
        (*_COMMON, FieldSpec("materials", "需补正的材料", type="list", max_length=200),
         FieldSpec("contact", "联系电话", required=False, max_length=40)),
        (_OPENING + "经审查，申请材料不齐全或者不符合法定形式。"
         "根据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，请你（单位）补正下列全部材料：",
         "{materials}",
         "请在通办平台提交补正材料。补正期间不计算在审批期限内；自收到全部补正材料之日起，本机关依法作出是否受理的决定。",
         "{contact_line}"),
    ),
    DocumentKind(
        "approval", "准予行政许可决定书", "许",
        (*_COMMON, FieldSpec("content", "许可内容", max_length=500),
         FieldSpec("result", "办理结果", required=False, max_length=200)),
        (_OPENING + "经审查，符合法定条件、标准。"
         "根据《中华人民共和国行政许可法》第三十八条第一款的规定，决定准予行政许可。",
         "许可内容：{content}。",
         "{result_line}"),
    ),
    DocumentKind(
        "refusal", "不予行政许可决定书", "不许",
        (*_COMMON, FieldSpec("reason", "不予许可理由", max_length=500)),
        (_OPENING + "经审查，{reason}。根据《中华人民共和国行政许可法》第三十八条第二款的规定，决定不予行政许可。",),
        remedies=True,
    ),
)}

KIND_TITLES = {k.code: k.title for k in KINDS.values()}
REMEDIES = ("如不服本决定，可以自收到本决定书之日起六十日内向{review_body}申请行政复议，"
            "也可以自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def get_kind(code: str) -> DocumentKind:
    """A kind by its code, or ValidationFailed naming the kinds there are."""
    kind = KINDS.get(code)
    if kind is None:
        names = "、".join(f"{k.code}（{k.title}）" for k in KINDS.values())
        raise ValidationFailed(f"文书种类有误，应为：{names}。", code="document_kind_invalid", detail={"field": "kind"})
    return kind


def check_fields(kind: DocumentKind, values: dict[str, object]) -> dict[str, str | list[str]]:
    """The fields of `kind`, trimmed and checked; every problem named in one Chinese message."""
    specs = {f.key: f for f in kind.fields}
    problems = [f"“{k}”不是{kind.title}的内容项" for k in values if k not in specs]
    clean: dict[str, str | list[str]] = {}
    for spec in kind.fields:
        raw = values.get(spec.key)
        if spec.type == "list":
            items = [str(v).strip() for v in raw] if isinstance(raw, list) else []
            items = [v for v in items if v]
            if not items:
                if spec.required:
                    problems.append(f"请至少填写一项“{spec.label}”")
                continue
            if len(items) > 50 or any(len(v) > spec.max_length or _CONTROL.search(v) for v in items):
                problems.append(f"“{spec.label}”最多 50 项，每项最多 {spec.max_length} 字，不能含控制字符")
                continue
            clean[spec.key] = items
            continue
        value = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
        if not value:
            if spec.required:
                problems.append(f"请填写“{spec.label}”")
            continue
        if len(value) > spec.max_length or _CONTROL.search(value):
            problems.append(f"“{spec.label}”最多 {spec.max_length} 字，不能含控制字符")
            continue
        if spec.type == "date":
            try:
                if not _DATE.match(value):
                    raise ValueError
                dt.date.fromisoformat(value)
            except ValueError:
                problems.append(f"“{spec.label}”应为 YYYY-MM-DD 格式的日期")
                continue
        clean[spec.key] = value
    if problems:
        raise ValidationFailed("文书内容有误：" + "；".join(problems) + "。", code="document_fields_invalid",
                               detail={"field": "fields"})
    return clean


def chinese_date(value: str) -> str:
    """2026-03-05 as printed in documents: 2026年3月5日."""
    d = dt.date.fromisoformat(value)
    return f"{d.year}年{d.month}月{d.day}日"


def body_paragraphs(kind: DocumentKind, fields: dict[str, str | list[str]], review_body: str) -> list[str]:
    """The body's paragraphs with the fields filled in (dates in Chinese), empty lines left out."""
    values: dict[str, str] = {}
    for spec in kind.fields:
        value = fields.get(spec.key)
        if spec.type == "date" and isinstance(value, str):
            values[spec.key] = chinese_date(value)
        elif isinstance(value, str):
            values[spec.key] = value.rstrip("。")
    contact = fields.get("contact")
    values["contact_line"] = f"联系电话：{contact}" if isinstance(contact, str) else ""
    result = fields.get("result")
    values["result_line"] = f"{result}" if isinstance(result, str) else ""
    materials = fields.get("materials")
    out: list[str] = []
    for paragraph in kind.body:
        if paragraph == "{materials}":
            out.extend(f"{i}. {m}" for i, m in enumerate(materials or [], start=1))
            continue
        text = paragraph.format(**values)
        if text:
            out.append(text)
    if kind.remedies:
        out.append(REMEDIES.format(review_body=review_body))
    return out
