"""政务信息资源目录 spreadsheets: export the catalog as the template departments fill in, import it back.

The layout is the one departments know from 目录编制: one row per 信息项, the resource's own cells on
the first row of each resource (merged over its rows on export). An import is all-or-nothing: every row
is checked before anything is written and every problem is reported against its row and column, so
that a user can fix the whole file at once (`error_workbook` marks the cells in the uploaded file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import MergedCell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import BaseModel, Field, ValidationError
from python_calamine import CalamineSheet, CalamineWorkbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.catalog import permissions as rules
from tongban.catalog import search, service
from tongban.catalog.models import Classification, InformationItem, InformationResource
from tongban.catalog.schemas import (
    DATA_TYPE_LABELS,
    FORMAT_TYPES,
    SENSITIVITY_LABELS,
    SHARE_METHOD_LABELS,
    SHARE_TYPE_LABELS,
    UPDATE_CYCLES,
    ItemIn,
    ResourceIn,
)
from tongban.clock import BEIJING
from tongban.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from tongban.org.models import Department
from tongban.transactions import scope, use_case

SHEET = "信息资源目录"
GUIDE_SHEET = "填写说明"
ERROR_HEADER = "错误说明"
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
_MAX_UNZIPPED = 400 * 1024 * 1024  # a 20 MB upload that inflates beyond this is not a catalog
_FIRST_DATA_ROW = 3

(SEQ, CODE, CLASSIFICATION, NAME, PROVIDER, PROVIDER_CODE, ABSTRACT, FORMAT, SHARE_TYPE, SHARE_CONDITION,
 NO_SHARE_REASON, SHARE_METHODS, OPEN, OPEN_CONDITION, UPDATE_CYCLE, PUBLISHED_ON, RELATED, THEMES,
 ON_PLATFORM) = RESOURCE_COLUMNS = (
    "序号", "信息资源代码", "信息资源分类", "信息资源名称", "信息资源提供方", "提供方代码", "信息资源摘要",
    "信息资源格式", "共享类型", "共享条件", "不予共享依据", "共享方式", "是否向社会开放", "开放条件", "更新周期",
    "发布日期", "关联资源代码", "主题分类", "数据是否已汇聚平台")
(ITEM_NAME, ITEM_KEY, DATA_TYPE, LENGTH, REQUIRED, IS_KEY, SENSITIVITY, ITEM_DESCRIPTION) = ITEM_COLUMNS = (
    "信息项名称", "信息项标识", "数据类型", "数据长度", "是否必填", "是否主键", "敏感级别", "信息项说明")
COLUMNS: tuple[str, ...] = RESOURCE_COLUMNS + ITEM_COLUMNS
_REQUIRED_HEADERS = (CLASSIFICATION, NAME, ABSTRACT, FORMAT, SHARE_TYPE, UPDATE_CYCLE, ITEM_NAME, ITEM_KEY)

_RESOURCE_FIELDS = {
    "classification_code": CLASSIFICATION, "name": NAME, "abstract": ABSTRACT, "format_type": FORMAT,
    "share_type": SHARE_TYPE, "share_condition": SHARE_CONDITION, "no_share_reason": NO_SHARE_REASON,
    "share_methods": SHARE_METHODS, "open_to_public": OPEN, "open_condition": OPEN_CONDITION,
    "update_cycle": UPDATE_CYCLE, "related_codes": RELATED, "themes": THEMES, "data_on_platform": ON_PLATFORM,
    "items": ITEM_NAME,
}
_ITEM_FIELDS = {
    "name": ITEM_NAME, "key": ITEM_KEY, "data_type": DATA_TYPE, "length": LENGTH, "required": REQUIRED,
    "is_key": IS_KEY, "sensitivity": SENSITIVITY, "description": ITEM_DESCRIPTION,
}
_WIDTHS = dict(zip(COLUMNS, (6, 16, 10, 28, 24, 21, 40, 10, 12, 24, 24, 12, 10, 20, 9, 12, 18, 12, 10,
                             20, 18, 14, 8, 8, 8, 10, 30), strict=True))
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "f"}
_SPLIT = re.compile(r"[、;,，；\s]+")
_CODE = re.compile(r"^\d{1,12}/\d{6}$")
_BAD_FILE = "只能导入 Excel 2007 及以上版本的 .xlsx 文件；请在 Excel 或 WPS 中“另存为”.xlsx 格式后重新上传。"
_RED = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")


class RowError(BaseModel):
    """One problem of an uploaded file, at the spreadsheet row (1-based) and column the user sees."""

    row: int
    column: str
    message: str


class ImportReport(BaseModel):
    ok: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # rows of existing resources whose content is the same as in the catalog
    published: int = 0
    errors: list[RowError] = Field(default_factory=list)
    resources: list[str] = Field(default_factory=list)  # codes of the created and updated resources

    def error_workbook(self, data: bytes) -> bytes:
        """The uploaded workbook with this report's errors marked (see `error_workbook`)."""
        return error_workbook(data, self.errors)


# ---------------------------------------------------------------- labels and cell values


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _joined(values: Iterable[str], labels: dict[str, str] | None = None) -> str:
    return "、".join(labels.get(v, v) if labels else v for v in values)


