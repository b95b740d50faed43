"""政务信息资源目录 spreadsheets: export, all-or-nothing import, error reports users can act on."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import actor_of, published_resource
from tongban.audit.models import AuditEntry
from tongban.catalog import service as catalog
from tongban.catalog import spreadsheet
from tongban.catalog.models import InformationItem, InformationResource, ResourceVersion
from tongban.catalog.spreadsheet import COLUMNS, ERROR_HEADER, export_catalog, import_catalog
from tongban.errors import Forbidden, ValidationFailed

RED = "FFFFC7CE"
ID_ITEM = {"信息项名称": "公民身份号码", "信息项标识": "id_number", "数据类型": "公民身份号码", "数据长度": 18,
           "是否必填": "是", "是否主键": "是", "敏感级别": "个人敏感"}


def resource_rows(name: str, items: list[dict[str, Any]] | None = None, **cells: Any) -> list[dict[str, Any]]:
    """The rows of one resource as a department fills them: resource cells on the first row only."""
    first = {"信息资源分类": "101", "信息资源名称": name, "信息资源摘要": f"{name}，用于各部门业务办理时核验。",
             "信息资源格式": "数据库", "共享类型": "有条件共享", "共享条件": "仅限履职需要", "共享方式": "接口、库表",
             "是否向社会开放": "否", "更新周期": "每日", "数据是否已汇聚平台": "是"}
    first.update(cells)
    items = items if items is not None else [ID_ITEM, {"信息项名称": "姓名", "信息项标识": "name", "数据长度": 50}]
    rows = [{**first, **items[0]}] if items else [first]
    rows += [dict(item) for item in items[1:]]
    return rows


def workbook(*resources: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "信息资源目录"
    sheet.append(["政务信息资源目录（测试）"])
    sheet.append(list(COLUMNS))
    for rows in resources:
        for row in rows:
            sheet.append([row.get(header) for header in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def saved(sheet: Any) -> bytes:
    out = io.BytesIO()
    sheet.parent.save(out)
    return out.getvalue()


def counts(session: Session) -> tuple[int, int, int, int]:
    def n(model: Any) -> int:
        return session.execute(select(func.count()).select_from(model)).scalar_one()

    return n(InformationResource), n(InformationItem), n(ResourceVersion), n(AuditEntry)


def cell(sheet: Any, row: int, header: str) -> Any:
    return sheet.cell(row=row, column=COLUMNS.index(header) + 1)


def test_export_then_reimport_updates_only_the_changed_resource(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    officer = actor_of(city.users["hrss_data"])
    first = published_resource(session, city.users["hrss_data"])
    second = published_resource(session, city.users["hrss_data"], name="流动人口信息")
    published_resource(session, city.users["amr_data"], classification_code="102", name="市场主体登记信息")

    data = export_catalog(session=session, actor=officer, provider_id=city.hrss.id)

    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["信息资源目录", "填写说明"]
    sheet = book["信息资源目录"]
    assert sheet["A1"].value.startswith("政务信息资源目录（安康市人力资源和社会保障局）  导出时间")
    assert [c.value for c in sheet[2]] == list(COLUMNS)
    assert sheet.freeze_panes == "A3"
    assert sheet.max_row == 2 + 5 + 5  # one row per item of the department's two resources only
    assert cell(sheet, 3, "信息资源代码").value == first.code
    assert cell(sheet, 8, "信息资源代码").value == second.code
    assert cell(sheet, 3, "共享类型").value == "有条件共享"
    assert cell(sheet, 3, "共享方式").value == "接口、库表"
    assert cell(sheet, 3, "数据是否已汇聚平台").value == "是"
    assert cell(sheet, 3, "数据类型").value == "公民身份号码"
    assert cell(sheet, 3, "敏感级别").value == "个人敏感"
    assert cell(sheet, 3, "是否主键").value == "是" and cell(sheet, 4, "是否主键").value == "否"
    assert "D3:D7" in {str(r) for r in sheet.merged_cells.ranges}  # the name spans the resource's items
    guide = [row[0] for row in book["填写说明"].iter_rows(values_only=True)]
    assert "共享类型" in guide and "101" in guide  # each column, and the classification codes

    cell(sheet, 3, "信息资源摘要").value = "全市户籍人口的身份和户籍地址信息，新增民族信息项。"
    sheet.insert_rows(8)
    cell(sheet, 8, "信息项名称").value = "民族"
    cell(sheet, 8, "信息项标识").value = "ethnicity"
    out = io.BytesIO()
    book.save(out)
    before = counts(session)

    report = import_catalog(session=session, actor=officer, data=out.getvalue())

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert report.resources == [first.code]
    session.expire_all()
    changed = catalog.get_resource(session=session, actor=officer, resource_id=first.id)
    assert changed.version == 2 and changed.abstract.endswith("新增民族信息项。")
    assert [i.key for i in changed.items][-1] == "ethnicity"
    assert catalog.get_resource(session=session, actor=officer, resource_id=second.id).version == 1
    after = counts(session)
    assert after[1] == before[1] + 1 and after[2] == before[2] + 1 and after[3] == before[3] + 1
    entry = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars().first()
    assert entry is not None and entry.action == "catalog.import" and '"sha256"' in entry.detail


def test_import_creates_drafts_that_are_searchable(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    officer = actor_of(city.users["hrss_data"])
    data = workbook(
        resource_rows("城乡居民养老保险参保信息", 信息资源分类="社会保障",
                      信息资源摘要="城乡居民基本养老保险的参保登记、缴费和待遇领取情况。", 主题分类="201;202"),
        resource_rows("社保经办业务台账", 信息资源分类="3", 共享类型="unconditional", 共享条件=None,
                      共享方式="file", items=[{"信息项名称": "业务编号", "信息项标识": "biz_no", "是否主键": "是"}]),
    )

    report = import_catalog(session=session, actor=officer, data=data)

    assert report.ok, report.errors
    assert report.created == 2 and report.resources[0] == "203/000001"
    pension = catalog.get_resource(session=session, actor=officer, code="203/000001")
    assert pension.status == "draft" and pension.provider_id == city.hrss.id
    assert pension.themes == ["201", "202"] and pension.share_methods == ["interface", "table"]
    assert [(i.key, i.data_type, i.is_key, i.sensitivity) for i in pension.items] == [
        ("id_number", "resident_id", True, "personal_sensitive"), ("name", "string", False, "internal")]
    ledger = catalog.get_resource(session=session, actor=officer, code=report.resources[1])
    assert ledger.classification.name == "安康市人力资源和社会保障局" and ledger.share_methods == ["file"]
    assert [i.name for i in catalog.browse(session=session, actor=officer, q="待遇领取").items] == [
        "城乡居民养老保险参保信息"]

    again = import_catalog(session=session, actor=officer, data=data)  # the same file uploaded twice
    assert not again.ok
    assert "本部门已有同名信息资源" in again.errors[0].message and again.errors[0].column == "信息资源名称"


def test_import_with_publish_makes_the_new_resources_public_to_staff(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    report = import_catalog(session=session, actor=actor_of(city.users["hrss_data"]), publish=True,
                            data=workbook(resource_rows("失业保险金申领信息")))

    assert report.ok and report.published == 1
    resource = catalog.get_resource(session=session, actor=actor_of(city.users["amr_clerk"]), code=report.resources[0])
    assert (resource.status, resource.version, resource.published_on) == ("published", 1, catalog.today())
    assert [v.version for v in catalog.list_versions(session=session, actor=actor_of(city.users["amr_clerk"]),
                                                     resource_id=resource.id)] == [1]
    hits = catalog.browse(session=session, actor=actor_of(city.users["amr_clerk"]), q="失业保险")
    assert [i.name for i in hits.items] == ["失业保险金申领信息"]


def test_errors_on_every_row_are_reported_and_nothing_is_written(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    officer = actor_of(city.users["hrss_data"])
    published_resource(session, city.users["hrss_data"])
    data = workbook(
        resource_rows("正确的资源信息"),  # rows 3-4
        resource_rows("数据类型写错的资源", items=[{**ID_ITEM, "数据类型": "文本"}]),  # row 5
        resource_rows("缺共享条件的资源", 共享条件=None),  # rows 6-7
        resource_rows("分类不存在的资源", 信息资源分类="999"),  # rows 8-9
        resource_rows("信息项重复的资源", items=[ID_ITEM, {"信息项名称": "身份证号", "信息项标识": "id_number"}]),  # 10-11
        resource_rows("不予共享的资源", 共享类型="不予共享", 共享条件=None, 共享方式=None),  # rows 12-13
    )
    before = counts(session)

    report = import_catalog(session=session, actor=officer, data=data)

    assert not report.ok and report.created == report.updated == 0
    found = {(e.row, e.column): e.message for e in report.errors}
    assert set(found) == {(5, "数据类型"), (6, "共享条件"), (8, "信息资源分类"), (11, "信息项标识"),
                          (12, "不予共享依据")}
    assert "文本" in found[(5, "数据类型")] and "公民身份号码" in found[(5, "数据类型")]
    assert found[(6, "共享条件")] == "有条件共享的资源须填写共享条件。"
    assert "999" in found[(8, "信息资源分类")]
    assert "与第 10 行重复" in found[(11, "信息项标识")]
    assert "法律法规" in found[(12, "不予共享依据")]
    assert counts(session) == before
    assert session.execute(select(func.count()).select_from(InformationResource)
                           .where(InformationResource.name == "正确的资源信息")).scalar_one() == 0


def test_every_problem_of_one_resource_is_reported_at_once(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    data = workbook(resource_rows("多处错误的资源", 信息资源格式="纸质", 共享条件=None, 关联资源代码="101/999999",
                                  items=[{**ID_ITEM, "是否主键": "不确定"}, {"信息项名称": "姓名", "信息项标识": "Name"}]))

    report = import_catalog(session=session, actor=actor_of(city.users["hrss_data"]), data=data)

    assert {(e.row, e.column) for e in report.errors} == {
        (3, "信息资源格式"), (3, "共享条件"), (3, "关联资源代码"), (3, "是否主键"), (4, "信息项标识")}


def test_a_file_that_is_not_xlsx_is_refused(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    officer = actor_of(city.users["hrss_data"])
    for data in (b"\xd0\xcf\x11\xe0old excel", "信息资源名称,信息项名称\n".encode(), b"PK\x03\x04broken zip"):
        with pytest.raises(ValidationFailed) as refused:
            import_catalog(session=session, actor=officer, data=data)
        assert refused.value.code == "bad_file" and ".xlsx" in refused.value.message
    with pytest.raises(ValidationFailed) as too_big:
        import_catalog(session=session, actor=officer, data=b"PK\x03\x04" + bytes(spreadsheet.MAX_BYTES))
    assert too_big.value.code == "bad_file" and "20 MB" in too_big.value.message


def test_error_workbook_marks_the_bad_cells(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    officer = actor_of(city.users["hrss_data"])
    data = workbook(resource_rows("缺共享条件的资源", 共享条件=None),
                    resource_rows("数据类型写错的资源", items=[{**ID_ITEM, "数据类型": "文本"}]))
    report = import_catalog(session=session, actor=officer, data=data)

    marked = load_workbook(io.BytesIO(report.error_workbook(data)))["信息资源目录"]

    notes = len(COLUMNS) + 1
    assert marked.cell(row=2, column=notes).value == ERROR_HEADER
    assert cell(marked, 3, "共享条件").fill.fgColor.rgb == RED
    assert cell(marked, 5, "数据类型").fill.fgColor.rgb == RED
    assert cell(marked, 3, "共享类型").fill.fgColor.rgb != RED
    assert "有条件共享的资源须填写共享条件" in marked.cell(row=3, column=notes).value
    assert "文本" in marked.cell(row=5, column=notes).value
    assert marked.cell(row=4, column=notes).value is None

    # The user fixes one cell of the marked file and uploads it again: only the other is still marked.
    cell(marked, 3, "共享条件").value = "仅限履职需要"
    again = import_catalog(session=session, actor=officer, data=saved(marked))
    assert [(e.row, e.column) for e in again.errors] == [(5, "数据类型")]
    remarked = load_workbook(io.BytesIO(again.error_workbook(saved(marked))))["信息资源目录"]
    assert cell(remarked, 3, "共享条件").fill.fgColor.rgb != RED
    assert remarked.cell(row=3, column=notes).value is None
    assert cell(remarked, 5, "数据类型").fill.fgColor.rgb == RED

    cell(remarked, 5, "数据类型").value = "公民身份号码"
    fixed = import_catalog(session=session, actor=officer, data=saved(remarked))
    assert fixed.ok and fixed.created == 2


def test_files_over_the_row_limit_are_refused(session: Session, city, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)
    data = workbook(resource_rows("户籍人口基本信息"), resource_rows("流动人口信息"))
    with pytest.raises(ValidationFailed) as refused:
        import_catalog(session=session, actor=actor_of(city.users["hrss_data"]), data=data)
    assert refused.value.code == "too_many_rows"


def test_a_clerk_cannot_import(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        import_catalog(session=session, actor=actor_of(city.users["hrss_clerk"]),
                       data=workbook(resource_rows("户籍人口基本信息")))


def test_only_a_platform_admin_imports_for_another_department(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    data = workbook(resource_rows("企业登记基本信息", 信息资源分类="102"))
    with pytest.raises(Forbidden):
        import_catalog(session=session, actor=actor_of(city.users["hrss_data"]), data=data, provider_id=city.amr.id)

    report = import_catalog(session=session, actor=actor_of(city.users["admin"]), data=data, provider_id=city.amr.id)

    assert report.ok
    resource = catalog.get_resource(session=session, actor=actor_of(city.users["amr_data"]), code=report.resources[0])
    assert resource.provider_id == city.amr.id and resource.provider_code == city.amr.uscc


def test_import_and_export_over_http(client, session, city) -> None:  # type: ignore[no-untyped-def]
    """The page and the API: a rejected file changes nothing and lists its errors; a good one imports."""
    from tests.factories import login, published_resource

    published_resource(session, city.users["hrss_data"])
    token = login(client, "hrss_data")
    r = client.get(f"/api/v1/catalog/export.xlsx?provider_id={city.hrss.id}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    exported = r.content
    r = client.post("/api/v1/catalog/import", headers={"X-CSRF-Token": token},
                    files={"file": ("目录.xlsx", b"not a workbook", "application/octet-stream")})
    assert r.status_code == 422 and r.json()["code"] == "bad_file"
    r = client.post("/catalog/import", headers={"accept": "text/html"}, data={"csrf_token": token},
                    files={"file": ("目录.xlsx", exported, "application/octet-stream")})
    assert r.status_code == 200 and "导入成功" in r.text and "未变化 1 个" in r.text
    clerk = TestClient(client.app)
    login(clerk, "hrss_clerk")
    assert clerk.get("/catalog/import", headers={"accept": "text/html"}).status_code == 403


def test_exported_text_that_looks_like_a_formula_stays_text(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    """A department's text starting with “=” must not become a formula that Excel runs on opening."""
    officer = actor_of(city.users["hrss_data"])
    resource = published_resource(session, city.users["hrss_data"])
    resource.abstract = '=HYPERLINK("http://example.invalid","点击查看")'
    session.commit()
    book = load_workbook(io.BytesIO(export_catalog(session=session, actor=officer, provider_id=city.hrss.id)))
    exported = cell(book["信息资源目录"], 3, "信息资源摘要")
    assert exported.data_type == "s" and exported.value == resource.abstract
