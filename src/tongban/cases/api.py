"""JSON API of the cases (办件): the applicant's drafts, submission, 补正 and withdrawal; the departments'
queue, tasks and handling; the public lookup by number and 查询码.

窗口收件 goes the same path: a window clerk creates the draft naming the applicant, uploads, fetches (with the
walk-in applicant's consent, `consent: true`), confirms and submits it, and hands in a 补正 for the applicant —
on walk-in cases of the clerk's own department only (any other case is 404)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import File, Query, UploadFile
from pydantic import BaseModel, Field

from tongban.cases import applying, fees, handling, outcome, queries, service
from tongban.cases.schemas import (
    CaseCreate,
    Decision,
    Delivery,
    DraftUpdate,
    Lookup,
    MaterialConfirm,
    MaterialFetch,
    Refusal,
    Resumption,
    Review,
    SupplementRequest,
    Suspension,
    Withdrawal,
)
from tongban.deps import CurrentActor, DbSession, Id, OptionalActor, public_router, secure_router
from tongban.documents.schemas import DocumentRead
from tongban.errors import TooManyRequests, ValidationFailed, error_responses
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


class PrefilledField(BaseModel):
    key: str = Field(description="信息项代码（申请表字段）")
    name: str = Field(description="信息项名称")
    value: str = Field(description="共享数据的值；敏感信息按授权脱敏显示")
    masked: bool
    resource_name: str = Field(description="数据来源：信息资源名称")
    provider: str = Field(description="数据提供部门")


class PrefillRead(BaseModel):
    """预填结果：预填的字段及来源；未能预填时 available 为 false，message 说明原因（可自行填写）。"""

    available: bool
    message: str
    fields: list[PrefilledField]
    case: queries.CaseDetail


class MaterialOptionRead(BaseModel):
    material_id: int
    name: str
    source: str
    required: bool
    fetchable: bool = Field(description="平台能否为申请人调取（调取前不读取任何数据）")
    reason: str


class MaterialPreviewRead(BaseModel):
    """调取的材料预览：确认使用前只供申请人核对，平台不保存；不能调取时 available 为 false，可上传。"""

    material_id: int
    name: str
    source: str
    available: bool
    message: str
    may_upload: bool
    token: str = Field(description="确认使用时提交的凭据（licence:<证照编号>:<版本> 或 exchange:<交换记录序号>）")
    fields: list[PrefilledField] = Field(description="共享数据：调取的信息项（已脱敏）")
    licence_type: str
    licence_number: str
    identifier: str = Field(description="电子证照标识（GB/T 36904）")
    holder_name: str
    holder_code: str
    issuer_name: str
    valid_from: dt.date | None
    valid_to: dt.date | None = Field(description="有效期至；空为长期")
    pdf_url: str = Field(description="证照 PDF（持证人本人在“我的证照”中查看）")


def _fields(fields: list[applying.prefill.PrefillField]) -> list[PrefilledField]:
    return [PrefilledField(key=f.key, name=f.name, value=f.value, masked=f.masked, resource_name=f.resource_name,
                           provider=f.provider) for f in fields]


@router.post("/{case_id}/prefill", response_model=PrefillRead,
             summary="用共享数据预填申请表（申请人本人请求；以办件编号为用途，计入“谁用了我的数据”）",
             description="经共享交换平台从申请人所属类别的基础库（户籍人口或市场主体登记）调取本人记录，"
                         "未填写的栏目用未脱敏的值填入，预填的来源保存在申请表中。草稿尚无办件编号时先取得编号。"
                         "调取不到（未授权、无记录、交换平台不可用）时 available 为 false，申请人自行填写即可。",
             responses=error_responses(404, 409))
def prefill_form(case_id: Id, session: DbSession, actor: CurrentActor) -> PrefillRead:
    done = applying.prefill_draft(session, actor, case_id)
    return PrefillRead(available=done.prefill.available, message=done.prefill.message,
                       fields=_fields(done.prefill.fields), case=_detail(session, actor, case_id))


@router.get("/{case_id}/materials/fetchable", response_model=list[MaterialOptionRead],
            summary="哪些材料可由平台调取（只看授权和本人证照目录，不读取数据）",
            description="申请人本人的办件；或窗口收件人员本部门的窗口收件办件（按申请人本人的授权和证照目录判断）。",
            responses=error_responses(404))
def fetchable(case_id: Id, session: DbSession, actor: CurrentActor) -> list[MaterialOptionRead]:
    return [MaterialOptionRead(material_id=material_id, name=o.name, source=o.source, required=o.required,
                               fetchable=o.fetchable, reason=o.reason)
            for material_id, o in applying.fetchable(session, actor, case_id)]


@router.post("/{case_id}/materials/{material_id}/fetch", response_model=MaterialPreviewRead,
             summary="调取一项材料供预览（电子证照或共享数据；确认前不保存）",
             description="仅在申请人请求时调取：电子证照取本人名下有效的一本（可指定），共享数据经共享交换平台按本人"
                         "证件号码查询，以办件编号为用途记入交换日志。返回预览和确认凭据；不能调取时说明原因，可改为上传。"
                         "草稿阶段，或补正期间补正通知列明的材料可以调取。\n\n"
                         "窗口收件（受理人员为本部门窗口收件的申请人调取）走同一路径：须传 consent: true，表示申请人已"
                         "当面同意，缺少时 422 applicant_consent_required 且不调取；同意与确认以受理人员为操作人记入"
                         "办件时间线和审计日志；调取仍以申请人为最终用户、办件编号为用途，计入申请人的“谁用了我的数据”；"
                         "预览不含证照 PDF 链接（由申请人在“我的证照”中查看）。其他部门或网上申请的办件为 404。",
             responses=error_responses(404, 409))
def fetch(case_id: Id, material_id: Id, body: MaterialFetch, session: DbSession,
          actor: CurrentActor) -> MaterialPreviewRead:
    try:
        p = applying.fetch_material(session, actor, case_id, material_id, licence_id=body.licence_id,
                                    consent=body.consent)
    except ValidationFailed as exc:
        if exc.code != "applicant_consent_required":
            raise
        raise ValidationFailed("窗口代为调取须先征得申请人当面同意：请在请求中传 consent: true 后再调取。",
                               code=exc.code, detail={"field": "consent"}) from None
    return MaterialPreviewRead(
        material_id=material_id, name=p.name, source=p.source, available=p.available, message=p.message,
        may_upload=p.may_upload, token=p.token, fields=_fields(p.fields), licence_type=p.licence_type,
        licence_number=p.licence_number, identifier=p.identifier, holder_name=p.holder_name,
        holder_code=p.holder_code, issuer_name=p.issuer_name, valid_from=p.valid_from, valid_to=p.valid_to,
        pdf_url=p.pdf_url)


@router.post("/{case_id}/materials/{material_id}/confirm", response_model=queries.CaseDetail,
             summary="确认使用调取的材料（提交预览返回的凭据）",
             description="申请人本人确认；窗口收件时由受理人员在申请人当面核对预览后确认（记为申请人当面确认）。",
             responses=error_responses(404, 409))
def confirm(case_id: Id, material_id: Id, body: MaterialConfirm, session: DbSession,
            actor: CurrentActor) -> queries.CaseDetail:
    applying.confirm_material(session=session, actor=actor, case_id=case_id, material_id=material_id,
                              token=body.token)
    return _detail(session, actor, case_id)


@router.post("/{case_id}/materials/{material_id}/upload-instead", response_model=queries.CaseDetail,
             summary="不用调取的材料，改为自行上传", responses=error_responses(404, 409))
def upload_instead(case_id: Id, material_id: Id, session: DbSession, actor: CurrentActor) -> queries.CaseDetail:
    applying.switch_to_upload(session=session, actor=actor, case_id=case_id, material_id=material_id)
    return _detail(session, actor, case_id)


@router.get("/{case_id}/notices", response_model=list[DocumentRead],
            summary="办件的文书（受理通知书、补正材料通知书、不予受理决定书、准予/不予许可决定书）",
            description="加盖办理部门电子印章的 PDF 文书，申请人和办理部门可查看、下载（pdf_url），"
                        "任何人可在公开的证照核验接口 POST /api/v1/verify 核验真伪。", responses=error_responses(404))
def notices(case_id: Id, session: DbSession, actor: CurrentActor) -> list[DocumentRead]:
    return outcome.notices_of(session, actor, case_id)


@router.post("/{case_id}/submit", response_model=SubmitResult, summary="提交申请（取得办件编号和查询码）",
             responses=error_responses(404, 409))
def submit(case_id: Id, session: DbSession, actor: CurrentActor) -> SubmitResult:
    done = service.submit(session=session, actor=actor, case_id=case_id)
    return SubmitResult(case=_detail(session, actor, case_id), check_code=done.check_code)


@router.post("/{case_id}/supplement", response_model=queries.CaseDetail, summary="提交补正材料",
             description="补正通知列明的每项材料都须在通知之后提供——上传（可共享获取的材料也可自行上传），或调取并"
                         "确认使用——否则 422 supplement_incomplete，detail.materials 列出尚缺的材料。申请人本人提交；"
                         "窗口收件的办件也可由本部门受理人员在窗口代申请人提交。",
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


@router.get("/{case_id}/fees", response_model=fees.FeeSheet, summary="收费登记：收费标准、收退费记录与合计",
            responses=error_responses(404))
def fee_sheet(case_id: Id, session: DbSession, actor: CurrentActor) -> fees.FeeSheet:
    return fees.sheet_of(session, actor, case_id)


@router.post("/{case_id}/fees", response_model=fees.FeeSheet, status_code=201,
             summary="登记收费或退费（办理部门的工作人员；金额以分计）", responses=error_responses(403, 404, 409, 422))
def record_fee(case_id: Id, body: fees.FeeIn, session: DbSession, actor: CurrentActor) -> fees.FeeSheet:
    fees.record_fee(session=session, actor=actor, case_id=case_id, fee_in=body)
    return fees.sheet_of(session, actor, case_id)


@public.post("", response_model=queries.PublicStatus, summary="凭办件编号和查询码查询办理进度（无需登录）",
             responses=error_responses(404, 429))
def lookup(body: Lookup, session: DbSession, actor: OptionalActor) -> queries.PublicStatus:
    wait = _lookups.hit(actor.client_ip or "unknown", LOOKUPS_PER_MINUTE)
    if wait:  # nobody guesses 查询码 by the thousand
        raise TooManyRequests(f"查询过于频繁，请 {wait} 秒后再试。", code="case_lookup_rate_limited", retry_after=wait)
    return queries.public_lookup(session, actor, body.number, body.check_code)