def _text(value: Any) -> str:
    """A cell as the text the user typed: 101.0 → "101", a date → "2026-01-31"."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _header(value: Any) -> str:
    """A header as written, forgiving marks users add: "*信息资源名称", "信息资源名称（必填）"."""
    return re.sub(r"[（(][^）)]*[）)]$", "", re.sub(r"[\s*＊]", "", _text(value)))


def _choice(raw: str, labels: dict[str, str]) -> str | None:
    """The enum value of a Chinese label or of the enum value itself; None if neither."""
    if raw in labels:
        return raw
    lowered = raw.lower()
    if lowered in labels:
        return lowered
    return next((value for value, label in labels.items() if label == raw), None)


def _flag(raw: str) -> bool | None:
    lowered = raw.lower()
    return True if lowered in _TRUE else False if lowered in _FALSE else None


def _split(raw: str) -> list[str]:
    return [part for part in _SPLIT.split(raw) if part]


def _allowed(values: Iterable[str]) -> str:
    return "、".join(values)


# ---------------------------------------------------------------- export


def _looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _as_text(sheet: Any, value: Any) -> Any:
    """Text a department typed stays text: a value starting with “=” would be a formula Excel runs on opening."""
    if not _looks_like_formula(value):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def export_catalog(*, session: Session, actor: Actor, provider_id: int | None = None) -> bytes:
    """The catalog entries the actor may see (optionally one provider's), as the 目录编制 xlsx template."""
    scope = "全市"
    if provider_id is not None:
        provider = session.get(Department, provider_id)
        if provider is None:
            raise NotFound("部门不存在，请确认后重试。")
        scope = provider.name
    r, i = InformationResource, InformationItem
    shown = [rules.visibility(actor)] + ([r.provider_id == provider_id] if provider_id is not None else [])
    items: dict[int, list[list[Any]]] = {}
    for rid, name, key, data_type, length, required, is_key, sensitivity, description in session.execute(
            select(i.resource_id, i.name, i.key, i.data_type, i.length, i.required, i.is_key, i.sensitivity,
                   i.description).join(r, r.id == i.resource_id).where(*shown).order_by(i.resource_id, i.position)):
        items.setdefault(rid, []).append([
            name, key, DATA_TYPE_LABELS.get(data_type, data_type), length, _yes_no(required), _yes_no(is_key),
            SENSITIVITY_LABELS.get(sensitivity, sensitivity), description or None])
    resources = session.execute(
        select(r.id, r.code, r.classification_code, r.name, Department.name, r.provider_code, r.abstract,
               r.format_type, r.share_type, r.share_condition, r.no_share_reason, r.share_methods, r.open_to_public,
               r.open_condition, r.update_cycle, r.published_on, r.related_codes, r.themes, r.data_on_platform)
        .join(Department, Department.id == r.provider_id).where(*shown).order_by(r.code)
        .execution_options(yield_per=1000))

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    letters = [get_column_letter(n) for n in range(1, len(COLUMNS) + 1)]
    for letter, header in zip(letters, COLUMNS, strict=True):
        sheet.column_dimensions[letter].width = _WIDTHS[header]
    sheet.freeze_panes = f"A{_FIRST_DATA_ROW}"
    now = dt.datetime.now(BEIJING)
    title = WriteOnlyCell(sheet, f"政务信息资源目录（{scope}）  导出时间 {now:%Y-%m-%d %H:%M}")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    # openpyxl writes a merged range as str(range); plain strings spare building 90,000 CellRange objects.
    merges: set[Any] = sheet.merged_cells.ranges
    merges.add(f"A1:{letters[-1]}1")
    header_font, header_fill = Font(bold=True), PatternFill("solid", start_color="FFD9E1F2", end_color="FFD9E1F2")
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    headers = []
    for text in COLUMNS:
        cell = WriteOnlyCell(sheet, text)
        cell.font, cell.fill, cell.alignment = header_font, header_fill, header_align
        headers.append(cell)
    sheet.append(headers)

    # One styled cell per resource column, reused: a write-only sheet writes each row as it is appended.
    merged_align = Alignment(vertical="center", wrap_text=True)
    styled = [WriteOnlyCell(sheet) for _ in RESOURCE_COLUMNS]
    for cell in styled:
        cell.alignment = merged_align
    blank_resource: list[Any] = [None] * len(RESOURCE_COLUMNS)
    blank_item: list[Any] = [None] * len(ITEM_COLUMNS)
    row_number = _FIRST_DATA_ROW
    for seq, (rid, code, class_code, name, provider_name, provider_code, abstract, format_type, share_type,
              share_condition, no_share_reason, share_methods, open_to_public, open_condition, update_cycle,
              published_on, related, themes, on_platform) in enumerate(resources, start=1):
        own: list[Any] = [
            seq, code, class_code, name, provider_name, provider_code, abstract, format_type,
            SHARE_TYPE_LABELS.get(share_type, share_type), share_condition or None, no_share_reason or None,
            _joined(share_methods or [], SHARE_METHOD_LABELS) or None, _yes_no(open_to_public),
            open_condition or None, update_cycle, published_on.isoformat() if published_on else None,
            _joined(related or []) or None, _joined(themes or []) or None, _yes_no(on_platform)]
        rows = items.pop(rid, None) or [blank_item]
        span = len(rows)
        if span > 1:
            last = row_number + span - 1
            for index, value in enumerate(own):
                if value is not None:
                    styled[index].value = value
                    if _looks_like_formula(value):
                        styled[index].data_type = "s"
                    own[index] = styled[index]
                merges.add(f"{letters[index]}{row_number}:{letters[index]}{last}")
        sheet.append([_as_text(sheet, v) for v in own + rows[0]])
        for item_cells in rows[1:]:
            sheet.append(blank_resource + [_as_text(sheet, v) for v in item_cells])
        row_number += span
    _add_dropdowns(sheet, max(row_number + 500, 1000))
    _write_guide(book.create_sheet(GUIDE_SHEET), session, provider_id)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _add_dropdowns(sheet: Any, last_row: int) -> None:
    """Drop-down lists on the columns with fixed values, so most typing errors never happen."""
    lists = {
        FORMAT: FORMAT_TYPES, SHARE_TYPE: SHARE_TYPE_LABELS.values(), OPEN: ("是", "否"),
        UPDATE_CYCLE: UPDATE_CYCLES, ON_PLATFORM: ("是", "否"), DATA_TYPE: DATA_TYPE_LABELS.values(),
        REQUIRED: ("是", "否"), IS_KEY: ("是", "否"), SENSITIVITY: SENSITIVITY_LABELS.values(),
    }
    for header, values in lists.items():
        letter = get_column_letter(COLUMNS.index(header) + 1)
        rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle="取值不正确",
                              error=f"{header}请从下拉列表中选择：{_allowed(values)}")
        rule.add(f"{letter}{_FIRST_DATA_ROW}:{letter}{last_row}")
        sheet.data_validations.append(rule)


