"""导入导出 page: download the department's catalog as the 目录编制 template, upload it back."""

from __future__ import annotations

import base64

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from tongban.authz import Permission
from tongban.catalog import spreadsheet
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError
from tongban.web.templating import render

router = secure_router(include_in_schema=False)
# An annotated copy of a rejected file is offered inline only while it stays small.
_INLINE_LIMIT = 2 * 1024 * 1024


def _require_editor(actor: CurrentActor) -> None:
    if not (actor.has(Permission.CATALOG_EDIT) or actor.has(Permission.CATALOG_ADMIN)):
        actor.require(Permission.CATALOG_EDIT)


@router.get("/catalog/import", response_class=HTMLResponse)
def import_page(request: Request, actor: CurrentActor) -> Response:
    _require_editor(actor)
    return render(request, "catalog/import.html", {"report": None})


@router.post("/catalog/import", response_class=HTMLResponse)
async def import_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    _require_editor(actor)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(request, "catalog/import.html", {"report": None, "error": "请选择要导入的 .xlsx 文件。"},
                      status_code=422)
    data = await upload.read(spreadsheet.MAX_BYTES + 1)
    try:
        report = spreadsheet.import_catalog(session=session, actor=actor, data=data,
                                            publish=form.get("publish") == "1")
    except DomainError as exc:
        return render(request, "catalog/import.html", {"report": None, "error": exc.message},
                      status_code=exc.status_code)
    annotated = None
    if not report.ok:
        marked = spreadsheet.error_workbook(data, report.errors)
        if len(marked) <= _INLINE_LIMIT:
            annotated = base64.b64encode(marked).decode("ascii")
    return render(request, "catalog/import.html", {"report": report, "annotated": annotated,
                                                   "filename": upload.filename},
                  status_code=200 if report.ok else 422)
