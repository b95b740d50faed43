"""实施清单 spreadsheets: export a department's (or the platform's chosen) implementation list, import it back.

Two sheets: "实施清单" (one row per implementation, the basic item's four elements included read-only) and
"申请材料" (one row per material, tied to its item by 事项编码). An import is the department's own act and
all-or-nothing: every row is checked before anything is written, every problem is reported against its
sheet, row and column in Chinese, and a file with any bad row writes nothing. Rows equal to the list as it
stands change nothing, so a file exported and imported again is a no-op.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, Field, ValidationError
from python_calamine import CalamineWorkbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.errors import DomainError, NotFound, ValidationFailed, translate_validation_errors
from tongban.items import permissions as rules
from tongban.items import service
from tongban.items.models import BasicItem, Implementation
from tongban.items.schemas import SOURCE_LABELS, STATUS_LABELS, ImplementationIn
from tongban.org.models import Department
from tongban.transactions import scope, use_case

SHEET = "实施清单"
MATERIAL_SHEET = "申请材料"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5_000
MAX_MATERIAL_ROWS = 50_000
_MAX_UNZIPPED = 200 * 1024 * 1024
_BAD_FILE = "只能导入 Excel 2007 及以上版本的 .xlsx 文件；请在 Excel 或 WPS 中“另存为”.xlsx 格式后重新上传。"

(CODE, NAME, ITEM_TYPE, LEGAL_BASIS, DEPARTMENT, LEVEL, STATUS, VERSION, LEGAL_DAYS, PROMISED_DAYS, FEE,
 CONDITIONS, STEPS, VISITS, CHANNELS, SERVICE_OBJECTS, CONSULT, COMPLAINT, PLACE, HOURS, ONLINE, INSTANT, RESULT,
 LICENCE_TYPE) = COLUMNS = (
    "事项编码", "事项名称", "事项类型", "设定依据", "实施主体", "行使层级", "状态", "版本",
    "法定办结时限（工作日）", "承诺办结时限（工作日）", "收费", "申请条件", "办理流程", "到办事现场次数",
    "办理渠道", "服务对象", "咨询电话", "投诉电话", "办理地点", "办理时间", "是否网上可办", "是否即办件",
    "结果名称", "结果证照类型")
(M_CODE, M_NAME, M_SOURCE, M_REF, M_REQUIRED, M_NOTE) = MATERIAL_COLUMNS = (
    "事项编码", "材料名称", "材料来源", "来源依据", "是否必需", "说明")
_READ_ONLY = (NAME, ITEM_TYPE, LEGAL_BASIS, DEPARTMENT, LEVEL, STATUS, VERSION)  # exported, not imported
_REQUIRED_HEADERS = (CODE, LEGAL_DAYS, PROMISED_DAYS)
# ImplementationIn's fields → the column that holds them (errors name the column the user sees).
_FIELD_COLUMNS = {
    "basic_code": CODE, "code": CODE, "name": NAME, "item_type": ITEM_TYPE, "legal_basis": LEGAL_BASIS,
    "legal_days": LEGAL_DAYS, "promised_days": PROMISED_DAYS, "fee": FEE, "conditions": CONDITIONS, "steps": STEPS,
    "visits": VISITS, "channels": CHANNELS, "service_objects": SERVICE_OBJECTS, "consult_phone": CONSULT,
    "complaint_phone": COMPLAINT, "place": PLACE, "hours": HOURS, "online": ONLINE, "instant": INSTANT,
    "result_name": RESULT, "licence_type": LICENCE_TYPE,
}
_MATERIAL_FIELDS = {"name": M_NAME, "source": M_SOURCE, "ref": M_REF, "required": M_REQUIRED, "note": M_NOTE}
_WIDTHS = (16, 24, 12, 36, 28, 8, 8, 6, 12, 12, 14, 36, 30, 10, 18, 16, 16, 12, 30, 24, 10, 10, 20, 18)
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "0", "×"}
_LIST_SPLIT = re.compile(r"[、,，;；]+")
_SOURCE_BY_LABEL = {**{v: k for k, v in SOURCE_LABELS.items()}, **{k: k for k in SOURCE_LABELS},
                    "上传": "upload", "共享": "shared", "证照": "licence", "一件事": "bundle"}
_HEAD = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
_GREY = PatternFill(fill_type="solid", start_color="FFEDEDED", end_color="FFEDEDED")


class RowError(BaseModel):
    """One problem of an uploaded file: the sheet, the spreadsheet row (1-based) and column the user sees."""

    sheet: str
    row: int
    column: str
    message: str


class ImportReport(BaseModel):
    ok: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = Field(default_factory=list)
    codes: list[str] = Field(default_factory=list)  # 事项编码 of the created and updated implementations


# ---------------------------------------------------------------- cells


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _text(value: Any) -> str:
    """A cell as the text the user typed: 10.0 → "10", a date → "2026-01-31"."""
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
    """A header as written, forgiving marks users add: "*事项编码", "事项编码（必填）" (but keep "（工作日）")."""
    text = re.sub(r"[\s*＊]", "", _text(value))
    return re.sub(r"[（(](必填|选填)[）)]$", "", text)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]


def _list(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


# ---------------------------------------------------------------- export


def _scope(session: Session, actor: Actor, department_id: int | None) -> tuple[list[Implementation], str]:
    """Whose list: a department's staff export their own; the platform any department's, or all (None)."""
    platform = actor.has(Permission.ITEM_REVIEW) or actor.has(Permission.ITEM_CATALOG_MANAGE)
    if not platform:
        rules.check_manage(actor, department_id or actor.department_id or 0)  # only its own list
        department_id = actor.department_id
    q = select(Implementation).join(BasicItem, BasicItem.id == Implementation.basic_item_id)
    label = "全部部门"
    if department_id is not None:
        department = session.get(Department, department_id)
        if department is None:
            raise NotFound("未找到该部门。", code="department_not_found", detail={"field": "department_id"})
        q = q.where(Implementation.department_id == department_id)
        label = department.name
    rows = session.execute(q.order_by(BasicItem.code, Implementation.id)).scalars().all()
    return list(rows), label


def export_implementations(*, session: Session, actor: Actor, department_id: int | None = None) -> bytes:
    """The implementation list (working copies, every state) as an xlsx the department can edit and import."""
    impls, label = _scope(session, actor, department_id)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    materials = book.create_sheet(MATERIAL_SHEET)
    materials.append(list(MATERIAL_COLUMNS))
    for impl in impls:
        b = impl.basic
        sheet.append([
            b.code, b.name, b.item_type, b.legal_basis, impl.department.name, impl.level,
            STATUS_LABELS.get(impl.status, impl.status), impl.published_version, impl.legal_days,
            impl.promised_days, impl.fee, "\n".join(impl.conditions), "\n".join(impl.steps), impl.visits,
            "、".join(impl.channels), "、".join(impl.service_objects), impl.consult_phone, impl.complaint_phone,
            impl.place, impl.hours, _yes_no(impl.online), _yes_no(impl.instant), impl.result_name,
            impl.licence_type or ""])
        for m in impl.materials:
            materials.append([b.code, m.name, SOURCE_LABELS.get(m.source, m.source), m.ref, _yes_no(m.required),
                              m.note])
    _style(sheet, COLUMNS, _WIDTHS)
    _style(materials, MATERIAL_COLUMNS, (16, 28, 20, 36, 10, 40))
    guide = book.create_sheet("填写说明")
    for row in _guide(label):
        guide.append(list(row))
    guide.column_dimensions["A"].width, guide.column_dimensions["B"].width = 24, 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _style(sheet: Any, columns: Iterable[str], widths: Iterable[int]) -> None:
    for i, (name, width) in enumerate(zip(columns, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = _GREY if name in _READ_ONLY else _HEAD
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "B2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text typed by a department, never a formula Excel would run


def _guide(label: str) -> list[tuple[str, str]]:
    return [
        ("导出范围", label),
        ("导入方式", "由实施部门本部门的事项管理人员导入本部门的实施清单；整个文件要么全部导入，要么不作任何更改。"),
        ("事项编码", "基本目录中的事项编码；本部门已有该事项的实施清单时更新，没有时新建草稿。"),
        ("灰色列", "事项名称、事项类型、设定依据来自基本目录（三级四同），实施清单不能更改，填写时须与基本目录一致；"
                 "实施主体、行使层级、状态、版本仅供查看，导入时不读取。"),
        ("办结时限", "工作日数，整数；承诺时限不能长于法定时限，0 为即办。"),
        ("申请条件、办理流程", "每行一条（单元格内换行）。"),
        ("办理渠道、服务对象", "多个用顿号“、”分隔。"),
        ("是否网上可办、是否即办件、是否必需", "填“是”或“否”。"),
        ("材料来源", "、".join(SOURCE_LABELS.values())),
        ("来源依据", "电子证照：证照类型名称；共享数据：“资源名称:信息项,信息项”；"
                 "一件事内其他事项办理结果：产生该材料的事项编码；免提交时在“说明”中写明免提交的依据。"),
        ("修订", "已发布的实施清单修改后成为待提交的修订草稿，审核通过前公众看到的仍是已发布版本；"
               "待审核和已停用的不能导入修改。"),
    ]


# ---------------------------------------------------------------- import: reading


@dataclass
class _Row:
    row: int
    cells: dict[str, str]
    materials: list[tuple[int, dict[str, str]]] = field(default_factory=list)


class _Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []
        self._seen: set[tuple[str, int, str]] = set()

    def add(self, sheet: str, row: int, column: str, message: str) -> None:
        if (sheet, row, column) in self._seen:  # one message per cell: the first problem found
            return
        self._seen.add((sheet, row, column))
        self.items.append(RowError(sheet=sheet, row=row, column=column, message=message))

    def sorted(self) -> list[RowError]:
        order = {SHEET: 0, MATERIAL_SHEET: 1}
        return sorted(self.items, key=lambda e: (order.get(e.sheet, 2), e.row))


def _open(data: bytes) -> CalamineWorkbook:
    """The workbook, after the limits that keep a hostile or wrong file from costing work."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed("文件超过 10 MB，请拆分后分批导入。", code="bad_file", detail={"field": "file"})
    if not data.startswith(b"PK\x03\x04"):
        raise ValidationFailed(_BAD_FILE, code="bad_file", detail={"field": "file"})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ValidationFailed(_BAD_FILE, code="bad_file", detail={"field": "file"}) from None
    if "xl/workbook.xml" not in names:
        raise ValidationFailed(_BAD_FILE, code="bad_file", detail={"field": "file"})
    if inflated > _MAX_UNZIPPED:
        raise ValidationFailed("文件内容过大，请拆分后分批导入。", code="bad_file", detail={"field": "file"})
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine raises several error types for files it cannot parse
        raise ValidationFailed("文件已损坏或无法读取：" + _BAD_FILE, code="bad_file",
                               detail={"field": "file"}) from None