def _guide_rows() -> list[tuple[str, str, str]]:
    yes_no = "是、否（默认否）"
    return [
        (SEQ, "选填", "资源的顺序号，导入时不使用"),
        (CODE, "修改时必填", "新编目的资源留空，平台按分类自动赋码；修改已有资源时填写其代码（导出文件中已有）"),
        (CLASSIFICATION, "必填", "分类代码或名称，见下方“信息资源分类代码表”；填“3”表示归入本部门的部门信息资源"),
        (NAME, "必填", "2～128 个字，同一部门内不能重名；在资源的第一行填写，其余信息项行留空"),
        (PROVIDER, "选填", "导出时填写；导入时以导入部门为准"),
        (PROVIDER_CODE, "选填", "提供部门的统一社会信用代码；填写时须与导入部门一致"),
        (ABSTRACT, "必填", "4～2000 个字，说明资源的内容、范围和用途"),
        (FORMAT, "必填", _allowed(FORMAT_TYPES)),
        (SHARE_TYPE, "必填", _allowed(SHARE_TYPE_LABELS.values())),
        (SHARE_CONDITION, "有条件共享时必填", "写明使用条件，如“仅限因履职需要核验身份的部门使用”"),
        (NO_SHARE_REASON, "不予共享时必填", "写明不予共享的法律法规或政策依据"),
        (SHARE_METHODS, "无条件、有条件共享时必填",
         _allowed(SHARE_METHOD_LABELS.values()) + "，可填多个，用“、”分隔；不予共享时留空"),
        (OPEN, "选填", yes_no + "；不予共享或含个人敏感信息项的资源不能向社会开放"),
        (OPEN_CONDITION, "选填", "向社会开放的条件，至多 1000 个字"),
        (UPDATE_CYCLE, "必填", _allowed(UPDATE_CYCLES)),
        (PUBLISHED_ON, "选填", "导出时填写；导入时不使用"),
        (RELATED, "选填", "已编目资源的信息资源代码，如 101/000001；多个用“、”分隔"),
        (THEMES, "选填", "主题信息资源（2 开头）的分类代码或名称，见下方代码表；多个用“、”分隔"),
        (ON_PLATFORM, "选填", yes_no),
        (ITEM_NAME, "必填", "每个资源至少一个信息项，每行一个；同一资源内不能重名"),
        (ITEM_KEY, "必填", "以小写字母开头，只含小写字母、数字和下划线，如 id_number；同一资源内不能重复"),
        (DATA_TYPE, "选填", _allowed(DATA_TYPE_LABELS.values()) + "（默认字符型）"),
        (LENGTH, "选填", "1～100000 的整数"),
        (REQUIRED, "选填", yes_no),
        (IS_KEY, "必填", yes_no + "；每个资源至少有一个信息项为“是”（如公民身份号码、统一社会信用代码）"),
        (SENSITIVITY, "选填", _allowed(SENSITIVITY_LABELS.values()) + "（默认内部）"),
        (ITEM_DESCRIPTION, "选填", "至多 500 个字"),
    ]


def _write_guide(sheet: Any, session: Session, provider_id: int | None) -> None:
    for letter, width in (("A", 22), ("B", 24), ("C", 90)):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)

    def heading(*texts: str) -> list[WriteOnlyCell]:
        cells = []
        for text in texts:
            cell = WriteOnlyCell(sheet, text)
            cell.font = bold
            cells.append(cell)
        return cells

    sheet.append(heading("填写说明"))
    sheet.append(["第 1 行为标题，第 2 行为列名，数据从第 3 行开始；每个信息项占一行，资源信息填在该资源的第一行。"])
    sheet.append([])
    sheet.append(heading("列名", "是否必填", "填写要求和允许的值"))
    for row in _guide_rows():
        sheet.append(list(row))
    sheet.append([])
    sheet.append(heading("信息资源分类代码表"))
    sheet.append(heading("分类代码", "分类名称", "层级"))
    sheet.append(["3", "部门信息资源", "类（填“3”时自动归入提供部门的目录项）"])
    levels = {2: "项", 3: "目", 4: "细目"}
    query = select(Classification).where(Classification.level >= 2).order_by(Classification.code)
    for node in session.execute(query).scalars():
        if provider_id is not None and node.department_id not in (None, provider_id):
            continue
        sheet.append([node.code, node.name, levels.get(node.level, str(node.level))])


