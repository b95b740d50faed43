"""JSON API of licence types, licences and the public verification (seals and CAs: tongban.seals.api)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tongban import clock
from tongban.crypto import ca, certs
from tongban.deps import CurrentActor, DbSession, Id, OptionalIdQuery, secure_router
from tongban.errors import ValidationFailed, error_responses
from tongban.files.serve import file_response
from tongban.licences import issuing, licence_types, queries, verify
from tongban.licences.models import Licence, LicenceType
from tongban.org.schemas import Page
from tongban.schema_types import Strict
from tongban.seals.api import StatusChange

router = secure_router(prefix="/api/v1", tags=["电子印章与电子证照"])
# Verification is for anyone — a bank's system as much as a citizen — and changes nothing: it reads
# no session and writes nothing, so there is no forged request to protect against and no CSRF token.
public = APIRouter(prefix="/api/v1", tags=["证照核验（公开）"], responses=error_responses(400, 422))
public.tongban_public = True  # type: ignore[attr-defined]
MAX_PDF_BYTES = 10 * 1024 * 1024


class LicenceTypeRead(BaseModel):
    id: int
    code: str
    name: str
    defining_org_name: str
    defining_org_code: str
    holder_kind: str
    items: list[dict[str, Any]]
    layout: dict[str, Any]
    validity_years: int | None
    description: str
    status: str
    issuer_department_ids: list[int]


def _type(row: LicenceType) -> LicenceTypeRead:
    return LicenceTypeRead(id=row.id, code=row.code, name=row.name, defining_org_name=row.defining_org_name,
                           defining_org_code=row.defining_org_code, holder_kind=row.holder_kind, items=row.items,
                           layout=row.layout, validity_years=row.validity_years, description=row.description,
                           status=row.status, issuer_department_ids=[i.department_id for i in row.issuers])


@router.get("/licence-types", response_model=list[LicenceTypeRead], summary="证照类型目录")
def list_types(session: DbSession, actor: CurrentActor,
               include_retired: Annotated[bool, Query(description="含已停用的类型")] = False) -> list[LicenceTypeRead]:
    return [_type(t) for t in licence_types.list_types(session, include_retired=include_retired)]


@router.post("/licence-types/{type_id}/status/{status}", response_model=LicenceTypeRead, summary="停用 / 启用证照类型",
             responses=error_responses(404, 409))
def type_status(type_id: Id, status: str, session: DbSession, actor: CurrentActor) -> LicenceTypeRead:
    return _type(licence_types.set_status(session=session, actor=actor, type_id=type_id, status=status))


@router.post("/licence-types", response_model=LicenceTypeRead, status_code=201, summary="新建证照类型",
             responses=error_responses(409))
def create_type(body: licence_types.LicenceTypeIn, session: DbSession, actor: CurrentActor) -> LicenceTypeRead:
    return _type(licence_types.create_type(session=session, actor=actor, type_in=body))


@router.put("/licence-types/{type_id}", response_model=LicenceTypeRead, summary="修改证照类型",
            responses=error_responses(404, 409))
def update_type(type_id: Id, body: licence_types.LicenceTypeIn, session: DbSession,
                actor: CurrentActor) -> LicenceTypeRead:
    return _type(licence_types.update_type(session=session, actor=actor, type_id=type_id, type_in=body))


class LicenceRead(BaseModel):
    id: int
    identifier: str
    type_code: str
    type_name: str
    number: str
    issuer_name: str
    issuer_code: str
    holder_name: str
    holder_code: str
    holder_code_type: str
    issued_on: dt.date
    valid_from: dt.date
    valid_to: dt.date | None
    region_code: str
    service_item_code: str
    service_item_name: str
    data: dict[str, Any]
    version: int
    status: str
    status_reason: str
    seal_es_id: str
    verify_url: str


def _licence(row: Licence) -> LicenceRead:
    return LicenceRead(id=row.id, identifier=row.identifier, type_code=row.type.code, type_name=row.type.name,
                       number=row.number, issuer_name=row.issuer_name, issuer_code=row.issuer_code,
                       holder_name=row.holder_name, holder_code=row.holder_code,
                       holder_code_type=row.holder_code_type, issued_on=row.issued_on, valid_from=row.valid_from,
                       valid_to=row.valid_to, region_code=row.region_code, service_item_code=row.service_item_code,
                       service_item_name=row.service_item_name, data=row.data, version=row.version,
                       status=queries.status_today(row), status_reason=row.status_reason,
                       seal_es_id=row.seal.es_id, verify_url=issuing.verify_url(row.identifier))


class Annotation(Strict):
    text: str = Field(min_length=1, max_length=200)


@router.post("/licences", response_model=LicenceRead, status_code=201, summary="签发电子证照",
             responses=error_responses(409))
def issue(body: issuing.LicenceIssue, session: DbSession, actor: CurrentActor) -> LicenceRead:
    return _licence(issuing.issue(session=session, actor=actor, licence_in=body))


class LicenceHit(LicenceRead):
    #: In a search (q given): the texts as the licence list shows them — type, number, holder name and
    #: code (a person's masked), identifier — HTML-escaped, with what matched in <mark>.
    highlights: dict[str, str] = Field(default_factory=dict, description="检索时：列表所示文本（自然人姓名和身份证号为"
                                       "脱敏形式），匹配部分以 <mark> 标出")


class LicencePage(Page[LicenceHit]):
    suggestion: str = Field("", description="检索无结果时改用的“您是不是要找”")
    fallback: bool = Field(False, description="没有同时匹配全部检索词、以下为部分匹配的结果")
    readings: list[str] = Field(default_factory=list, description="按词典一并检索的规范用语，如“驾照 → 机动车驾驶证”")
    capped: bool = Field(False, description="匹配超过 total 条，仅排序前 total 条")


@router.get("/licences", response_model=LicencePage, summary="本部门已签发的证照（可检索）")
def list_issued(session: DbSession, actor: CurrentActor,
                type_id: OptionalIdQuery = None,
                status: Annotated[str | None, Query(pattern="^(valid|suspended|revoked|expired)$")] = None,
                q: Annotated[str, Query(max_length=128, description="检索：持证人姓名、身份证号或统一社会信用代码、"
                                        "证照编号、证照标识、证照类型名称或俗称（如 驾照），按匹配程度排序")] = "",
                page: Annotated[int, Query(ge=1, le=10000)] = 1,
                size: Annotated[int, Query(ge=1, le=200)] = 50) -> LicencePage:
    if not q.strip():
        rows, total = queries.list_issued(session=session, actor=actor, type_id=type_id, status=status,
                                          page=page, size=size)
        return LicencePage(items=[LicenceHit(**_licence(r).model_dump()) for r in rows], total=total, page=page,
                           size=size)
    found = queries.search_issued(session=session, actor=actor, q=q, type_id=type_id, status=status, page=page,
                                  size=size)
    items = [LicenceHit(**_licence(r).model_dump(),
                        highlights={k: str(v) for k, v in queries.issued_row(r, found).marked.items()})
             for r in found.rows]
    return LicencePage(items=items, total=found.total, page=page, size=size, suggestion=found.suggestion,
                       fallback=found.fallback, readings=found.expanded, capped=found.capped)


@router.get("/licences/mine", response_model=list[LicenceRead], summary="我的证照（群众、企业）")
def mine(session: DbSession, actor: CurrentActor) -> list[LicenceRead]:
    return [_licence(r) for r in queries.my_licences(session=session, actor=actor)]


@router.get("/licences/{licence_id}", response_model=LicenceRead, summary="证照详情", responses=error_responses(404))
def get_licence(licence_id: Id, session: DbSession, actor: CurrentActor) -> LicenceRead:
    return _licence(queries.read_licence(session=session, actor=actor, licence_id=licence_id))


@router.get("/licences/{licence_id}/pdf", summary="下载证照 PDF", response_class=Response,
            responses=error_responses(404))
def download(licence_id: Id, session: DbSession, actor: CurrentActor,
             version: Annotated[int | None, Query(ge=1, le=999)] = None) -> Response:
    licence, pdf = queries.pdf_of(session=session, actor=actor, licence_id=licence_id, version=version)
    name = f"{licence.identifier}.pdf"
    return file_response(pdf, filename=name, content_type="application/pdf")


@router.post("/licences/{licence_id}/annotations", response_model=LicenceRead, summary="证照加注",
             responses=error_responses(404, 409))
def annotate(licence_id: Id, body: Annotation, session: DbSession, actor: CurrentActor) -> LicenceRead:
    return _licence(issuing.annotate(session=session, actor=actor, licence_id=licence_id, text=body.text))


@router.post("/licences/{licence_id}/status/{action}", response_model=LicenceRead, summary="暂停 / 恢复 / 注销证照",
             responses=error_responses(404, 409))
def licence_action(licence_id: Id, action: str, body: StatusChange, session: DbSession,
                   actor: CurrentActor) -> LicenceRead:
    return _licence(issuing.change_status(session=session, actor=actor, licence_id=licence_id, action=action,
                                          reason=body.reason))


def verify_upload(session: DbSession, data: bytes) -> verify.Verdict:
    """Verify an uploaded PDF against the register (used by the API and the page).

    The per-address upload limit (throttle.check_upload) is counted before the body is received,
    by the route's gate in web/limits.py."""
    if not data:
        raise ValidationFailed("请选择要核验的证照 PDF 文件。", code="verify_file_missing")
    if len(data) > MAX_PDF_BYTES:
        raise ValidationFailed("文件过大（超过 10 MB），不是本平台签发的电子证照。", code="verify_file_too_large")
    return verify.verify_online(session, data, ecdsa=ca.trust(session, "ecdsa-p256"), sm2=ca.trust(session, "sm2"),
                                now=dt.datetime.now(dt.UTC), today=clock.today())


