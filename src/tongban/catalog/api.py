"""JSON API of the catalog: open resources are public; the rest need a staff login or an API key."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import File, Form, Query, Response, UploadFile

from tongban.catalog import service, spreadsheet
from tongban.catalog.schemas import (
    CatalogStats,
    ClassificationCreate,
    ClassificationRead,
    ResourceIn,
    ResourceRead,
    RetireIn,
    SearchPage,
    VersionRead,
)
from tongban.clock import today
from tongban.deps import CurrentActor, DbSession, Id, OptionalActor, OptionalIdQuery, public_router, secure_router
from tongban.errors import ValidationFailed, error_responses
from tongban.schema_types import ID_MAX

public = public_router(prefix="/api/v1/catalog", tags=["政务信息资源目录"])
router = secure_router(prefix="/api/v1/catalog", tags=["政务信息资源目录"])


@public.get("/resources", response_model=SearchPage, summary="检索与浏览目录（匿名只见向社会开放的资源）")
def browse(
    session: DbSession,
    actor: OptionalActor,
    q: Annotated[str | None, Query(max_length=100, description="中文关键词")] = None,
    classification: Annotated[str | None, Query(max_length=16)] = None,
    provider_id: OptionalIdQuery = None,
    share_type: Annotated[str | None, Query(pattern="^(unconditional|conditional|none)$")] = None,
    open_only: bool = False,
    status: Annotated[str | None, Query(pattern="^(draft|published|retired)$")] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchPage:
    return service.browse(session=session, actor=actor, q=q, classification=classification, provider_id=provider_id,
                          share_type=share_type, open_only=open_only, status=status, page=page, size=size)


@public.get("/resources/{resource_id}", response_model=ResourceRead, summary="资源详情", responses=error_responses(404))
def get_resource(resource_id: Id, session: DbSession, actor: OptionalActor) -> ResourceRead:
    return service.read(service.get_resource(session=session, actor=actor, resource_id=resource_id))


@public.get("/by-code/{classification}/{seq}", response_model=ResourceRead, summary="按信息资源代码查询",
            responses=error_responses(404))
def get_by_code(classification: str, seq: str, session: DbSession, actor: OptionalActor) -> ResourceRead:
    return service.read(service.get_resource(session=session, actor=actor, code=f"{classification}/{seq}"))


@public.get("/resources/{resource_id}/versions", response_model=list[VersionRead], summary="历史版本",
            responses=error_responses(404))
def versions(resource_id: Id, session: DbSession, actor: OptionalActor) -> list[VersionRead]:
    return [VersionRead.model_validate(v)
            for v in service.list_versions(session=session, actor=actor, resource_id=resource_id)]


@public.get("/stats", response_model=CatalogStats, summary="目录统计（按部门、按共享类型）")
def stats(session: DbSession, actor: OptionalActor) -> CatalogStats:
    return service.statistics(session=session, actor=actor)


@public.get("/classifications", response_model=list[ClassificationRead], summary="信息资源分类")
def classifications(session: DbSession) -> list[ClassificationRead]:
    return [ClassificationRead.model_validate(c) for c in service.list_classifications(session=session)]


@router.post("/classifications", response_model=ClassificationRead, status_code=201, summary="增设目或细目",
             responses=error_responses(409))
def create_classification(body: ClassificationCreate, session: DbSession, actor: CurrentActor) -> ClassificationRead:
    return ClassificationRead.model_validate(
        service.create_classification(session=session, actor=actor, classification_in=body))


@router.post("/resources", response_model=ResourceRead, status_code=201, summary="编目（新建草稿）",
             responses=error_responses(409))
def create(body: ResourceIn, session: DbSession, actor: CurrentActor) -> ResourceRead:
    return service.read(service.create_resource(session=session, actor=actor, resource_in=body))


@router.put("/resources/{resource_id}", response_model=ResourceRead, summary="修改资源（已发布的生成新版本）",
            responses=error_responses(404, 409))
def update(resource_id: Id, body: ResourceIn, session: DbSession, actor: CurrentActor) -> ResourceRead:
    return service.read(service.update_resource(session=session, actor=actor, resource_id=resource_id,
                                                resource_in=body))


@router.post("/resources/{resource_id}/publish", response_model=ResourceRead, summary="发布",
             responses=error_responses(404, 409))
def publish(resource_id: Id, session: DbSession, actor: CurrentActor) -> ResourceRead:
    return service.read(service.publish_resource(session=session, actor=actor, resource_id=resource_id))


@router.post("/resources/{resource_id}/retire", response_model=ResourceRead, summary="下架",
             responses=error_responses(404, 409))
def retire(resource_id: Id, body: RetireIn, session: DbSession, actor: CurrentActor) -> ResourceRead:
    return service.read(service.retire_resource(session=session, actor=actor, resource_id=resource_id,
                                                reason=body.reason))


@router.delete("/resources/{resource_id}", status_code=204, summary="删除草稿", responses=error_responses(404, 409))
def delete(resource_id: Id, session: DbSession, actor: CurrentActor) -> Response:
    service.delete_draft(session=session, actor=actor, resource_id=resource_id)
    return Response(status_code=204)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/export.xlsx", summary="导出目录（xlsx，目录编制模板格式）",
            response_class=Response, responses={200: {"content": {XLSX: {}}}, **error_responses(404)})
def export_xlsx(session: DbSession, actor: CurrentActor, provider_id: OptionalIdQuery = None) -> Response:
    data = spreadsheet.export_catalog(session=session, actor=actor, provider_id=provider_id)
    name = quote(f"政务信息资源目录-{today().isoformat()}.xlsx")
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


@router.post("/import", response_model=spreadsheet.ImportReport, summary="导入目录（全部成功或全部不变）",
             responses={**error_responses(409, 413),
                        422: {**error_responses(422)[422],
                              "description": "逐行错误报告：detail.errors[].row / column / message"}})
async def import_xlsx(session: DbSession, actor: CurrentActor, file: Annotated[UploadFile, File()],
                      publish: Annotated[bool, Form()] = False,
                      provider_id: Annotated[int | None, Form(ge=1, le=ID_MAX)] = None) -> spreadsheet.ImportReport:
    data = await file.read(spreadsheet.MAX_BYTES + 1)
    report = spreadsheet.import_catalog(session=session, actor=actor, data=data, publish=publish,
                                        provider_id=provider_id)
    if not report.ok:
        raise ValidationFailed(f"导入未完成，目录未作任何更改：共有 {len(report.errors)} 处错误，"
                               "请按错误报告修改后重新导入。", code="import_rejected",
                               detail={"errors": [e.model_dump() for e in report.errors]})
    return report
