"""JSON API of the catalog: open resources are public; the rest need a staff login or an API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Query, Response, UploadFile

from tongban.catalog import service
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
from tongban.deps import CurrentActor, DbSession, OptionalActor, public_router, secure_router

public = public_router(prefix="/api/v1/catalog", tags=["政务信息资源目录"])
router = secure_router(prefix="/api/v1/catalog", tags=["政务信息资源目录"])


@public.get("/resources", response_model=SearchPage, summary="检索与浏览目录（匿名只见向社会开放的资源）")
def browse(
    session: DbSession,
    actor: OptionalActor,
    q: Annotated[str | None, Query(max_length=100, description="中文关键词")] = None,
    classification: Annotated[str | None, Query(max_length=16)] = None,
    provider_id: int | None = None,
    share_type: Annotated[str | None, Query(pattern="^(unconditional|conditional|none)$")] = None,
    open_only: bool = False,
    status: Annotated[str | None, Query(pattern="^(draft|published|retired)$")] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchPage:
    return service.browse(session=session, actor=actor, q=q, classification=classification, provider_id=provider_id,
                          share_type=share_type, open_only=open_only, status=status, page=page, size=size)


@public.get("/resources/{resource_id}", response_model=ResourceRead, summary="资源详情")
def get_resource(resource_id: int, session: DbSession, actor: OptionalActor) -> ResourceRead:
    return service.read(service.get_resource(session=session, actor=actor, resource_id=resource_id))


@public.get("/by-code/{classification}/{seq}", response_model=ResourceRead, summary="按信息资源代码查询")
def get_by_code(classification: str, seq: str, session: DbSession, actor: OptionalActor) -> ResourceRead:
    return service.read(service.get_resource(session=session, actor=actor, code=f"{classification}/{seq}"))


@public.get("/resources/{resource_id}/versions", response_model=list[VersionRead], summary="历史版本")
def versions(resource_id: int, session: DbSession, actor: OptionalActor) -> list[VersionRead]:
    return [VersionRead.model_validate(v)
            for v in service.list_versions(session=session, actor=actor, resource_id=resource_id)]


@public.get("/stats", response_model=CatalogStats, summary="目录统计（按部门、按共享类型）")
def stats(session: DbSession, actor: OptionalActor) -> CatalogStats:
    return service.statistics(session=session, actor=actor)


@public.get("/classifications", response_model=list[ClassificationRead], summary="信息资源分类")
def classifications(session: DbSession) -> list[ClassificationRead]:
    return [ClassificationRead.model_validate(c) for c in service.list_classifications(session=session)]


@router.post("/classifications", response_model=ClassificationRead, status_code=201, summary="增设目或细目")
def create_classification(body: ClassificationCreate, session: DbSession, actor: CurrentActor) -> ClassificationRead:
    return ClassificationRead.model_validate(
        service.create_classification(session=session, actor=actor, classification_in=body))


@router.post("/resources", response_model=ResourceRead, status_code=201, summary="编目（新建草稿）")
def create(body: ResourceIn, session: DbSession, actor: CurrentActor) -> ResourceRead:
    return service.read(service.create_resource(session=session, actor=actor, resource_in=body))


@router.put("/resources/{resource_id}", response_model=ResourceRead, summary="修改资源（已发布的生成新版本）")
def update(resource_id: int, body: ResourceIn, session: DbSession, actor: CurrentActor) -> ResourceRead:
    return service.read(service.update_resource(session=session, actor=actor, resource_id=resource_id,
                                                resource_in=body))


@router.post("/resources/{resource_id}/publish", response_model=ResourceRead, summary="发布")
def publish(resource_id: int, session: DbSession, actor: CurrentActor) -> ResourceRead:
    return service.read(service.publish_resource(session=session, actor=actor, resource_id=resource_id))


@router.post("/resources/{resource_id}/retire", response_model=ResourceRead, summary="下架")
def retire(resource_id: int, body: RetireIn, session: DbSession, actor: CurrentActor) -> ResourceRead:
    return service.read(service.retire_resource(session=session, actor=actor, resource_id=resource_id,
                                                reason=body.reason))


@router.delete("/resources/{resource_id}", status_code=204, summary="删除草稿")
def delete(resource_id: int, session: DbSession, actor: CurrentActor) -> Response:
    service.delete_draft(session=session, actor=actor, resource_id=resource_id)
    return Response(status_code=204)


_ = (File, UploadFile)  # import/export endpoints follow with the spreadsheet module