@public.post("/verify", summary="上传 PDF 核验电子证照（无需登录）", responses=error_responses(429))
def verify_file(session: DbSession, file: Annotated[UploadFile, File(description="电子证照 PDF")]) -> dict[str, object]:
    # Synchronous on purpose: verification runs pyhanko's event loop of its own in a worker thread.
    data = file.file.read(MAX_PDF_BYTES + 1)
    return verify_upload(session, data).as_dict()


@public.get("/verify/{identifier}", summary="按证照标识核验（二维码，无需登录）", responses=error_responses(404))
def verify_by_identifier(identifier: str, session: DbSession) -> dict[str, object]:
    from tongban.licences import identifier as ident

    return verify.verify_identifier(session, str(ident.parse(identifier)), today=clock.today()).as_dict()


@public.get("/ca/trust.pem", summary="下载信任的 CA 证书（离线核验用）", response_class=Response)
def trust_bundle(session: DbSession) -> Response:
    pems = []
    for algorithm in ca.ALGORITHMS:
        t = ca.trust(session, algorithm)
        pems += [certs.to_pem(d) for d in t.roots + t.intermediates]
    return Response("".join(pems), media_type="application/x-pem-file",
                    headers={"Content-Disposition": 'attachment; filename="tongban-trust.pem"'})

