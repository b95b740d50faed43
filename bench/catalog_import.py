"""xlsx import of a real-size catalog (5,000 resources, 64,000 items): rows per second.

Platform path: `spreadsheet.import_catalog` — read, validate every cell against the national
template, assign codes, write resources and items, index them for Chinese search, audit, commit
once. Baseline in the same run: read the same file with python-calamine and bulk-insert its rows,
unvalidated, into a scratch table of text columns. Prints one JSON line.
Usage: .venv/bin/python bench/catalog_import.py [resources] [items]
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time

from _common import fresh_database
from python_calamine import CalamineWorkbook
from sqlalchemy import select, text

from tongban.authz import SYSTEM
from tongban.catalog import spreadsheet
from tongban.db import make_engine, make_session_factory
from tongban.demo import catalog_loader, loader
from tongban.org.models import Department

RESOURCES = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
ITEMS = int(sys.argv[2]) if len(sys.argv) > 2 else 64000


def main() -> None:
    # Source: a generated catalog exported in the template layout, one department's file per provider
    # would be realistic, but a single platform-wide file is the hardest case.
    source_url = fresh_database()
    source = make_session_factory(make_engine(source_url))()
    loader.load(source, with_catalog=False)
    catalog_loader.load_scale(source, resources=RESOURCES, items=ITEMS, publish=True)
    provider = source.execute(select(Department).where(Department.code == "city-psb")).scalar_one()
    files = {}
    t0 = time.perf_counter()
    data = spreadsheet.export_catalog(session=source, actor=SYSTEM)
    export_s = time.perf_counter() - t0
    files["all"] = data
    source.close()

    # Re-label every row as the one importing department's, as a department would import its own file.
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = wb.get_sheet_by_name(spreadsheet.SHEET).to_python()
    data_rows = rows[2:]

    target_url = fresh_database()
    engine = make_engine(target_url)
    target = make_session_factory(engine)()
    loader.load(target, with_catalog=False)
    target_provider = target.execute(select(Department).where(Department.code == provider.code)).scalar_one()

    # Baseline: parse + unvalidated bulk insert of the same rows.
    t0 = time.perf_counter()
    parsed = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(spreadsheet.SHEET).to_python()[2:]
    width = len(parsed[0])
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bare_rows (" + ", ".join(f"c{i} TEXT" for i in range(width)) + ")"))
        conn.execute(text("INSERT INTO bare_rows VALUES (" + ", ".join(f":c{i}" for i in range(width)) + ")"),
                     [{f"c{i}": str(v) for i, v in enumerate(r)} for r in parsed])
    bare_s = time.perf_counter() - t0

    # The platform import: codes blank (new resources), provider code set to the importing department's.
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    sheet = book[spreadsheet.SHEET]
    code_col = spreadsheet.COLUMNS.index("信息资源代码") + 1
    provider_col = spreadsheet.COLUMNS.index("信息资源提供方") + 1
    provider_code_col = spreadsheet.COLUMNS.index("提供方代码") + 1
    related_col = spreadsheet.COLUMNS.index("关联资源代码") + 1
    class_col = spreadsheet.COLUMNS.index("信息资源分类") + 1
    for merged in list(sheet.merged_cells.ranges):
        sheet.unmerge_cells(str(merged))
    for row in sheet.iter_rows(min_row=3):
        if row[0].value not in (None, ""):
            row[code_col - 1].value = None
            row[related_col - 1].value = None
            row[provider_col - 1].value = target_provider.name
            row[provider_code_col - 1].value = target_provider.uscc
            if str(row[class_col - 1].value or "").startswith("3"):
                row[class_col - 1].value = "3"  # the importing department's own 部门 项
    out = io.BytesIO()
    book.save(out)
    upload = out.getvalue()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    report = spreadsheet.import_catalog(session=target, actor=SYSTEM, data=upload, provider_id=target_provider.id)
    import_s = time.perf_counter() - t0
    assert report.ok, report.errors[:5]
    print(json.dumps({
        "bench": "catalog_import", "database": engine.dialect.name, "resources": report.created,
        "rows": len(data_rows), "file_mb": round(len(upload) / 1e6, 1),
        "import_rows_per_s": round(len(data_rows) / import_s), "import_s": round(import_s, 1),
        "bare_rows_per_s": round(len(parsed) / bare_s), "ratio_import_to_bare": round(bare_s / import_s, 3),
        "export_s": round(export_s, 1), "peak_rss_mb": round(max(rss_before, resource.getrusage(
            resource.RUSAGE_SELF).ru_maxrss) / 1024),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
