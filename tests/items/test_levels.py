"""三级四同 行使层级: an implementation's level (its department's region: 省级 / 市级 / 县级) must be one of the
basic item's levels — refused otherwise in the service, the API and the xlsx import (a row report), and a
basic item cannot drop a level still implemented. The demo city's lists keep the rule."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import login
from tests.items.conftest import FOOD_CODE, ItemsWorld, impl_in
from tongban.demo import items_data
from tongban.demo.city import DEPARTMENTS, REGIONS
from tongban.demo.loader import DemoSummary
from tongban.errors import ValidationFailed
from tongban.items import service, spreadsheet
from tongban.items.models import BasicItem, Implementation
from tongban.items.schemas import BasicItemIn

CITY_ONLY = "011011000000"


def _city_only(session: Session, world: ItemsWorld) -> BasicItem:
    return service.create_basic_item(session=session, actor=world.actor("admin"), item_in=BasicItemIn(
        code=CITY_ONLY, name="食品生产许可", item_type="行政许可", legal_basis="《中华人民共和国食品安全法》第三十五条",
        levels=["市级"]))


def _count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Implementation)).scalar_one()


def test_a_county_department_cannot_implement_a_city_level_item(session: Session, items_world: ItemsWorld) -> None:
    _city_only(session, items_world)
    with pytest.raises(ValidationFailed) as exc:
        service.create_implementation(session=session, actor=items_world.actor("hb_admin"),
                                      implementation_in=impl_in(basic_code=CITY_ONLY))
    assert exc.value.code == "level_not_exercised" and exc.value.status_code == 422
    assert "行使层级为市级" in exc.value.message and "安康市汉滨区市场监督管理局为县级部门" in exc.value.message
    assert _count(session) == 0
    # The city's department may; so may the county once the basic item lists 县级.
    service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                  implementation_in=impl_in(basic_code=CITY_ONLY))
    service.update_basic_item(session=session, actor=items_world.actor("admin"), code=CITY_ONLY, item_in=BasicItemIn(
        code=CITY_ONLY, name="食品生产许可", item_type="行政许可", legal_basis="《中华人民共和国食品安全法》第三十五条",
        levels=["市级", "县级"]))
    impl = service.create_implementation(session=session, actor=items_world.actor("hb_admin"),
                                         implementation_in=impl_in(basic_code=CITY_ONLY))
    assert impl.level == "县级"


def test_a_level_still_implemented_cannot_be_dropped(session: Session, items_world: ItemsWorld) -> None:
    service.create_implementation(session=session, actor=items_world.actor("hb_admin"), implementation_in=impl_in())
    with pytest.raises(ValidationFailed) as exc:
        service.update_basic_item(session=session, actor=items_world.actor("admin"), code=FOOD_CODE,
                                  item_in=BasicItemIn(code=FOOD_CODE, name="食品经营许可", item_type="行政许可",
                                                      legal_basis="《中华人民共和国食品安全法》第三十五条",
                                                      levels=["市级"]))
    assert exc.value.code == "level_in_use" and "县级 1 个" in exc.value.message
    session.expire_all()
    assert session.execute(select(BasicItem.levels).where(BasicItem.code == FOOD_CODE)).scalar_one() == ["市级", "县级"]


def test_the_api_refuses_the_wrong_level(client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    _city_only(session, items_world)
    h = {"X-CSRF-Token": login(client, "hb_admin")}
    r = client.post("/api/v1/items/implementations",
                    json=impl_in(basic_code=CITY_ONLY).model_dump(mode="json", exclude_none=True), headers=h)
    assert r.status_code == 422 and r.json()["code"] == "level_not_exercised"
    assert "行使层级为市级" in r.json()["message"]
    assert _count(session) == 0


def test_the_xlsx_import_reports_the_row_with_the_wrong_level(session: Session, items_world: ItemsWorld) -> None:
    _city_only(session, items_world)
    book = Workbook()
    sheet = book.active
    sheet.title = spreadsheet.SHEET
    sheet.append(list(spreadsheet.COLUMNS))
    row = {spreadsheet.CODE: FOOD_CODE, spreadsheet.LEGAL_DAYS: 20, spreadsheet.PROMISED_DAYS: 10}
    sheet.append([row.get(c, "") for c in spreadsheet.COLUMNS])
    sheet.append([{**row, spreadsheet.CODE: CITY_ONLY}.get(c, "") for c in spreadsheet.COLUMNS])
    out = io.BytesIO()
    book.save(out)
    report = spreadsheet.import_implementations(session=session, actor=items_world.actor("hb_admin"),
                                                data=out.getvalue())
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, "行使层级")]
    assert "行使层级为市级" in report.errors[0].message
    assert _count(session) == 0  # the good row is not written either


def test_the_demo_lists_keep_the_levels(demo: DemoSummary, session: Session) -> None:
    """The demo data itself (no database), then the demo as loaded through the domain (which checks it)."""
    levels = {"province": "省级", "city": "市级", "county": "县级", "township": "县级"}
    region_level = {r.code: levels[r.level] for r in REGIONS}
    dept_region = {d.code: d.region_code for d in DEPARTMENTS}
    basics = {b.code: b for b in items_data.BASIC_ITEMS}
    wrong = [(basics[i.basic_code].name, i.department_code) for i in items_data.IMPLEMENTATIONS
             if region_level[dept_region[i.department_code]] not in basics[i.basic_code].level]
    assert wrong == []

    rows = session.execute(select(Implementation.level, BasicItem.levels).join(
        BasicItem, BasicItem.id == Implementation.basic_item_id)).all()
    assert len(rows) == len(items_data.IMPLEMENTATIONS)
    assert all(level in basic_levels for level, basic_levels in rows)
