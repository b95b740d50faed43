"""导入导出 page: download the department's catalog as the 目录编制 template, upload it back."""

from __future__ import annotations

import base64

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from tongban.catalog import queries, spreadsheet
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError, ValidationFailed
from tongban.web.forms import failure_of, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)
# An annotated copy of a rejected file is offered inline only while it stays small.
_INLINE_LIMIT = 2 * 1024 * 1024
TEMPLATE = "catalog/import.html"


@router.get("/catalog/import", response_class=HTMLResponse)
def import_page(request: Request, actor: CurrentActor) -> Response:
    return render(request, TEMPLATE, vars(queries.catalog_import(actor)))


@router.post("/catalog/import", response_class=HTMLResponse)
async def import_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    page = queries.catalog_import(actor)
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed("请选择要导入的 .xlsx 文件。", code="file_required", detail={"field": "file"})
        data = await upload.read(spreadsheet.MAX_BYTES + 1)
        report = spreadsheet.import_catalog(session=session, actor=actor, data=data,
                                            publish=form.get("publish") == "1")
    except DomainError as exc:
        return rerender(request, TEMPLATE, vars(page), failure_of(exc))
    # A file with errors is not a failed form but a report: every row's problem, and the file marked up.
    annotated = None
    if not report.ok:
        marked = spreadsheet.error_workbook(data, report.errors)
        if len(marked) <= _INLINE_LIMIT:
            annotated = base64.b64encode(marked).decode("ascii")
    return render(request, TEMPLATE, {**vars(page), "report": report, "annotated": annotated,
                                      "filename": upload.filename},
                  status_code=200 if report.ok else 422)