# ---------------------------------------------------------------- reading an upload


@dataclass
class _Row:
    number: int
    cells: dict[str, str]


@dataclass
class _Group:
    """The rows of one resource: its own cells (from its first row) and its item rows."""

    row: int
    cells: dict[str, str]
    items: list[_Row] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.cells.get(CODE, "")


def _open_sheet(data: bytes) -> CalamineSheet:
    if len(data) > MAX_BYTES:
        raise ValidationFailed("文件超过 20 MB，请按部门或分类拆分后分批导入。", code="bad_file")
    if not data.startswith(b"PK\x03\x04"):
        raise ValidationFailed(_BAD_FILE, code="bad_file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ValidationFailed(_BAD_FILE, code="bad_file") from None
    if "xl/workbook.xml" not in names:
        raise ValidationFailed(_BAD_FILE, code="bad_file")
    if inflated > _MAX_UNZIPPED:
        raise ValidationFailed("文件内容过大，请拆分后分批导入。", code="bad_file")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if SHEET in book.sheet_names:
            return book.get_sheet_by_name(SHEET)
        return book.get_sheet_by_index(0)
    except Exception:  # calamine raises several error types for files it cannot parse
        raise ValidationFailed("文件已损坏或无法读取：" + _BAD_FILE, code="bad_file") from None


def _read_groups(sheet: CalamineSheet) -> tuple[list[_Group], list[RowError], int]:
    """The resources of the sheet, structural problems, and the number of data rows."""
    end = sheet.end
    if end is not None and end[0] + 1 - (_FIRST_DATA_ROW - 1) > MAX_ROWS:
        raise ValidationFailed(f"文件超过 {MAX_ROWS} 行，请拆分后分批导入。", code="too_many_rows")
    left = sheet.start[1] if sheet.start else 0  # calamine drops empty leading columns
    columns: dict[str, int] = {}
    groups: list[_Group] = []
    problems: list[RowError] = []
    data_rows = 0
    current: _Group | None = None
    resource_columns = [c for c in RESOURCE_COLUMNS if c != SEQ]
    for number, raw in enumerate(sheet.iter_rows(), start=1):
        values = [""] * left + list(raw) if left else raw
        if not columns:
            found: dict[str, int] = {}
            for index, value in enumerate(values):
                found.setdefault(_header(value), index)
            if NAME in found and ITEM_NAME in found:
                missing = [h for h in _REQUIRED_HEADERS if h not in found]
                if missing:
                    raise ValidationFailed(f"第 {number} 行的列名中缺少：{_allowed(missing)}。"
                                           "请使用平台导出的模板填写。", code="bad_template",
                                           detail={"missing": missing})
                columns = {h: i for h, i in found.items() if h in COLUMNS}
            elif number >= 10:
                break
            continue
        width = len(values)
        cells = {h: _text(values[i]) if i < width else "" for h, i in columns.items()}
        if not any(v for h, v in cells.items() if h != SEQ):
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise ValidationFailed(f"文件超过 {MAX_ROWS} 行，请拆分后分批导入。", code="too_many_rows")
        own = {h: cells.get(h, "") for h in resource_columns}
        # A row that repeats its resource's cells (instead of leaving them blank) still belongs to it.
        if any(own.values()) and (current is None or own != current.cells):
            current = _Group(row=number, cells=own)
            groups.append(current)
        elif current is None:
            problems.append(RowError(row=number, column=NAME, message=(
                "该行的信息项上方没有所属的信息资源：请在资源的第一行填写信息资源名称等资源信息。")))
            continue
        item = {h: cells.get(h, "") for h in ITEM_COLUMNS}
        if any(item.values()):
            current.items.append(_Row(number, item))
    if not columns:
        raise ValidationFailed(f"未找到列名行：请使用平台导出的模板，第 2 行为列名（{_allowed(COLUMNS)}）。",
                               code="bad_template")
    if not groups and not problems:
        problems.append(RowError(row=_FIRST_DATA_ROW, column=NAME,
                                 message="文件中没有信息资源：请从第 3 行起，每个信息项一行填写。"))
    return groups, problems, data_rows


# ---------------------------------------------------------------- checking


class _Errors:
    """Problems by cell. The schema's own messages only fill cells the specific checks left clean,
    so that an unknown 共享类型 is not reported a second time as a missing one."""

    def __init__(self) -> None:
        self.by_cell: dict[tuple[int, str], list[str]] = {}

    def add(self, row: int, column: str, message: str) -> None:
        messages = self.by_cell.setdefault((row, column), [])
        if message not in messages:
            messages.append(message)

    def add_if_clean(self, row: int, column: str, message: str) -> None:
        if (row, column) not in self.by_cell:
            self.add(row, column, message)

    def rows(self) -> list[RowError]:
        def place(cell: tuple[int, str]) -> tuple[int, int]:
            return cell[0], COLUMNS.index(cell[1]) if cell[1] in COLUMNS else len(COLUMNS)

        return [RowError(row=r, column=c, message=m) for (r, c) in sorted(self.by_cell, key=place)
                for m in self.by_cell[(r, c)]]


@dataclass
class _Catalog:
    """What the checks need from the database, read once per import."""

    provider: Department
    classes: dict[str, Classification]
    codes: set[str]  # every resource code, for 关联资源代码
    names: dict[str, str]  # the provider's live resources: name → code
    existing: dict[str, InformationResource]  # the resources the file names by code

    def classification(self, raw: str) -> tuple[str | None, str]:
        """The classification code meant by `raw` (a code, "code name", or a name), or a message."""
        match = re.fullmatch(r"(\d+)\s*[-－—:：]?\s*(.*)", raw)
        if match:
            code = match[1]
            if code == "3":
                return code, ""
            node = self.classes.get(code)
            if node is None:
                return None, f"信息资源分类“{raw}”不存在，请按“填写说明”中的分类代码表填写。"
            if node.level < 2:
                return None, f"信息资源分类“{raw}”是大类，请填写到项一级，如 101（人口）。"
            if code.startswith("3") and node.department_id not in (None, self.provider.id):
                return None, "部门信息资源只能编入提供部门自己的目录项；请填“3”或本部门的目录代码。"
            return code, ""
        if raw == "部门信息资源":
            return "3", ""
        found = [c.code for c in self.classes.values() if c.name == raw and c.level >= 2
                 and (not c.code.startswith("3") or c.department_id in (None, self.provider.id))]
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, f"名称为“{raw}”的分类有多个（{_allowed(found)}），请改填分类代码。"
        return None, f"信息资源分类“{raw}”不存在，请按“填写说明”中的分类代码表填写代码或名称。"

    def theme(self, raw: str) -> str | None:
        node = self.classes.get(raw)
        if node is None:
            node = next((c for c in self.classes.values() if c.name == raw and c.code.startswith("2")), None)
        return node.code if node is not None and node.code.startswith("2") and node.level >= 2 else None


def _rules_of(model: type[BaseModel]) -> Callable[[Any], Any] | None:
    """The schema's cross-field rules, to run them even when some fields are invalid."""
    found = model.__pydantic_decorators__.model_validators.get("_rules")
    return found.func if found is not None else None


# Which column a sentence of ResourceIn's cross-field rules is about (None: checked per row here).
_PROBLEM_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("重复", None), ("记录主键", IS_KEY), ("向社会开放", OPEN), ("依据", NO_SHARE_REASON),
    ("共享条件", SHARE_CONDITION), ("共享方式", SHARE_METHODS))


