"""JSON API of data-quality disputes (数据疑义/纠错), for staff sessions and for systems with an API key."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Header, Query, Response, UploadFile
from starlette.datastructures import UploadFile as StarletteUpload

from tongban import files as file_store
from tongban.deps import CurrentActor, DbSession, Id, OptionalIdQuery, secure_router
from tongban.disputes import service
from tongban.disputes.evidence import POLICY, Upload
from tongban.disputes.models import DataDispute
from tongban.disputes.schemas import (
    AttachmentRead,
    DisputeAnswer,
    DisputeCoordination,
    DisputeCreate,
    DisputeEscalation,
    DisputeRead,
)
from tongban.errors import error_responses
from tongban.files.serve import file_response
from tongban.org.schemas import Page

router = secure_router(prefix="/api/v1/disputes", tags=["数据疑义"])
_ROLE_HELP = "raised 本部门（本系统）提出的；against 针对本部门数据的；platform 全部（平台协调）"
_STATUS_HELP = "open / corrected / rejected / escalated / coordinated_correct / upheld / withdrawn，或 unresolved"


_END_USER_HELP = ("代表办事人调用的应用系统（如一网通办平台）必填：办事人本人的公民身份号码或统一社会信用代码；"
                  "只能提出、查看办事人本人记录上的疑义，其他人的记录按不存在答复")
_CASE_HELP = "代表办事人调用的应用系统必填：办事人本人处于草稿或待补正状态的办件编号"
EndUserHeader = Annotated[str | None, Header(alias="X-End-User", max_length=32, description=_END_USER_HELP)]
CaseHeader = Annotated[str | None, Header(alias="X-Case-Number", max_length=64, description=_CASE_HELP)]


def _end_user(end_user: str | None, case_number: str | None) -> service.EndUser:
    return service.EndUser(code=(end_user or "").strip(), case_number=(case_number or "").strip())


def _detail(session: DbSession, dispute: DataDispute) -> DisputeRead:
    return service.detail_read(session, dispute)


async def read_uploads(files: list[StarletteUpload]) -> list[Upload]:
    """Read each file in chunks up to its limit, so an oversized file is refused without reading it all."""
    return [Upload(filename=f.filename or "", content=await file_store.read_upload(f, accept=POLICY)) for f in files]


@router.get("", response_model=Page[DisputeRead], summary="数据疑义列表")
def list_disputes(
    session: DbSession, actor: CurrentActor,
    role: Annotated[str, Query(pattern="^(raised|against|platform)$", description=_ROLE_HELP)] = "raised",
    status: Annotated[str | None, Query(max_length=24, description=_STATUS_HELP)] = None,
    overdue: Annotated[bool, Query(description="只看已超过答复期限的")] = False,
    resource_id: OptionalIdQuery = None,
    record_key: Annotated[str | None, Query(max_length=255)] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
    x_end_user: EndUserHeader = None,
    x_case_number: CaseHeader = None,
) -> Page[DisputeRead]:
    rows, total = service.list_disputes(session=session, actor=actor, role=role, status=status, overdue=overdue,
                                        resource_id=resource_id, record_key=record_key, page=page, size=size,
                                        end_user=_end_user(x_end_user, x_case_number))
    return Page(items=[service.dispute_read(d) for d in rows], total=total, page=page, size=size)


@router.post("", response_model=DisputeRead, status_code=201, summary="提出数据疑义", responses=error_responses(409))
def raise_dispute(body: DisputeCreate, session: DbSession, actor: CurrentActor, x_end_user: EndUserHeader = None,
                  x_case_number: CaseHeader = None) -> DisputeRead:
    return _detail(session, service.raise_dispute(session=session, actor=actor, dispute_in=body,
                                                  end_user=_end_user(x_end_user, x_case_number)))


@router.get("/{dispute_id}", response_model=DisputeRead, summary="数据疑义详情", responses=error_responses(404))
def get_dispute(dispute_id: Id, session: DbSession, actor: CurrentActor, x_end_user: EndUserHeader = None,
                x_case_number: CaseHeader = None) -> DisputeRead:
    return _detail(session, service.get_dispute(session=session, actor=actor, dispute_id=dispute_id,
                                                end_user=_end_user(x_end_user, x_case_number)))


@router.get("/{dispute_id}/timeline", summary="办理过程（来自审计日志）", responses=error_responses(404))
def get_timeline(dispute_id: Id, session: DbSession, actor: CurrentActor, x_end_user: EndUserHeader = None,
                 x_case_number: CaseHeader = None) -> list[dict[str, Any]]:
    dispute = service.get_dispute(session=session, actor=actor, dispute_id=dispute_id,
                                  end_user=_end_user(x_end_user, x_case_number))
    return [{"at": e.occurred_at.isoformat() + "Z", "action": e.action, "actor": e.actor_name,
             "actor_kind": e.actor_kind} for e in service.timeline(session=session, dispute=dispute)]


@router.post("/{dispute_id}/attachments", response_model=list[AttachmentRead], status_code=201,
             summary="上传证明材料（PDF、JPEG、PNG，multipart 字段 files）", responses=error_responses(404, 409))
async def upload(dispute_id: Id, session: DbSession, actor: CurrentActor,
                 files: Annotated[list[UploadFile], File(description="证明材料文件，可多个")]) -> list[AttachmentRead]:
    uploads = await read_uploads(list(files))
    added = service.add_attachments(session=session, actor=actor, dispute_id=dispute_id, files=uploads)
    return [AttachmentRead.model_validate(a) for a in added]


@router.get("/{dispute_id}/attachments/{attachment_id}", summary="下载证明材料", responses=error_responses(404))
def download(dispute_id: Id, attachment_id: Id, session: DbSession, actor: CurrentActor) -> Response:
    got = service.get_attachment(session=session, actor=actor, dispute_id=dispute_id, attachment_id=attachment_id)
    return file_response(got.content, filename=got.file.filename, content_type=got.file.content_type,
                         sha256=got.file.sha256)


@router.post("/{dispute_id}/answer", response_model=DisputeRead, summary="提供方答复：已更正或不予更正",
             responses=error_responses(404, 409))
def answer(dispute_id: Id, body: DisputeAnswer, session: DbSession, actor: CurrentActor) -> DisputeRead:
    return _detail(session, service.answer(session=session, actor=actor, dispute_id=dispute_id, answer_in=body))


@router.post("/{dispute_id}/withdraw", response_model=DisputeRead, summary="撤回疑义",
             responses=error_responses(404, 409))
def withdraw(dispute_id: Id, session: DbSession, actor: CurrentActor) -> DisputeRead:
    return _detail(session, service.withdraw(session=session, actor=actor, dispute_id=dispute_id))


@router.post("/{dispute_id}/escalate", response_model=DisputeRead, summary="对不予更正申请平台协调",
             responses=error_responses(404, 409))
def escalate(dispute_id: Id, body: DisputeEscalation, session: DbSession, actor: CurrentActor) -> DisputeRead:
    return _detail(session, service.escalate(session=session, actor=actor, dispute_id=dispute_id, escalation=body))


@router.post("/{dispute_id}/coordinate", response_model=DisputeRead, summary="协调结论（平台）",
             responses=error_responses(404, 409))
def coordinate(dispute_id: Id, body: DisputeCoordination, session: DbSession, actor: CurrentActor) -> DisputeRead:
    return _detail(session, service.coordinate(session=session, actor=actor, dispute_id=dispute_id,
                                               coordination=body))
