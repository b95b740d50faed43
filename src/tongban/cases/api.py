"""JSON API of the cases (办件): the applicant's drafts, submission, 补正 and withdrawal; the departments'
queue, tasks and handling; the public lookup by number and 查询码."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Query, UploadFile
from pydantic import BaseModel

from tongban.cases import handling, queries, service
from tongban.cases.schemas import (
    CaseCreate,
    Decision,
    Delivery,
    DraftUpdate,
    Lookup,
    Refusal,
    Resumption,
    Review,
    SupplementRequest,
    Suspension,
    Withdrawal,
)
from tongban.deps import CurrentActor, DbSession, Id, OptionalActor, public_router, secure_router
from tongban.errors import TooManyRequests, error_responses
from tongban.files.inspect import MATERIALS, read_upload
from tongban.licences.throttle import SlidingWindow

TAG = "办件"
router = secure_router(prefix="/api/v1/cases", tags=[TAG])
public = public_router(prefix="/api/v1/case-lookup", tags=[TAG])


_lookups = SlidingWindow()
LOOKUPS_PER_MINUTE = 10  # per address, like the other public lookups


class SubmitResult(BaseModel):
    case: queries.CaseDetail
    check_code: str


def _detail(session: DbSession, actor: CurrentActor, case_id: int) -> queries.CaseDetail:
    return queries.case_detail(session, actor, case_id)


@router.post("", response_model=queries.CaseDetail, status_code=201, summary="创建申请草稿（网上申请或窗口收件）",
             responses=error_responses(403, 404))
def create(body: CaseCreate, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    case = service.create_draft(session=session, actor=actor, case_in=body)
    return _detail(session, actor, case.id)


@router.get("/mine", response_model=queries.CasePage, summary="我的办件")
def mine(session: DbSession, actor: CurrentActor, page: Annotated[int, Query(ge=1, le=10000)] = 1,
         size: Annotated[int, Query(ge=1, le=100)] = 20) -> queries.CasePage:
    return queries.my_cases(session, actor, page=page, size=size)


@router.get("/queue", response_model=queries.CasePage, summary="受理队列（本部门待受理或待补正）")
def queue(session: DbSession, actor: CurrentActor,
          status: Annotated[str, Query(pattern="^(submitted|supplement)$")] = "submitted",
          page: Annotated[int, Query(ge=1, le=10000)] = 1,
          size: Annotated[int, Query(ge=1, le=200)] = 50) -> queries.CasePage:
    return queries.clerk_queue(session, actor, status=status, page=page, size=size)


@router.get("/tasks", response_model=list[queries.TaskEntry], summary="我的待办（本部门、本角色，按期限排序）")
def tasks(session: DbSession, actor: CurrentActor) -> list[queries.TaskEntry]:
    return queries.task_list(session, actor)


@router.get("/{case_id}", response_model=queries.CaseDetail, summary="办件详情", responses=error_responses(404))
def detail(case_id: Id, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    return _detail(session, actor, case_id)


@router.put("/{case_id}/form", response_model=queries.CaseDetail, summary="保存申请表（草稿）",
            responses=error_responses(404, 409))
def save_form(case_id: Id, body: DraftUpdate, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    service.update_draft(session=session, actor=actor, case_id=case_id, draft_in=body)
    return _detail(session, actor, case_id)


@router.post("/{case_id}/materials/{material_id}/file", response_model=queries.CaseDetail,
             summary="上传申请材料（按内容检查类型、大小、页数）", responses=error_responses(404, 409))
async def upload(case_id: Id, material_id: Id, session: DbSession, actor: CurrentActor,
                 file: Annotated[UploadFile, File(description="PDF、OFD、JPEG 或 PNG")]) -> queries.CaseDetail:
    content = await read_upload(file, accept=MATERIALS, field="file")
    service.upload_material(session=session, actor=actor, case_id=case_id, material_id=material_id,
                            content=content, filename=file.filename or "材料")
    return _detail(session, actor, case_id)


@router.post("/{case_id}/submit", response_model=SubmitResult, summary="提交申请（取得办件编号和查询码）",
             responses=error_responses(404, 409))
def submit(case_id: Id, session: DbSession, actor: CurrentActor) -> SubmitResult:
    done = service.submit(session=session, actor=actor, case_id=case_id)
    return SubmitResult(case=_detail(session, actor, case_id), check_code=done.check_code)


@router.post("/{case_id}/supplement", response_model=queries.CaseDetail, summary="提交补正材料",
             responses=error_responses(404, 409))
def supplement(case_id: Id, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    service.supplement(session=session, actor=actor, case_id=case_id)
    return _detail(session, actor, case_id)


@router.post("/{case_id}/withdraw", response_model=queries.CaseDetail, summary="撤回申请（决定作出前）",
             responses=error_responses(404, 409))
def withdraw(case_id: Id, body: Withdrawal, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    service.withdraw(session=session, actor=actor, case_id=case_id, withdrawal=body)
    return _detail(session, actor, case_id)


@router.post("/{case_id}/accept", response_model=queries.CaseDetail, summary="受理（窗口受理人员）",
             responses=error_responses(403, 404, 409))
def accept(case_id: Id, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    handling.accept(session=session, actor=actor, case_id=case_id)
    return _detail(session, actor, case_id)


@router.post("/{case_id}/reject", response_model=queries.CaseDetail, summary="不予受理（写明理由与救济途径）",
             responses=error_responses(403, 404, 409))
def reject(case_id: Id, body: Refusal, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    handling.reject(session=session, actor=actor, case_id=case_id, refusal=body)
    return _detail(session, actor, case_id)


@router.post("/{case_id}/supplement-request", response_model=queries.CaseDetail,
             summary="一次性告知补正（可共享获取的材料不得要求上传）", responses=error_responses(403, 404, 409))
def request_supplement(case_id: Id, body: SupplementRequest, session: DbSession,
                       actor: CurrentActor) -> queries.CaseDetail:
    handling.request_supplement(session=session, actor=actor, case_id=case_id, request=body)
    return _detail(session, actor, case_id)


@router.post("/{case_id}/review", response_model=queries.CaseDetail, summary="审查（审批人员）",
             responses=error_responses(403, 404, 409))
def review(case_id: Id, body: Review, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    handling.review(session=session, actor=actor, case_id=case_id, review_in=body)
    return _detail(session, actor, case_id)


@router.post("/{case_id}/decide", response_model=queries.CaseDetail,
             summary="决定准予或不予许可（即办件由窗口当场决定；联合审批各部门对本部门子办件决定）",
             responses=error_responses(403, 404, 409))
def decide(case_id: Id, body: Decision, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    handling.decide(session=session, actor=actor, case_id=case_id, decision=body)
    return _detail(session, actor, case_id)


@router.post("/{case_id}/suspend", response_model=queries.CaseDetail,
             summary="进入特别程序（听证、检测检验、专家评审、公示），暂停计时",
             responses=error_responses(403, 404, 409))
def suspend(case_id: Id, body: Suspension, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    handling.suspend(session=session, actor=actor, case_id=case_id, suspension=body)
    return _detail(session, actor, case_id)


@router.post("/{case_id}/resume", response_model=queries.CaseDetail, summary="特别程序结束，恢复计时",
             responses=error_responses(403, 404, 409))
def resume(case_id: Id, body: Resumption, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    handling.resume(session=session, actor=actor, case_id=case_id, resumption=body)
    return _detail(session, actor, case_id)


@router.post("/{case_id}/close", response_model=queries.CaseDetail, summary="办结",
             responses=error_responses(403, 404, 409))
def close(case_id: Id, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    handling.close(session=session, actor=actor, case_id=case_id)
    return _detail(session, actor, case_id)


@router.post("/{case_id}/deliver", response_model=queries.CaseDetail, summary="送达",
             responses=error_responses(403, 404, 409))
def deliver(case_id: Id, body: Delivery, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    handling.deliver(session=session, actor=actor, case_id=case_id, delivery=body)
    return _detail(session, actor, case_id)


@public.post("", response_model=queries.PublicStatus, summary="凭办件编号和查询码查询办理进度（无需登录）",
             responses=error_responses(404, 429))
def lookup(body: Lookup, session: DbSession, actor: OptionalActor) -> queries.PublicStatus:
    wait = _lookups.hit(actor.client_ip or "unknown", LOOKUPS_PER_MINUTE)
    if wait:  # nobody guesses 查询码 by the thousand
        raise TooManyRequests(f"查询过于频繁，请 {wait} 秒后再试。", code="case_lookup_rate_limited", retry_after=wait)
    return queries.public_lookup(session, actor, body.number, body.check_code)
