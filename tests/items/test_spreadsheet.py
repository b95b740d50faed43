"""实施清单 xlsx: export then import changes nothing; edits come back as drafts; bad rows are reported by sheet,
row and column in Chinese and a file with any bad row writes nothing."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import login
from tests.items.conftest import FOOD_CODE, ItemsWorld, impl_in, publish
from tongban.audit.models import AuditEntry
from tongban.errors import Forbidden, ValidationFailed
from tongban.items import spreadsheet
from tongban.items.models import Implementation, Material
from tongban.items.schemas import BasicItemIn
from tongban.items.service import create_basic_item, create_implementation

HEALTH_CODE = "012000100000"


def _world_with_list(session: Session, world: ItemsWorld) -> tuple[Implementation, Implementation]:
    """The city AMR's list: 食品经营许可 published, 从业人员健康检查 a draft."""
    amr = world.actor("amr_admin")
    food = create_implementation(session=session, actor=amr, implementation_in=impl_in())
    publish(session, world, food)
    health = create_implementation(session=session, actor=amr, implementation_in=impl_in(
        basic_code=HEALTH_CODE, legal_days=5, promised_days=1, licence_type=None, result_name="健康证明",
        materials=[{"name": "身份证", "source": "licence", "ref": "居民身份证"}], conditions=[], steps=["体检", "出证"],
        visits=1))
    return food, health


def _sheets(data: bytes):  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(data))
    return book, book[spreadsheet.SHEET], book[spreadsheet.MATERIAL_SHEET]


def _column(sheet, name: str) -> int:  # type: ignore[no-untyped-def]
    return next(c.column for c in sheet[1] if c.value == name)


def _save(book) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _state(session: Session) -> list[tuple[object, ...]]:
    session.expire_all()
    rows = session.execute(select(Implementation).order_by(Implementation.id)).scalars()
    return [(i.id, i.status, i.published_version, i.promised_days, i.fee, tuple((m.name, m.source, m.ref, m.required)
                                                                               for m in i.materials)) for i in rows]


def test_export_then_import_changes_nothing(session: Session, items_world: ItemsWorld) -> None:
    _world_with_list(session, items_world)
    amr = items_world.actor("amr_admin")
    data = spreadsheet.export_implementations(session=session, actor=amr)
    _, sheet, materials = _sheets(data)
    assert [c.value for c in sheet[1]] == list(spreadsheet.COLUMNS)
    codes = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    assert codes == [FOOD_CODE, HEALTH_CODE]
    assert sheet.cell(row=2, column=_column(sheet, "状态")).value == "已发布"
    sources = [materials.cell(row=r, column=3).value for r in range(2, materials.max_row + 1)]
    assert sources == ["申请人上传", "电子证照", "共享数据", "一件事内其他事项办理结果", "免提交", "电子证照"]
    before = _state(session)
    entries = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()

    report = spreadsheet.import_implementations(session=session, actor=amr, data=data)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 2), report
    assert _state(session) == before  # the published one is still published, not a revision
    # Only the import itself is audited.
    assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == entries + 1

    # The same file into another department's list creates it there as drafts (its own implementations).
    county = items_world.actor("hb_admin")
    report = spreadsheet.import_implementations(session=session, actor=county, data=data)
    assert report.ok and report.created == 2
    mine = session.execute(select(Implementation).where(
        Implementation.department_id == items_world.county_amr.id)).scalars().all()
    assert {(i.basic.code, i.status, i.level) for i in mine} == {(FOOD_CODE, "draft", "县级"),
                                                                 (HEALTH_CODE, "draft", "县级")}


def test_an_edited_row_becomes_a_revision_and_a_new_row_a_draft(session: Session, items_world: ItemsWorld) -> None:
    food, _ = _world_with_list(session, items_world)
    amr = items_world.actor("amr_admin")
    create_basic_item(session=session, actor=items_world.actor("admin"), item_in=BasicItemIn(
        code="011010900000", name="食品生产许可", item_type="行政许可", legal_basis="《食品安全法》第三十五条",
        levels=["市级"]))
    book, sheet, materials = _sheets(spreadsheet.export_implementations(session=session, actor=amr))
    sheet.cell(row=2, column=_column(sheet, "承诺办结时限（工作日）"), value=3)
    sheet.append(["011010900000", "", "", "", "", "", "", "", 20, 10, "不收费", "具备生产条件", "申请\n审查",
                  0, "网上办理", "企业法人", "", "", "", "", "是", "否", "食品生产许可证", ""])
    materials.append(["011010900000", "食品生产许可申请书", "申请人上传", "", "是", ""])
    report = spreadsheet.import_implementations(session=session, actor=amr, data=_save(book))
    assert report.ok and (report.created, report.updated, report.unchanged) == (1, 1, 1), report
    session.expire_all()
    row = session.get(Implementation, food.id)
    assert row is not None and (row.status, row.published_version, row.promised_days) == ("draft", 1, 3)
    new = session.execute(select(Implementation).join(Implementation.basic).where(
        Implementation.basic.has(code="011010900000"))).scalar_one()
    assert new.status == "draft" and [m.name for m in new.materials] == ["食品生产许可申请书"]
    assert new.steps == ["申请", "审查"]