def _table(book: CalamineWorkbook, name: str, columns: tuple[str, ...], limit: int, errors: _Errors,
           *, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The data rows of a sheet as {column: text}, with their spreadsheet row numbers (blank rows skipped)."""
    if name not in book.sheet_names:
        if name == SHEET and book.sheet_names:
            name_used = book.sheet_names[0]
        else:
            return []
    else:
        name_used = name
    sheet = book.get_sheet_by_name(name_used)
    if sheet.height > limit + 1:
        raise ValidationFailed(f"工作表“{name}”超过 {limit} 行，请拆分后分批导入。", code="too_many_rows",
                               detail={"field": "file"})
    rows = sheet.to_python(skip_empty_area=False)
    if not rows:
        for column in required:
            errors.add(name, 1, column, f"第 1 行应为表头，缺少“{column}”列；请使用导出的表格填写。")
        return []
    headers = [_header(v) for v in rows[0]]
    index = {h: i for i, h in enumerate(headers) if h in columns}
    for column in required:
        if column not in index:
            errors.add(name, 1, column, f"缺少“{column}”列；请使用导出的表格填写，不要删改表头。")
    out: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(rows[1:], start=2):
        cells = {c: _text(values[i]) if i < len(values) else "" for c, i in index.items()}
        if any(cells.values()):
            out.append((number, cells))
    return out


# ---------------------------------------------------------------- import: checking


def _int(cells: dict[str, str], column: str, errors: _Errors, row: int) -> int | str | None:
    raw = cells.get(column, "")
    if raw == "":
        return None
    if re.fullmatch(r"\d{1,4}", raw):
        return int(raw)
    errors.add(SHEET, row, column, f"“{raw}”不是整数：请填写天数或次数，如 5。")
    return raw


def _flag(sheet: str, cells: dict[str, str], column: str, errors: _Errors, row: int) -> bool | None:
    raw = cells.get(column, "")
    if raw == "":
        return None
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    errors.add(sheet, row, column, f"“{raw}”无法识别：请填写“是”或“否”。")
    return None


def _payload(item: _Row, errors: _Errors) -> dict[str, Any]:
    """The row as ImplementationIn's input; what cannot be read is reported and left out."""
    c, r = item.cells, item.row
    payload: dict[str, Any] = {"basic_code": c.get(CODE, "")}
    for column, key in ((NAME, "name"), (ITEM_TYPE, "item_type"), (LEGAL_BASIS, "legal_basis")):
        if c.get(column):
            payload[key] = c[column]
    for column, key in ((LEGAL_DAYS, "legal_days"), (PROMISED_DAYS, "promised_days"), (VISITS, "visits")):
        value = _int(c, column, errors, r)
        if isinstance(value, int):
            payload[key] = value
    for column, key in ((FEE, "fee"), (CONSULT, "consult_phone"), (COMPLAINT, "complaint_phone"),
                        (PLACE, "place"), (HOURS, "hours"), (RESULT, "result_name")):
        if c.get(column):
            payload[key] = c[column]
    payload["licence_type"] = c.get(LICENCE_TYPE) or None
    payload["conditions"] = _lines(c.get(CONDITIONS, ""))
    payload["steps"] = _lines(c.get(STEPS, ""))
    payload["channels"] = _list(c.get(CHANNELS, ""))
    payload["service_objects"] = _list(c.get(SERVICE_OBJECTS, ""))
    for column, key in ((ONLINE, "online"), (INSTANT, "instant")):
        flag = _flag(SHEET, c, column, errors, r)
        if flag is not None:
            payload[key] = flag
    materials: list[dict[str, Any]] = []
    for m_row, m in item.materials:
        source = _SOURCE_BY_LABEL.get(m.get(M_SOURCE, "") or "申请人上传")
        if source is None:
            errors.add(MATERIAL_SHEET, m_row, M_SOURCE, f"材料来源“{m[M_SOURCE]}”无法识别：请填写"
                                                         + "、".join(SOURCE_LABELS.values()) + "之一。")
            source = "upload"
        required = _flag(MATERIAL_SHEET, m, M_REQUIRED, errors, m_row)
        materials.append({"name": m.get(M_NAME, ""), "source": source, "ref": m.get(M_REF, ""),
                          "required": True if required is None else required, "note": m.get(M_NOTE, "")})
    payload["materials"] = materials
    return payload


def _validation_errors(exc: ValidationError, item: _Row, errors: _Errors) -> None:
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if loc and loc[0] == "materials" and len(loc) >= 2 and isinstance(loc[1], int) \
                and loc[1] < len(item.materials):
            m_row = item.materials[loc[1]][0]
            if len(loc) >= 3:
                column = _MATERIAL_FIELDS.get(str(loc[2]), M_NAME)
                message = translate_validation_errors([{**err, "loc": (column,)}])[1][0]["message"]
            else:  # the material's own rule: a complete sentence naming what to fill in
                message = str(err.get("msg", "")).removeprefix("Value error, ")
                column = M_REF if "（ref）" in message else M_NOTE if "（note）" in message else M_NAME
                message = message.replace("（ref）", f"（“{M_REF}”列）").replace("（note）", f"（“{M_NOTE}”列）")
            errors.add(MATERIAL_SHEET, m_row, column, message + "。")
            continue
        if not loc:  # the cross-field rules: a complete Chinese sentence
            text = str(err.get("msg", "")).removeprefix("Value error, ")
            column = PROMISED_DAYS if "时限" in text else M_NAME if "材料" in text else CODE
            errors.add(SHEET, item.row, column, text + "。")
            continue
        column = _FIELD_COLUMNS.get(str(loc[0]), CODE)
        message = translate_validation_errors([{**err, "loc": (column,)}])[1][0]["message"]
        errors.add(SHEET, item.row, column, message + "。")


def _comparable(data: ImplementationIn) -> dict[str, Any]:
    return data.model_dump(exclude={"department_id", "name", "code", "item_type", "legal_basis", "change_note"})


def _current(impl: Implementation) -> dict[str, Any]:
    r = service.read(impl)
    return _comparable(ImplementationIn.model_validate({
        "basic_code": r.code, "legal_days": r.legal_days, "promised_days": r.promised_days, "fee": r.fee,
        "conditions": r.conditions, "steps": r.steps, "visits": r.visits, "channels": r.channels,
        "service_objects": r.service_objects, "consult_phone": r.consult_phone, "complaint_phone": r.complaint_phone,
        "place": r.place, "hours": r.hours, "online": r.online, "instant": r.instant, "result_name": r.result_name,
        "licence_type": r.licence_type,
        "materials": [{"name": m.name, "source": m.source, "ref": m.ref, "required": m.required, "note": m.note}
                      for m in r.materials]}))


class _Refused(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("import refused")
        self.report = report


@use_case
def import_implementations(*, session: Session, actor: Actor, data: bytes) -> ImportReport:
    """实施清单批量编制: create and update the caller's department's implementations from the xlsx, all or
    nothing. One use-case: the rows, their audit entries and the import's own entry commit together; a file
    with any bad row writes nothing and comes back as a report of every problem (sheet, row, column)."""
    if actor.department_id is None:
        actor.require(Permission.ITEM_MANAGE)
    rules.check_manage(actor, actor.department_id or 0)
    department_id = actor.department_id
    assert department_id is not None
    book = _open(data)
    errors = _Errors()
    rows = [_Row(n, cells) for n, cells in _table(book, SHEET, COLUMNS, MAX_ROWS, errors,
                                                      required=_REQUIRED_HEADERS)]
    material_rows = _table(book, MATERIAL_SHEET, MATERIAL_COLUMNS, MAX_MATERIAL_ROWS, errors,
                           required=(M_CODE, M_NAME)) if MATERIAL_SHEET in book.sheet_names else []
    if errors.items:  # a wrong header makes every row's report meaningless
        return ImportReport(ok=False, errors=errors.sorted())

    by_code: dict[str, _Row] = {}
    for item in rows:
        code = item.cells.get(CODE, "")
        if not code:
            errors.add(SHEET, item.row, CODE, "请填写事项编码（基本目录中的编码）。")
        elif code in by_code:
            errors.add(SHEET, item.row, CODE,
                       f"事项编码 {code} 在第 {by_code[code].row} 行已出现，每个事项只能填写一行。")
        else:
            by_code[code] = item
    for m_row, cells in material_rows:
        code = cells.get(M_CODE, "")
        if code not in by_code:
            errors.add(MATERIAL_SHEET, m_row, M_CODE,
                       f"事项编码“{code}”不在“{SHEET}”工作表中：请先在“{SHEET}”中填写该事项，或改正编码。"
                       if code else "请填写该材料所属事项的事项编码。")
            continue
        by_code[code].materials.append((m_row, cells))

    basics = {b.code: b for b in session.execute(select(BasicItem).where(BasicItem.code.in_(list(by_code))))
              .scalars()}
    existing = {i.basic.code: i for i in session.execute(select(Implementation).where(
        Implementation.department_id == department_id)).scalars()}
    plan: list[tuple[_Row, ImplementationIn, Implementation | None]] = []
    unchanged = 0
    department = session.get(Department, department_id)
    level = service.level_of(session, department.region_code) if department is not None else "市级"
    for code, item in by_code.items():
        basic = basics.get(code)
        if basic is None:
            errors.add(SHEET, item.row, CODE, f"基本目录中没有事项编码为 {code} 的事项：请核对编码，"
                                              "或请平台管理员先将该事项列入基本目录。")
            continue
        payload = _payload(item, errors)
        locked = False
        for key in ("name", "item_type", "legal_basis"):  # 三级四同, each column on its own
            try:
                given: dict[str, Any] = {"name": None, "code": None, "item_type": None, "legal_basis": None,
                                         key: payload.get(key)}
                service.check_basic_elements(basic, ImplementationIn.model_construct(**given))
            except ValidationFailed as exc:
                errors.add(SHEET, item.row, _FIELD_COLUMNS[key], exc.message)
                locked = True
        try:
            data_in = ImplementationIn.model_validate(payload)
        except ValidationError as exc:
            _validation_errors(exc, item, errors)
            continue
        if locked:
            continue
        impl = existing.get(code)
        if impl is None:  # a new implementation: this department's level must exercise the item (三级四同)
            try:
                service.check_level(basic, level, department.name if department is not None else "")
            except ValidationFailed as exc:
                errors.add(SHEET, item.row, LEVEL, exc.message)
                continue
        if impl is not None:
            if _current(impl) == _comparable(data_in):
                unchanged += 1
                continue
            if impl.status == "review":
                errors.add(SHEET, item.row, CODE, f"“{basic.name}”正在审核中，不能导入修改：请等待审核结果，"
                                                  "或从文件中删除这一行。")
                continue
            if impl.status == "retired":
                errors.add(SHEET, item.row, CODE, f"“{basic.name}”已停用，不能导入修改：请从文件中删除这一行。")
                continue
        plan.append((item, data_in, impl))

    if errors.items:  # the checks above only read: nothing to undo
        return ImportReport(ok=False, errors=errors.sorted(), unchanged=unchanged)
    report = ImportReport(ok=True, unchanged=unchanged)
    try:
        with scope(session):  # a savepoint: a row refused while writing leaves nothing of the file behind
            for item, data_in, impl in plan:
                data_in = data_in.model_copy(update={"change_note": "表格导入"})
                try:
                    if impl is None:
                        service.create_implementation(session=session, actor=actor, implementation_in=data_in)
                        report.created += 1
                    else:
                        service.update_implementation(session=session, actor=actor, implementation_id=impl.id,
                                                      implementation_in=data_in)
                        report.updated += 1
                except DomainError as exc:
                    errors.add(SHEET, item.row, CODE, exc.message)
                    raise _Refused(ImportReport(ok=False, errors=errors.sorted())) from None
                report.codes.append(data_in.basic_code)
    except _Refused as refused:
        return refused.report
    audit.record(session, actor=actor, action="item.implementations_import", object_type="department",
                 object_id=department_id, detail={"created": report.created, "updated": report.updated,
                                                  "unchanged": report.unchanged, "rows": len(rows),
                                                  "sha256": hashlib.sha256(data).hexdigest()})
    return report
