"""JSON API of the departments' electronic seals and of the CA certificates the platform trusts.

The public download of the trust bundle (/api/v1/ca/trust.pem) stays with verification in licences.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from tongban.crypto import ca, certs
from tongban.crypto.models import CaCertificate
from tongban.deps import CurrentActor, DbSession, Id, OptionalIdQuery, secure_router
from tongban.errors import error_responses
from tongban.schema_types import Strict, UtcDateTime
from tongban.seals import service as seals
from tongban.seals.models import Seal

# One OpenAPI tag for seals and licences, as API users have known it.
router = secure_router(prefix="/api/v1", tags=["电子印章与电子证照"])


class SealRead(BaseModel):
    id: int
    department_id: int
    department_name: str
    es_id: str
    name: str
    kind: str
    ca_source: str
    status: str
    status_reason: str
    valid_from: UtcDateTime
    valid_to: UtcDateTime
    uses: int
    sm2_certificate_pem: str | None
    pdf_certificate_pem: str | None


def _seal(seal: Seal) -> SealRead:
    return SealRead(id=seal.id, department_id=seal.department_id, department_name=seal.department.name,
                    es_id=seal.es_id, name=seal.name, kind=seal.kind, ca_source=seal.ca_source, status=seal.status,
                    status_reason=seal.status_reason, valid_from=seal.valid_from, valid_to=seal.valid_to,
                    uses=seal.uses, sm2_certificate_pem=certs.to_pem(seal.sm2_cert) if seal.sm2_cert else None,
                    pdf_certificate_pem=certs.to_pem(seal.pdf_cert) if seal.pdf_cert else None)


class StatusChange(Strict):
    reason: str = Field(default="", max_length=500)


class CertificatesIn(Strict):
    sm2_certificate_pem: str = Field(min_length=10, max_length=20000)
    pdf_certificate_pem: str = Field(min_length=10, max_length=20000)


class CaRead(BaseModel):
    id: int
    algorithm: str
    role: str
    source: str
    subject: str
    fingerprint: str
    not_before: UtcDateTime
    not_after: UtcDateTime
    status: str
    pem: str


class CaImport(Strict):
    pem: str = Field(min_length=10, max_length=20000)
    role: str = Field(pattern="^(root|issuing)$")


def _ca(row: CaCertificate) -> CaRead:
    return CaRead(id=row.id, algorithm=row.algorithm, role=row.role, source=row.source, subject=row.subject,
                  fingerprint=row.fingerprint, not_before=row.not_before, not_after=row.not_after, status=row.status,
                  pem=certs.to_pem(bytes(row.der)))


@router.get("/seals", response_model=list[SealRead], summary="电子印章列表")
def list_seals(session: DbSession, actor: CurrentActor,
               department_id: OptionalIdQuery = None) -> list[SealRead]:
    return [_seal(s) for s in seals.list_seals(session=session, actor=actor, department_id=department_id)]


@router.post("/seals", response_model=SealRead, status_code=201, summary="制作电子印章（平台管理员）",
             responses=error_responses(409))
def create_seal(body: seals.SealCreate, session: DbSession, actor: CurrentActor) -> SealRead:
    return _seal(seals.create_seal(session=session, actor=actor, seal_in=body))


@router.post("/seals/{seal_id}/{action}", response_model=SealRead, summary="暂停 / 恢复 / 注销电子印章",
             responses=error_responses(404, 409))
def seal_action(seal_id: Id, action: str, body: StatusChange, session: DbSession, actor: CurrentActor) -> SealRead:
    return _seal(seals.change_status(session=session, actor=actor, seal_id=seal_id, action=action,
                                     reason=body.reason))


@router.get("/seals/{seal_id}/requests", summary="印章证书请求（外部 CA）", responses=error_responses(404))
def seal_requests(seal_id: Id, session: DbSession, actor: CurrentActor) -> dict[str, str]:
    reqs = seals.certificate_requests(session=session, actor=actor, seal_id=seal_id)
    return {"sm2_request_pem": reqs.sm2, "pdf_request_pem": reqs.pdf}


@router.put("/seals/{seal_id}/certificates", response_model=SealRead, summary="安装外部 CA 签发的印章证书",
            responses=error_responses(404, 409))
def seal_certificates(seal_id: Id, body: CertificatesIn, session: DbSession, actor: CurrentActor) -> SealRead:
    return _seal(seals.install_certificates(session=session, actor=actor, seal_id=seal_id,
                                            sm2_cert=body.sm2_certificate_pem.encode(),
                                            pdf_cert=body.pdf_certificate_pem.encode()))


@router.get("/ca/certificates", response_model=list[CaRead], summary="信任的 CA 证书")
def list_ca(session: DbSession, actor: CurrentActor) -> list[CaRead]:
    return [_ca(r) for r in ca.list_certificates(session=session, actor=actor)]


@router.post("/ca/certificates", response_model=CaRead, status_code=201, summary="导入外部 CA 证书",
             responses=error_responses(409))
def import_ca(body: CaImport, session: DbSession, actor: CurrentActor) -> CaRead:
    return _ca(ca.import_external(session=session, actor=actor, data=body.pem.encode(), role=body.role))
