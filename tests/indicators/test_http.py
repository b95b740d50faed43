"""The indicators over HTTP: least privilege, stable errors on bad periods and filters, the page, the xlsx."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from tests.indicators.conftest import World

from tongban import clock
from tongban.indicators import rollup
from tongban.indicators.definitions import INDICATORS


@pytest.fixture
def rolled(session: Session, world: World) -> World:
    with clock.frozen(dt.date(2026, 11, 30)):
        rollup.refresh(session)
    return world


def test_department_head_reads_only_their_department(rolled: World, as_user: Any) -> None:
    city = rolled.city
    head = as_user(city.users["amr_admin"])
    body = head.get("/api/v1/indicators", params={"period": "2026-11"}).json()
    assert body["scope"] == "department"
    assert [g["name"] for g in body["groups"]] == ["安康市市场监督管理局"]
    assert body["total"]["counters"]["cases_decided"] == 3  # c1, c2, c3: the AMR's alone
    assert body["total"]["values"]["online_available"] == 50.0  # its own lists: A online, B not
    r = head.get("/api/v1/indicators", params={"period": "2026-11", "department_id": city.hrss.id})
    assert r.status_code == 403 and r.json()["code"] == "indicator_scope"
    assert head.get("/api/v1/indicators/export", params={"department_id": city.hrss.id}).status_code == 403
    page = head.get("/indicators", params={"period": "2026-11"})
    assert page.status_code == 200
    assert "有限责任公司设立登记" in page.text and "单位参保登记" not in page.text
    assert 'name="department_id"' not in page.text  # no department select for a head
    # Staff without the permission (a window clerk, a data officer) are refused; the supervisor and the
    # platform admin read every department.
    for who in ("amr_clerk", "amr_data"):
        assert as_user(city.users[who]).get("/api/v1/indicators").status_code == 403
        assert as_user(city.users[who]).get("/indicators").status_code == 403
    for who in ("supervisor", "admin"):
        body = as_user(city.users[who]).get("/api/v1/indicators", params={"period": "2026-11"}).json()
        assert body["scope"] == "all" and body["total"]["counters"]["cases_decided"] == 5
    citizen = as_user(city.users["citizen"])
    assert citizen.get("/api/v1/indicators").status_code == 403


@pytest.mark.parametrize(("params", "code", "field"), [
    ({"period": "2026-13"}, "bad_period", "period"),
    ({"period": "26-11"}, "bad_period", "period"),
    ({"period": "2026-Q5"}, "bad_period", "period"),
    ({"period": "1999"}, "bad_period", "period"),
    ({"period": "2026-11", "start": "2026-11-01", "end": "2026-11-30"}, "bad_period", "period"),
    ({"start": "2026-11-01"}, "bad_period", "end"),
    ({"start": "2026-11-30", "end": "2026-11-01"}, "bad_period", "end"),
    ({"start": "2020-01-01", "end": "2026-11-01"}, "bad_period", "end"),
    ({"start": "2026-11-31", "end": "2026-12-01"}, "validation_failed", "start"),
    ({"group_by": "weekday"}, "validation_failed", "group_by"),
    ({"limit": "0"}, "validation_failed", "limit"),
    ({"item_code": "a' or 1=1"}, "validation_failed", "item_code"),
])
def test_bad_periods_and_filters_get_stable_errors(rolled: World, as_user: Any, params: dict[str, str], code: str,
                                                   field: str) -> None:
    r = as_user(rolled.city.users["supervisor"]).get("/api/v1/indicators", params=params)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == code
    assert any(field in f["field"] for f in body["detail"]["fields"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])  # a Chinese message


def test_page_shows_definitions_tables_and_chart_data(rolled: World, as_user: Any) -> None:
    client = as_user(rolled.city.users["supervisor"])
    page = client.get("/indicators", params={"period": "2026-11"})
    assert page.status_code == 200
    html = page.text
    for i in INDICATORS:  # each figure with its definition beside it
        assert i.name in html and i.formula.replace("&", "&amp;") in html
    assert 'id="indicators-data"' in html and "/static/js/indicators.js" in html
    assert "<script>" not in html  # no inline script (CSP)
    assert 'id="table-groups"' in html and 'id="table-months"' in html  # the tables behind the charts
    assert "80.00%" in html  # 按时办结率, November
    assert 'href="/api/v1/indicators/export?period=2026-11"' in html
    bad = client.get("/indicators", params={"period": "2026-13"})
    assert bad.status_code == 422 and "统计期间格式不对" in bad.text
    one = client.get("/indicators", params={"period": "2026-11", "department_id": rolled.city.hrss.id})
    assert one.status_code == 200 and "单位参保登记" in one.text


def test_openapi_documents_the_indicators(rolled: World, as_user: Any) -> None:
    spec = as_user(rolled.city.users["supervisor"]).get("/openapi.json").json()
    assert {"/api/v1/indicators", "/api/v1/indicators/definitions", "/api/v1/indicators/export"} <= set(spec["paths"])
    definitions = as_user(rolled.city.users["amr_admin"]).get("/api/v1/indicators/definitions").json()
    assert [d["code"] for d in definitions] == [i.code for i in INDICATORS]


def test_evaluation_report_xlsx(rolled: World, as_user: Any) -> None:
    r = as_user(rolled.city.users["supervisor"]).get("/api/v1/indicators/export", params={"period": "2026-11"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["说明", "按部门", "按事项", "按行政区划", "按月份", "指标定义"]
    info = {row[0]: row[1] for row in wb["说明"].iter_rows(min_row=2, values_only=True)}
    assert info["统计期间"] == "2026年11月" and info["范围"] == "全部部门"
    sheet = wb["按部门"]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["部门", "编码"] and "按时办结率（%）" in header and "办结件数" in header
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == ["安康市人力资源和社会保障局", "安康市市场监督管理局", "合计"]
    amr = rows["安康市市场监督管理局"]
    assert amr["按时办结率（%）"] == pytest.approx(0.6667) and amr["办结件数"] == 3  # numbers, not text
    assert rows["安康市人力资源和社会保障局"]["实际办理时长（个工作日）"] is None  # no denominator: empty
    assert rows["合计"]["办结件数"] == 5 and rows["合计"]["平均跑动次数（次）"] == pytest.approx(0.6)
    col = header.index("按时办结率（%）") + 1
    assert sheet.cell(row=2, column=col).number_format == "0.00%"
    months = [row[0] for row in wb["按月份"].iter_rows(min_row=2, values_only=True)]
    assert months == ["2026年11月", "合计"]
    definitions = list(wb["指标定义"].iter_rows(min_row=2, values_only=True))
    assert [d[0] for d in definitions] == [i.name for i in INDICATORS]
    assert definitions[0][2] == INDICATORS[0].formula
