"""JSON API of service items: published items, guides, materials, bundles and events are public; the
departments' implementation lists, the platform's review, the deviation report and the once-only figures
need a staff login."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response

from tongban.deps import CurrentActor, DbSession, Id, OptionalActor, OptionalIdQuery, public_router, secure_router
from tongban.errors import ValidationFailed, error_responses
from tongban.items import bundles as bundle_cases
from tongban.items import events as event_cases
from tongban.items import reads, service
from tongban.items.schemas import (
    ApproveIn,
    BasicItemIn,
    BasicItemRead,
    BundleAdminSummary,
    BundleIn,
    BundleRead,
    BundleSummary,
    BundleVersionRead,
    EventOrderIn,
    EventRead,
    EventRenameIn,
    EventSetIn,
    ImplementationIn,
    ImplementationRead,
    ImplementationSummary,
    ItemListEntry,
    ItemPage,
    MaterialsRead,
    OnceOnlyRead,
    RegionDeviations,
    RetireIn,
    ReturnIn,
    VersionRead,
)

TAG = "政务服务事项"
public = public_router(prefix="/api/v1/items", tags=[TAG])
router = secure_router(prefix="/api/v1/items", tags=[TAG])

@public.get("", response_model=ItemPage, summary="已发布的政务服务事项（按名称、类型、部门、地区、高频筛选）")
def list_items(
    session: DbSession,
    q: Annotated[str | None, Query(max_length=64, description="事项名称中的文字或事项编码")] = None,
    item_type: Annotated[str | None, Query(max_length=16, description="事项类型")] = None,
    department_id: OptionalIdQuery = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="行政区划代码")] = None,
    high_frequency: Annotated[bool | None, Query(description="只看高频事项")] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ItemPage:
    return reads.list_items(session, q=q, item_type=item_type, department_id=department_id, region_code=region_code,
                            high_frequency=high_frequency, page=page, size=size)


@public.get("/basic/{code}", response_model=ItemListEntry, summary="基本目录事项及其各地已发布的实施清单",
            responses=error_responses(404))
def basic_item(code: str, session: DbSession) -> ItemListEntry:
    return reads.basic_item(session, code)


@public.get("/implementations/{implementation_id}", response_model=ImplementationRead,
            summary="办事指南（已发布的最新版本）", responses=error_responses(404))
def guide(implementation_id: Id, session: DbSession) -> ImplementationRead:
    return reads.published(session, implementation_id)


@public.get("/implementations/{implementation_id}/materials", response_model=MaterialsRead,
            summary="申请材料：登录的群众或企业看到本人是否需要提交及原因", responses=error_responses(404))
def materials(implementation_id: Id, session: DbSession, actor: OptionalActor) -> MaterialsRead:
    return reads.materials_of(session, actor, implementation_id)


@public.get("/implementations/{implementation_id}/versions", response_model=list[VersionRead],
            summary="已发布的历史版本", responses=error_responses(404))
def versions(implementation_id: Id, session: DbSession) -> list[VersionRead]:
    return reads.versions(session, implementation_id)


@public.get("/bundles", response_model=list[BundleSummary], summary="一件事一次办")
def bundles(session: DbSession, event: Annotated[str | None, Query(max_length=64)] = None) -> list[BundleSummary]:
    return reads.list_bundles(session, event=event)


def _answers(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in values:
        field, sep, value = raw.partition("=")
        if not sep or not field.strip():
            raise ValidationFailed(f"回答“{raw}”格式不正确，应为 字段=值，如 营业面积=300。",
                                   code="bundle_answer_format", detail={"field": "answer"})
        out[field.strip()] = value.strip()
    return out


@public.get("/bundles/{code}", response_model=BundleRead,
            summary="一件事的指南：成员事项是否适用（按回答）与合并去重后的材料", responses=error_responses(404))
def bundle(code: str, session: DbSession,
           answer: Annotated[list[str], Query(max_length=20, description="申请人的回答，字段=值，可重复")] = []  # noqa: B006
           ) -> BundleRead:
    return reads.bundle(session, code, _answers(answer))


@public.get("/events", response_model=list[EventRead], summary="按人生事件与企业事件分类的事项和一件事")
def events(session: DbSession,
           kind: Annotated[str | None, Query(pattern="^(life|business)$", description="life 个人 / business 企业")
                           ] = None) -> list[EventRead]:
    return reads.events(session, kind=kind)


# ---------------------------------------------------------------- staff


@router.post("/basic", response_model=BasicItemRead, status_code=201, summary="新增基本目录事项（平台）",
             responses=error_responses(409))
def create_basic(body: BasicItemIn, session: DbSession, actor: CurrentActor) -> BasicItemRead:
    return BasicItemRead.model_validate(service.create_basic_item(session=session, actor=actor, item_in=body))


@router.put("/basic/{code}", response_model=BasicItemRead, summary="修改基本目录事项（平台；编码不可改）",
            responses=error_responses(404))
def update_basic(code: str, body: BasicItemIn, session: DbSession, actor: CurrentActor) -> BasicItemRead:
    return BasicItemRead.model_validate(service.update_basic_item(session=session, actor=actor, code=code,
                                                                  item_in=body))


@router.get("/manage/implementations", response_model=list[ImplementationSummary],
            summary="本部门的实施清单（各状态）")
def department_list(session: DbSession, actor: CurrentActor) -> list[ImplementationSummary]:
    return reads.department_list(session, actor)


@router.get("/manage/review", response_model=list[ImplementationSummary], summary="待审核的实施清单（平台）")
def review_queue(session: DbSession, actor: CurrentActor) -> list[ImplementationSummary]:
    return reads.review_queue(session, actor)


@router.get("/manage/implementations/{implementation_id}", response_model=ImplementationRead,
            summary="实施清单的工作稿（本部门与审核人员）", responses=error_responses(404))
def working(implementation_id: Id, session: DbSession, actor: CurrentActor) -> ImplementationRead:
    return reads.working(session, actor, implementation_id)


@router.post("/implementations", response_model=ImplementationRead, status_code=201,
             summary="编制实施清单（本部门草稿；基本目录四要素不可更改）", responses=error_responses(404, 409))
def create_implementation(body: ImplementationIn, session: DbSession, actor: CurrentActor) -> ImplementationRead:
    return service.read(service.create_implementation(session=session, actor=actor, implementation_in=body))


@router.put("/implementations/{implementation_id}", response_model=ImplementationRead,
            summary="修改实施清单（已发布的形成待审核的修订）", responses=error_responses(404, 409))
def update_implementation(implementation_id: Id, body: ImplementationIn, session: DbSession,
                          actor: CurrentActor) -> ImplementationRead:
    return service.read(service.update_implementation(session=session, actor=actor,
                                                      implementation_id=implementation_id, implementation_in=body))


@router.post("/implementations/{implementation_id}/submit", response_model=ImplementationRead,
             summary="提交审核", responses=error_responses(404, 409))
def submit(implementation_id: Id, session: DbSession, actor: CurrentActor) -> ImplementationRead:
    return service.read(service.submit_implementation(session=session, actor=actor,
                                                      implementation_id=implementation_id))


@router.post("/implementations/{implementation_id}/approve", response_model=ImplementationRead,
             summary="审核通过并发布新版本（平台）", responses=error_responses(404, 409))
def approve(implementation_id: Id, body: ApproveIn, session: DbSession, actor: CurrentActor) -> ImplementationRead:
    return service.read(service.approve_implementation(session=session, actor=actor,
                                                       implementation_id=implementation_id, note=body.note))


@router.post("/implementations/{implementation_id}/return", response_model=ImplementationRead,
             summary="退回修改（平台，须写明原因）", responses=error_responses(404, 409))
def return_(implementation_id: Id, body: ReturnIn, session: DbSession, actor: CurrentActor) -> ImplementationRead:
    return service.read(service.return_implementation(session=session, actor=actor,
                                                      implementation_id=implementation_id, reason=body.reason))


@router.post("/implementations/{implementation_id}/retire", response_model=ImplementationRead,
             summary="停用（本部门）", responses=error_responses(404, 409))
def retire(implementation_id: Id, body: RetireIn, session: DbSession, actor: CurrentActor) -> ImplementationRead:
    return service.read(service.retire_implementation(session=session, actor=actor,
                                                      implementation_id=implementation_id, reason=body.reason))


@router.get("/reports/deviations", response_model=list[RegionDeviations],
            summary="偏差报告：各地实施清单与参照实施清单（市级）在时限、收费、材料上的差异（平台）")
def deviations(session: DbSession, actor: CurrentActor) -> list[RegionDeviations]:
    return reads.deviation_report(session, actor)


@router.get("/reports/once-only", response_model=OnceOnlyRead,
            summary="“一次不用跑”指标：免上传材料占比与零跑动事项占比（平台）")
def once_only(session: DbSession, actor: CurrentActor) -> OnceOnlyRead:
    return reads.once_only_figures(session, actor)


# ---------------------------------------------------------------- the platform: bundles (一件事) and events

_JOINT_POLICY_DOC = (
    "两个及以上成员事项适用时，各部门并联审批（联合审批）。`joint_policy` 决定一个部门不予许可时整件申请如何处理：\n\n"
    "- `any_refusal`（默认）：任一部门不予许可，整件申请不予许可，其他部门尚未办理的审批撤回，均不签发证照；\n"
    "- `all_must_decide`：每个部门都作出决定；获准的事项准予许可并签发电子证照，不予的事项不予许可，"
    "主办件结果为“部分准予”。\n\n"
    "已提交的办件按提交时一件事的规则办理，修改规则只影响此后提交的申请。")

EventKind = Annotated[str, Path(pattern="^(life|business)$", description="life 人生事件 / business 企业事件")]
EventName = Annotated[str, Path(min_length=1, max_length=64, description="事件名称")]


def _admin_summary(session: DbSession, actor: CurrentActor, code: str) -> BundleAdminSummary:
    return next(b for b in reads.manage_bundles(session, actor) if b.code == code)


@router.get("/manage/bundles", response_model=list[BundleAdminSummary],
            summary="全部一件事（草稿、已发布、已停用）及其版本数（平台）")
def manage_bundles(session: DbSession, actor: CurrentActor) -> list[BundleAdminSummary]:
    return reads.manage_bundles(session, actor)


@router.get("/manage/bundles/{code}/versions", response_model=list[BundleVersionRead],
            summary="一件事的已发布版本（新的在前，每版为发布时的完整内容；平台）", responses=error_responses(404))
def bundle_versions(code: str, session: DbSession, actor: CurrentActor) -> list[BundleVersionRead]:
    return reads.bundle_versions(session, actor, code)


@router.post("/bundles", response_model=BundleAdminSummary, status_code=201,
             summary="新建一件事（平台）：默认立即发布为第 1 版；draft=true 保存为草稿，门户不显示",
             description=_JOINT_POLICY_DOC, responses=error_responses(404, 409))
def create_bundle(body: BundleIn, session: DbSession, actor: CurrentActor,
                  draft: Annotated[bool, Query(description="保存为草稿（不发布）")] = False) -> BundleAdminSummary:
    bundle = service.create_bundle(session=session, actor=actor, bundle_in=body, draft=draft)
    return _admin_summary(session, actor, bundle.code)


@router.put("/bundles/{code}", response_model=BundleAdminSummary,
            summary="修改一件事（平台；编码不可改；已发布的修改即形成新版本，已停用的不能修改）",
            description=_JOINT_POLICY_DOC, responses=error_responses(404, 409))
def update_bundle(code: str, body: BundleIn, session: DbSession, actor: CurrentActor) -> BundleAdminSummary:
    service.update_bundle(session=session, actor=actor, code=code, bundle_in=body)
    return _admin_summary(session, actor, code)


@router.post("/bundles/{code}/publish", response_model=BundleAdminSummary,
             summary="发布一件事草稿（平台）：进入门户与检索", responses=error_responses(404, 409))
def publish_bundle(code: str, session: DbSession, actor: CurrentActor) -> BundleAdminSummary:
    bundle_cases.publish_bundle(session=session, actor=actor, code=code)
    return _admin_summary(session, actor, code)


@router.post("/bundles/{code}/retire", response_model=BundleAdminSummary,
             summary="停用已发布的一件事（平台，须写明原因）：退出门户与检索，版本与留痕保留",
             responses=error_responses(404, 409))
def retire_bundle(code: str, body: RetireIn, session: DbSession, actor: CurrentActor) -> BundleAdminSummary:
    bundle_cases.retire_bundle(session=session, actor=actor, code=code, reason=body.reason)
    return _admin_summary(session, actor, code)


@router.delete("/bundles/{code}", status_code=204, response_class=Response,
               summary="删除一件事草稿（平台；发布过的只能停用）", responses=error_responses(404, 409))
def delete_bundle(code: str, session: DbSession, actor: CurrentActor) -> Response:
    bundle_cases.delete_bundle(session=session, actor=actor, code=code)
    return Response(status_code=204)


@router.put("/events/{kind}/{name}", response_model=EventRead,
            summary="设置事件及其事项（平台；不存在则新建；事项列表整体替换）", responses=error_responses(404))
def set_event(kind: EventKind, name: EventName, body: EventSetIn, session: DbSession,
              actor: CurrentActor) -> EventRead:
    service.set_event(session=session, actor=actor, kind=kind, name=name, codes=body.codes, position=body.position)
    return next(e for e in reads.events(session, kind=kind) if e.name == name)


@router.post("/events/{kind}/{name}/rename", response_model=EventRead,
             summary="事件改名（平台）：使用该事件的一件事随之改名，事项与一件事的检索随之更新",
             responses=error_responses(404, 409))
def rename_event(kind: EventKind, name: EventName, body: EventRenameIn, session: DbSession,
                 actor: CurrentActor) -> EventRead:
    event = event_cases.rename_event(session=session, actor=actor, kind=kind, name=name, new_name=body.new_name)
    return next(e for e in reads.events(session, kind=kind) if e.name == event.name)


@router.put("/events/{kind}", response_model=list[str],
            summary="调整事件顺序（平台）：列出该类全部事件的名称，按新的顺序", responses=error_responses(404))
def reorder_events(kind: EventKind, body: EventOrderIn, session: DbSession, actor: CurrentActor) -> list[str]:
    return [e.name for e in event_cases.reorder_events(session=session, actor=actor, kind=kind, names=body.names)]


@router.delete("/events/{kind}/{name}", status_code=204, response_class=Response,
               summary="删除事件（平台）：仍有事项或一件事使用的不能删除，返回 409 并说明数量",
               responses=error_responses(404, 409))
def delete_event(kind: EventKind, name: EventName, session: DbSession, actor: CurrentActor) -> Response:
    event_cases.delete_event(session=session, actor=actor, kind=kind, name=name)
    return Response(status_code=204)