def test_bad_rows_are_reported_in_chinese_and_nothing_is_written(session: Session,
                                                                 items_world: ItemsWorld) -> None:
    _world_with_list(session, items_world)
    amr = items_world.actor("amr_admin")
    book, sheet, materials = _sheets(spreadsheet.export_implementations(session=session, actor=amr))
    sheet.cell(row=2, column=_column(sheet, "承诺办结时限（工作日）"), value=2)  # a good change, in a bad file
    sheet.cell(row=3, column=_column(sheet, "事项名称"), value="健康体检")  # 三级四同
    sheet.append(["099999999999", "", "", "", "", "", "", "", 5, 1])  # not in the basic catalog
    sheet.append([FOOD_CODE, "", "", "", "", "", "", "", 5, 1])  # twice in the file
    materials.cell(row=2, column=3, value="邮寄")  # an unknown source
    materials.append([HEALTH_CODE, "体检表", "电子证照", "", "是", ""])  # a licence without its type
    materials.append(["011019999999", "申请书", "申请人上传", "", "是", ""])  # for an item not in the file
    before = _state(session)

    report = spreadsheet.import_implementations(session=session, actor=amr, data=_save(book))
    assert not report.ok and report.created == report.updated == 0
    found = {(e.sheet, e.row, e.column): e.message for e in report.errors}
    assert "三级四同" in found[("实施清单", 3, "事项名称")] and "健康体检" in found[("实施清单", 3, "事项名称")]
    assert "基本目录中没有事项编码为 099999999999" in found[("实施清单", 4, "事项编码")]
    assert "第 2 行已出现" in found[("实施清单", 5, "事项编码")]
    assert "邮寄" in found[("申请材料", 2, "材料来源")]
    assert "证照类型名称" in found[("申请材料", 8, "来源依据")]
    assert "不在“实施清单”工作表中" in found[("申请材料", 9, "事项编码")]
    assert _state(session) == before  # the good row of the bad file was not written either

    # A time limit that is not a number, and a promise longer than the law: the cell is named.
    book, sheet, _ = _sheets(spreadsheet.export_implementations(session=session, actor=amr))
    sheet.cell(row=2, column=_column(sheet, "法定办结时限（工作日）"), value="十天")
    sheet.cell(row=3, column=_column(sheet, "承诺办结时限（工作日）"), value=30)
    report = spreadsheet.import_implementations(session=session, actor=amr, data=_save(book))
    found = {(e.sheet, e.row, e.column): e.message for e in report.errors}
    assert "不是整数" in found[("实施清单", 2, "法定办结时限（工作日）")]
    assert "承诺办结时限不能长于法定办结时限" in found[("实施清单", 3, "承诺办结时限（工作日）")]
    assert _state(session) == before


def test_who_may_export_and_import(session: Session, items_world: ItemsWorld) -> None:
    _world_with_list(session, items_world)
    admin, county = items_world.actor("admin"), items_world.actor("hb_admin")
    data = spreadsheet.export_implementations(session=session, actor=admin,
                                              department_id=items_world.city.amr.id)
    assert _sheets(data)[1].max_row == 3  # the platform exports the department it chose
    with pytest.raises(Forbidden):  # the platform reviews; it does not write a department's list
        spreadsheet.import_implementations(session=session, actor=admin, data=data)
    with pytest.raises(Forbidden):  # a department exports only its own list
        spreadsheet.export_implementations(session=session, actor=county, department_id=items_world.city.amr.id)
    with pytest.raises(ValidationFailed) as bad:
        spreadsheet.import_implementations(session=session, actor=county, data=b"name,code\n")
    assert bad.value.code == "bad_file" and ".xlsx" in bad.value.message
    assert session.execute(select(func.count()).select_from(Material)).scalar_one() == 6


def test_import_and_export_through_the_page(client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    _world_with_list(session, items_world)
    token = login(client, "amr_admin")
    exported = client.get("/admin/items/export.xlsx")
    assert exported.status_code == 200 and exported.content.startswith(b"PK")
    book, sheet, _ = _sheets(exported.content)
    sheet.cell(row=3, column=_column(sheet, "事项类型"), value="行政许可")  # 公共服务 in the basic catalog
    bad = client.post("/admin/items/import", data={"csrf_token": token},
                      files={"file": ("清单.xlsx", _save(book), "application/octet-stream")})
    assert bad.status_code == 422
    assert "未导入" in bad.text and "事项类型" in bad.text and "三级四同" in bad.text and "<td>3</td>" in bad.text
    ok = client.post("/admin/items/import", data={"csrf_token": token},
                     files={"file": ("清单.xlsx", exported.content, "application/octet-stream")})
    assert ok.status_code == 200 and "未变化 2 项" in ok.text


def test_text_that_looks_like_a_formula_stays_text(session: Session, items_world: ItemsWorld) -> None:
    amr = items_world.actor("amr_admin")
    create_implementation(session=session, actor=amr, implementation_in=impl_in(fee="=HYPERLINK(\"http://x\")"))
    data = spreadsheet.export_implementations(session=session, actor=amr)
    _, sheet, _ = _sheets(data)
    cell = sheet.cell(row=2, column=_column(sheet, "收费"))
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'
    report = spreadsheet.import_implementations(session=session, actor=amr, data=data)
    assert report.ok and report.unchanged == 1