def _problems(message: str, row: int, errors: _Errors) -> None:
    for sentence in message.removeprefix("Value error, ").rstrip("。").split("；"):
        column = next((col for word, col in _PROBLEM_COLUMNS if word in sentence), NAME)
        if column is not None and sentence:
            errors.add_if_clean(row, column, sentence + "。")


def _pydantic_message(column: str, error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if column == ITEM_NAME and error["loc"] == ("items",):
        if kind == "too_short":
            return "每个信息资源至少要有一个信息项：请在资源的第一行及其下方每行填写一个信息项。"
        return f"一个信息资源至多 {ctx.get('max_length')} 个信息项，请拆分为多个资源。"
    if kind == "missing":
        return f"{column}必须填写。"
    if kind == "string_too_short":
        return f"{column}至少 {ctx.get('min_length')} 个字，请补充。"
    if kind == "string_too_long":
        return f"{column}至多 {ctx.get('max_length')} 个字，请精简。"
    if kind == "too_long":
        return f"{column}至多填写 {ctx.get('max_length')} 个。"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return f"{column}超出允许范围，请按“填写说明”填写。"
    return f"{column}“{_text(error.get('input'))}”填写有误，请按“填写说明”修改。"


def _resource_values(group: _Group, cat: _Catalog, errors: _Errors) -> dict[str, Any]:
    """The pydantic input of a group, with the Chinese cell values turned into enum values."""
    cells, row = group.cells, group.row
    values: dict[str, Any] = {"provider_id": cat.provider.id}
    for name, column in (("name", NAME), ("abstract", ABSTRACT), ("share_condition", SHARE_CONDITION),
                         ("no_share_reason", NO_SHARE_REASON), ("open_condition", OPEN_CONDITION)):
        if cells[column]:
            values[name] = cells[column]
    if cells[CLASSIFICATION]:
        code, problem = cat.classification(cells[CLASSIFICATION])
        if code is None:
            errors.add(row, CLASSIFICATION, problem)
        values["classification_code"] = code or cells[CLASSIFICATION]
    for name, column, allowed in (("format_type", FORMAT, FORMAT_TYPES), ("update_cycle", UPDATE_CYCLE, UPDATE_CYCLES)):
        if cells[column] and cells[column] not in allowed:
            errors.add(row, column, f"{column}“{cells[column]}”不是允许的取值，请填写：{_allowed(allowed)}。")
        elif cells[column]:
            values[name] = cells[column]
    if cells[SHARE_TYPE]:
        share_type = _choice(cells[SHARE_TYPE], SHARE_TYPE_LABELS)
        if share_type is None:
            errors.add(row, SHARE_TYPE, f"共享类型“{cells[SHARE_TYPE]}”不是允许的取值，请填写："
                                        f"{_allowed(SHARE_TYPE_LABELS.values())}。")
        else:
            values["share_type"] = share_type
    methods = [(raw, _choice(raw, SHARE_METHOD_LABELS)) for raw in _split(cells[SHARE_METHODS])]
    if unknown := [raw for raw, value in methods if value is None]:
        errors.add(row, SHARE_METHODS, f"共享方式“{_allowed(unknown)}”不是允许的取值，请填写："
                                       f"{_allowed(SHARE_METHOD_LABELS.values())}，多个用“、”分隔。")
    values["share_methods"] = [value for _, value in methods if value is not None]
    for name, column in (("open_to_public", OPEN), ("data_on_platform", ON_PLATFORM)):
        if cells[column]:
            flag = _flag(cells[column])
            if flag is None:
                errors.add(row, column, f"{column}请填写“是”或“否”。")
            else:
                values[name] = flag
    related = _split(cells[RELATED])
    if malformed := [c for c in related if not _CODE.fullmatch(c)]:
        errors.add(row, RELATED, f"关联资源代码“{_allowed(malformed)}”格式不正确，应为“分类码/6位顺序码”，"
                                 "如 101/000001；多个用“、”分隔。")
    if unknown := [c for c in related if _CODE.fullmatch(c) and (c not in cat.codes or c == group.code)]:
        errors.add(row, RELATED, f"关联资源代码不存在：{_allowed(unknown)}。请填写已编目资源的代码（不能是本资源）。")
    values["related_codes"] = [c for c in related if _CODE.fullmatch(c)]
    themes = [(raw, cat.theme(raw)) for raw in _split(cells[THEMES])]
    if unknown := [raw for raw, code in themes if code is None]:
        errors.add(row, THEMES, f"主题分类“{_allowed(unknown)}”不存在，请填写主题信息资源（2 开头）的分类代码或名称。")
    values["themes"] = [code for _, code in themes if code is not None]
    values["items"] = [_item_values(item, errors) for item in group.items]
    if group.code:
        values["change_note"] = "表格导入"
    return values


def _item_values(item: _Row, errors: _Errors) -> dict[str, Any]:
    cells, row = item.cells, item.number
    values: dict[str, Any] = {}
    for name, column in (("name", ITEM_NAME), ("key", ITEM_KEY), ("description", ITEM_DESCRIPTION)):
        if cells[column]:
            values[name] = cells[column]
    for name, column, labels in (("data_type", DATA_TYPE, DATA_TYPE_LABELS),
                                 ("sensitivity", SENSITIVITY, SENSITIVITY_LABELS)):
        if cells[column]:
            value = _choice(cells[column], labels)
            if value is None:
                errors.add(row, column, f"{column}“{cells[column]}”不是允许的取值，请填写："
                                        f"{_allowed(labels.values())}。")
            else:
                values[name] = value
    if cells[LENGTH]:
        try:
            values["length"] = int(cells[LENGTH])
        except ValueError:
            errors.add(row, LENGTH, f"数据长度“{cells[LENGTH]}”不是整数，请填写 1～100000 的整数，或留空。")
    for name, column in (("required", REQUIRED), ("is_key", IS_KEY)):
        if cells[column]:
            flag = _flag(cells[column])
            if flag is None:
                errors.add(row, column, f"{column}请填写“是”或“否”。")
            else:
                values[name] = flag
    return values


def _check_group(group: _Group, cat: _Catalog, errors: _Errors) -> ResourceIn | None:
    """ResourceIn of the group, or None after recording every problem of its rows."""
    values = _resource_values(group, cat, errors)
    for column, key in ((ITEM_KEY, "key"), (ITEM_NAME, "name")):
        first: dict[str, int] = {}
        for item, item_values in zip(group.items, values["items"], strict=True):
            value = item_values.get(key)
            if value and value in first:
                errors.add(item.number, column, f"{column}“{value}”与第 {first[value]} 行重复，同一资源内不能重复。")
            elif value:
                first[value] = item.number
    try:
        return ResourceIn.model_validate(values)
    except ValidationError as exc:
        field_errors = False
        for error in exc.errors():
            loc = error["loc"]
            if not loc:
                _problems(str(error["msg"]), group.row, errors)
                continue
            field_errors = True
            if loc[0] == "items" and len(loc) >= 3 and isinstance(loc[1], int):
                row, column = group.items[loc[1]].number, _ITEM_FIELDS.get(str(loc[2]), ITEM_NAME)
            else:
                row, column = group.row, _RESOURCE_FIELDS.get(str(loc[0]), NAME)
            errors.add_if_clean(row, column, _pydantic_message(column, error))
        rules_of = _rules_of(ResourceIn)
        if field_errors and rules_of is not None and "share_type" in values:
            # The schema skips its cross-field rules when a field is invalid; report those problems too.
            fields = {k: v for k, v in values.items() if k != "items"}
            draft = ResourceIn.model_construct(**fields, items=[ItemIn.model_construct(**v) for v in values["items"]])
            try:
                rules_of(draft)
            except ValueError as problem:
                _problems(str(problem), group.row, errors)
            except (TypeError, AttributeError):
                return None  # values too broken for the rules; their cells are reported already
        return None





def _unchanged(resource: InformationResource, data: ResourceIn) -> bool:
    """Whether applying `data` would leave the resource as it is (exported rows sent back untouched)."""
    if not service.same_classification(data.classification_code, resource.classification_code):
        return False
    wanted = {
        "name": data.name, "abstract": data.abstract, "format_type": data.format_type,
        "share_type": data.share_type,
        "share_condition": data.share_condition if data.share_type == "conditional" else "",
        "no_share_reason": data.no_share_reason if data.share_type == "none" else "",
        "open_to_public": data.open_to_public, "open_condition": data.open_condition if data.open_to_public else "",
        "update_cycle": data.update_cycle, "data_on_platform": data.data_on_platform,
    }
    if any(getattr(resource, k) != v for k, v in wanted.items()):
        return False
    if (list(resource.share_methods or []) != list(data.share_methods)
            or list(resource.related_codes or []) != list(data.related_codes)
            or list(resource.themes or []) != list(dict.fromkeys(data.themes))):
        return False
    fields = ("name", "key", "data_type", "length", "required", "is_key", "sensitivity", "description")
    return [tuple(getattr(i, f) for f in fields) for i in resource.items] == [
        tuple(getattr(i, f) for f in fields) for i in data.items]


def _check_existing(group: _Group, data: ResourceIn | None, cat: _Catalog, session: Session,
                    errors: _Errors) -> bool:
    """Checks of a row that names an existing resource; whether it changes anything."""
    resource = cat.existing.get(group.code)
    if resource is None:
        errors.add(group.row, CODE, f"信息资源代码“{group.code}”不存在：新编目的资源请将信息资源代码留空。")
        return False
    if resource.provider_id != cat.provider.id:
        errors.add(group.row, CODE, f"信息资源“{group.code}”由{resource.provider.name}提供，不能在本部门的文件中修改；"
                                    "请删除这些行，或由提供部门导入。")
        return False
    if data is None or _unchanged(resource, data):
        return False
    if resource.status == "retired":
        errors.add(group.row, CODE, "已下架的资源不能修改：请恢复该资源各列的原值，或删除这些行。")
    elif resource.status != "draft" and not service.same_classification(data.classification_code,
                                                                        resource.classification_code):
        errors.add(group.row, CLASSIFICATION, "信息资源代码发布后不再改变，已发布资源不能调整分类；如确需调整，"
                                              "请下架后重新编目。")
    elif resource.status == "published":
        removed = {i.key for i in resource.items} - {i.key for i in data.items}
        blocking = service.blocking_use(session, resource, removed) if removed else []
        if blocking:
            errors.add(group.row, ITEM_NAME, "被删除的信息项（" + _allowed(sorted(removed)) + "）仍在使用（"
                       + _allowed(blocking) + "），请先与使用部门协商撤销授权，或保留这些信息项。")
    return True


def _load_catalog(session: Session, provider: Department, groups: Sequence[_Group]) -> _Catalog:
    r = InformationResource
    classes = {c.code: c for c in session.execute(select(Classification)).scalars()}
    codes = set(session.execute(select(r.code)).scalars())
    names = {name: code for name, code in session.execute(
        select(r.name, r.code).where(r.provider_id == provider.id, r.status != "retired"))}
    existing: dict[str, InformationResource] = {}
    wanted = sorted({g.code for g in groups if g.code and g.code in codes})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        existing.update((x.code, x) for x in session.execute(select(r).where(r.code.in_(chunk))).scalars())
    return _Catalog(provider=provider, classes=classes, codes=codes, names=names, existing=existing)


# ---------------------------------------------------------------- import


def _import_provider(session: Session, actor: Actor, provider_id: int | None) -> Department:
    if not (actor.has(Permission.CATALOG_EDIT) or actor.has(Permission.CATALOG_ADMIN)):
        raise Forbidden("只有部门数据管理员可以导入本部门的信息资源目录。", detail={"permission": "catalog.edit"})
    target = provider_id if provider_id is not None else actor.department_id
    if target is None:
        raise ValidationFailed("请指定导入到哪个提供部门。", code="provider_required", detail={"field": "provider_id"})
    if target != actor.department_id and not actor.has(Permission.CATALOG_ADMIN):
        raise Forbidden("只有平台管理员可以为其他部门导入信息资源目录。", detail={"permission": "catalog.admin"})
    rules.check_edit(actor, target)
    provider = session.get(Department, target)
    if provider is None:
        raise ValidationFailed("提供部门不存在。", code="provider_unknown", detail={"field": "provider_id"})
    return provider


class _Refused(Exception):
    """A row refused while writing: undoes the rows written before it (the report goes back to the user)."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("import refused")
        self.report = report


@use_case
def import_catalog(*, session: Session, actor: Actor, data: bytes, publish: bool = False,
                   provider_id: int | None = None) -> ImportReport:
    """目录批量编制: create and update a department's resources from the xlsx template, all or nothing.

    One use-case: the resources, their versions, the search index, the audit row and the planner
    statistics commit together (or with the caller's use-case). A refused file writes nothing and
    comes back as a report of every bad cell."""
    provider = _import_provider(session, actor, provider_id)
    groups, structural, n_rows = _read_groups(_open_sheet(data))
    errors = _Errors()
    for problem in structural:
        errors.add(problem.row, problem.column, problem.message)
    cat = _load_catalog(session, provider, groups)

    checked: list[tuple[_Group, ResourceIn, bool]] = []  # group, data, whether it changes the catalog
    first_name: dict[str, int] = {}
    first_code: dict[str, int] = {}
    file_codes = {g.code for g in groups if g.code}
    taken = {name: code for name, code in cat.names.items() if code not in file_codes}
    for group in groups:
        resource_in = _check_group(group, cat, errors)
        name, code = group.cells[NAME], group.code
        if name in first_name:
            errors.add(group.row, NAME, f"信息资源名称“{name}”与第 {first_name[name]} 行重复：同一部门的信息资源"
                                        "不能重名，请改名或合并为一个资源。")
        elif name:
            first_name[name] = group.row
        if name in taken and taken[name] != code:
            errors.add(group.row, NAME, f"本部门已有同名信息资源“{name}”（代码 {taken[name]}）：如要修改它，"
                                        f"请在信息资源代码列填写 {taken[name]}；如是另一个资源，请改名。")
        if cells_code := group.cells[PROVIDER_CODE]:
            own = {provider.uscc} | ({cat.existing[code].provider_code} if code in cat.existing else set())
            if cells_code not in own:
                errors.add(group.row, PROVIDER_CODE, f"提供方代码“{cells_code}”与导入部门（{provider.name}，"
                                                     f"{provider.uscc}）不一致：其他部门的资源请由该部门导入。")
        changes = True
        if code:
            if code in first_code:
                errors.add(group.row, CODE, f"信息资源代码“{code}”在第 {first_code[code]} 行已出现，"
                                            "每个资源只能填写一次。")
            first_code.setdefault(code, group.row)
            changes = _check_existing(group, resource_in, cat, session, errors)
        if resource_in is not None:
            checked.append((group, resource_in, changes))

    if errors.by_cell:  # the checks above only read: nothing to undo
        return ImportReport(ok=False, errors=errors.rows())
    try:
        with scope(session):  # a savepoint, so that a refused row leaves nothing of the file behind
            report = _write(session, actor, cat, checked, publish)
            if not report.ok:
                raise _Refused(report)
    except _Refused as refused:
        return refused.report
    except IntegrityError:
        raise Conflict("导入时有人同时在同一分类下编目，请稍后重新导入。", code="catalog_race") from None
    audit.record(session, actor=actor, action="catalog.import", object_type="department", object_id=provider.id,
                 detail={"created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                         "published": report.published, "rows": n_rows,
                         "sha256": hashlib.sha256(data).hexdigest()})
    if report.created + report.updated >= 500:
        search.refresh_statistics(session)
    return report


def _write(session: Session, actor: Actor, cat: _Catalog, checked: Sequence[tuple[_Group, ResourceIn, bool]],
           publish: bool) -> ImportReport:
    report = ImportReport(ok=True)
    group = checked[0][0] if checked else None
    try:
        new = [(g, data) for g, data, _ in checked if not g.code]
        for group, data, changes in checked:
            if not group.code:
                continue
            if not changes:
                report.unchanged += 1
                continue
            resource = cat.existing[group.code]
            _update(session, actor, resource, data)
            report.updated += 1
            report.resources.append(resource.code)
        group = new[0][0] if new else group
        created = service.build_resources(session, actor, [data for _, data in new])
        for resource in created:
            report.created += 1
            if publish:
                _publish(session, actor, resource)
                report.published += 1
            report.resources.append(resource.code)
    except DomainError as exc:  # the checks should have caught it; still report it against the row
        field_name = exc.detail.get("field") if isinstance(exc.detail, dict) else None
        column = _RESOURCE_FIELDS.get(str(field_name), NAME)
        return ImportReport(ok=False, errors=[RowError(row=group.row if group else _FIRST_DATA_ROW, column=column,
                                                       message=exc.message)])
    return report


def _update(session: Session, actor: Actor, resource: InformationResource, data: ResourceIn) -> None:
    """`service.update_resource` without its commit and audit row: the import writes one of each."""
    service.apply_changes(session, actor, resource, data, default_note="表格导入")


def _publish(session: Session, actor: Actor, resource: InformationResource) -> None:
    """`service.publish_resource` for a resource created by this import."""
    service.mark_published(session, actor, resource, note="表格导入并发布")


# ---------------------------------------------------------------- error workbook


def error_workbook(data: bytes, errors: Sequence[RowError]) -> bytes:
    """The uploaded workbook with each bad cell filled red and a last column "错误说明" per row."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    header_row, columns = 2, {}
    for row in sheet.iter_rows(min_row=1, max_row=10):
        found = {_header(c.value): c.column for c in row if c.value is not None}
        if NAME in found and ITEM_NAME in found:
            header_row, columns = row[0].row, found
            break
    note_col = columns.get(ERROR_HEADER)
    if note_col is None:
        note_col = max(columns.values(), default=sheet.max_column) + 1
    else:  # a file that already went through here once: clear the last round's marks on the rows it noted
        for (note,) in sheet.iter_rows(min_row=header_row + 1, min_col=note_col, max_col=note_col):
            if note.value is None:
                continue
            note.value = None
            for column in columns.values():
                cell = sheet.cell(row=note.row, column=column)
                if not isinstance(cell, MergedCell) and cell.fill.fgColor.rgb == _RED.fgColor.rgb:
                    cell.fill = PatternFill()
    title = sheet.cell(row=header_row, column=note_col, value=ERROR_HEADER)
    title.font = Font(bold=True, color="FFC00000")
    sheet.column_dimensions[get_column_letter(note_col)].width = 60
    notes: dict[int, list[str]] = {}
    for error in errors:
        column = columns.get(error.column, columns.get(NAME, 1))
        cell = sheet.cell(row=error.row, column=column)
        if not isinstance(cell, MergedCell):
            cell.fill = _RED
        notes.setdefault(error.row, []).append(f"【{error.column}】{error.message}")
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number, messages in notes.items():
        cell = sheet.cell(row=row_number, column=note_col, value="\n".join(messages))
        cell.alignment = wrap
        cell.font = Font(color="FFC00000")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
