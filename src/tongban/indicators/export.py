"""The evaluation report of a period as a spreadsheet (绩效评估报表, xlsx): a sheet per grouping, the definitions.

Headers are Chinese, figures are numbers (percentages as numbers with a % format, never text), an empty cell
where a figure has no denominator. Built from the same report the API answers (queries.report).
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.indicators.definitions import DIRECTION_LABELS, INDICATORS, SOURCE_LABELS, UNIT_LABELS
from tongban.indicators.queries import report
from tongban.indicators.schemas import GROUP_LABELS, Group, IndicatorReport, parse_query

SHEETS = (("department", "按部门"), ("item", "按事项"), ("region", "按行政区划"), ("month", "按月份"))
_BOLD = Font(bold=True)


def _header(ws: Worksheet, titles: list[str]) -> None:
    ws.append(titles)
    for cell in ws[ws.max_row]:
        cell.font = _BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = f"B{ws.max_row + 1}"  # a coordinate: ws.cell() would create the row below


def _figure_titles() -> list[str]:
    return [f"{i.name}（{UNIT_LABELS[i.unit]}）" for i in INDICATORS]


def _figure_cells(group: Group) -> list[Any]:
    cells: list[Any] = []
    for i in INDICATORS:
        v = group.values.get(i.code)
        cells.append(None if v is None else (v / 100 if i.unit == "percent" else v))
    return cells


def _format(ws: Worksheet, first_row: int, first_col: int) -> None:
    for col, i in enumerate(INDICATORS, start=first_col):
        fmt = "0.00%" if i.unit == "percent" else ("0" if i.unit == "count" else "0.00")
        for row in ws.iter_rows(min_row=first_row, min_col=col, max_col=col):
            row[0].number_format = fmt


def _group_sheet(wb: Workbook, title: str, label: str, rep: IndicatorReport) -> None:
    ws = wb.create_sheet(title)
    _header(ws, [label, "编码", *_figure_titles(), "办结件数", "有效评价数", "差评数", "预警件次"])
    for g in [*rep.groups, rep.total]:
        ws.append([g.name, g.key, *_figure_cells(g), g.counters["cases_decided"], g.counters["ratings"],
                   g.counters["ratings_bad"], g.counters["alerts_raised"]])
    ws.cell(row=ws.max_row, column=1).font = _BOLD
    _format(ws, 2, 3)
    ws.column_dimensions["A"].width = 32


def workbook(session: Session, actor: Actor, values: dict[str, Any]) -> tuple[bytes, str]:
    """The xlsx of a period's evaluation report and its file name; the same filters as the API."""
    query, period = parse_query({**values, "limit": 1000})
    reports = {group: report(session, actor, query.model_copy(update={"group_by": group}), period)
               for group, _ in SHEETS}
    first = reports["department"]
    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    ws.append(["绩效评估报表"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["统计期间", period.label])
    ws.append(["起始日期", period.start])
    ws.append(["结束日期", period.end])
    ws.append(["范围", "全部部门" if first.scope == "all" else "本部门"])
    ws.append(["实施清单快照日", first.catalog_day])
    ws.append(["说明", "比率 = 分子之和 ÷ 分母之和（先汇总后相除）；无分母的单元格留空。各指标口径见“指标定义”表。"])
    for row in ws.iter_rows(min_row=3, max_row=6, min_col=2, max_col=2):
        row[0].number_format = "yyyy-mm-dd"
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 60
    for group, title in SHEETS:
        _group_sheet(wb, title, GROUP_LABELS[group], reports[group])
    defs = wb.create_sheet("指标定义")
    _header(defs, ["指标", "代码", "计算方法", "分子", "分母", "单位", "方向", "数据来源", "统计口径"])
    for i in INDICATORS:
        defs.append([i.name, i.code, i.formula, i.numerator, i.denominator or "", UNIT_LABELS[i.unit],
                     DIRECTION_LABELS[i.direction], SOURCE_LABELS[i.source], i.scope])
    for col, width in zip("ABCDEFGHI", (18, 18, 60, 22, 18, 10, 10, 12, 60), strict=True):
        defs.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    name = f"绩效评估报表_{period.start.isoformat()}_{period.end.isoformat()}.xlsx"
    return out.getvalue(), name
