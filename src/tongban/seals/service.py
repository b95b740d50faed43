"""电子印章 use-cases: make a department's seal, suspend, resume and revoke it; sign with it.

A seal has two key pairs in the key store: SM2 for the GB/T 38540 seal signature, ECDSA P-256 for
the PAdES signature that PDF readers check. Its certificates come from the platform's own CA, or
from an external CA: then the seal waits (pending) until the CA's certificates are installed.
The SESeal structure is made (signed) by the platform's SM2 issuing CA as the seal maker (制章人).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban import numbering
from tongban.audit.service import record
from tongban.authz import Actor, Permission
from tongban.crypto import asn1, ca, certs
from tongban.crypto.keystore import get_keystore
from tongban.db import utcnow
from tongban.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from tongban.org.models import Department
from tongban.schema_types import RefId, Strict
from tongban.seals.image import SealDesign, seal_svg
from tongban.seals.models import Seal
from tongban.transactions import use_case

SEAL_KINDS = {
    "official": "公章",
    "approval": "审批专用章",
    "licence": "证照专用章",
    "contract": "合同专用章",
}
SEAL_STATUS_LABELS = {"pending": "待安装证书", "active": "正常", "suspended": "已暂停", "revoked": "已注销"}
# Seals that may stamp licences: the approval and licence seals (a 公章 may, where local rules allow).
LICENCE_SEAL_KINDS = ("licence", "approval", "official")
SEAL_VID = "tongban"
MAX_YEARS = 10


class SealCreate(Strict):
    """制作电子印章: the department, the kind of seal and how long it is valid."""

    department_id: RefId
    kind: str = Field(pattern="^(official|approval|licence|contract)$")
    valid_years: int = Field(default=5, ge=1, le=MAX_YEARS)
    ca_source: str = Field(default="own", pattern="^(own|external)$")


def design_of(seal: Seal) -> SealDesign:
    """How the seal looks: a 公章 shows the department only, a special seal its name as well."""
    return SealDesign(organization=seal.department.name, seal_name="" if seal.kind == "official" else seal.name,
                      code=seal.es_id)


def _next_es_id(session: Session, department: Department) -> str:
    # 印章编码: the department's 6-digit region code and an 8-digit platform-wide sequence
    # (the national code also has a province-assigned part; this keeps the same length and shape),
    # taken from the race-safe, gapless counter (tongban.numbering), given back if the use-case fails.
    return f"{department.region_code[:6]}{numbering.allocate(session, numbering.SEAL):08d}"


def _subject(department: Department, seal_name: str, purpose: str) -> certs.x509.Name:
    return certs.make_name(f"{department.name}{seal_name}", organization=department.name, unit=purpose,
                           serial_number=department.uscc)


def _get(session: Session, seal_id: int) -> Seal:
    seal = session.get(Seal, seal_id)
    if seal is None:
        raise NotFound("电子印章不存在。", code="seal_not_found")
    return seal


def _make_seal_structure(session: Session, seal: Seal, now: dt.datetime) -> bytes:
    assert seal.sm2_cert is not None
    maker = ca.own_issuing(session, "sm2")
    maker_key = maker.key_id
    assert maker_key is not None
    props = asn1.SealProperties(
        es_id=seal.es_id, seal_type=1, name=f"{seal.department.name}{seal.name}", cert_list=[seal.sm2_cert],
        created=now, valid_start=seal.valid_from, valid_end=seal.valid_to, picture_type="svg",
        picture=seal.picture_svg.encode("utf-8"), width_mm=42, height_mm=42, vid=SEAL_VID)
    store = get_keystore()
    return asn1.make_seal(props, maker.der, lambda tbs: store.sign(session, maker_key, tbs))


@use_case
def create_seal(*, session: Session, actor: Actor, seal_in: SealCreate) -> Seal:
    """Make a seal for a department: key pairs, certificates, picture and the signed SESeal."""
    actor.require(Permission.SEAL_MANAGE)
    department = session.get(Department, seal_in.department_id)
    if department is None or department.status != "active":
        raise ValidationFailed("所选部门不存在或已停用。", code="seal_department_invalid")
    name = SEAL_KINDS[seal_in.kind]
    if seal_in.kind == "official":
        existing = session.execute(select(Seal.id).where(Seal.department_id == department.id, Seal.kind == "official",
                                                         Seal.status.in_(("pending", "active", "suspended")))).first()
        if existing is not None:
            raise Conflict("该部门已有公章；一个部门只能有一枚在用的公章，如需更换请先注销原公章。",
                           code="seal_official_exists")
    now = utcnow().replace(microsecond=0)
    store = get_keystore()
    label = f"{department.name}{name}"
    sm2_key = store.generate(session, algorithm="sm2", label=label + "（SM2）")
    pdf_key = store.generate(session, algorithm="ecdsa-p256", label=label + "（PDF）")
    valid_to = now + dt.timedelta(days=365 * seal_in.valid_years)
    seal = Seal(department_id=department.id, department=department, es_id=_next_es_id(session, department),
                name=name, kind=seal_in.kind, ca_source=seal_in.ca_source, sm2_key_id=sm2_key.id,
                pdf_key_id=pdf_key.id, valid_from=now, valid_to=valid_to, picture_svg="",
                status="pending" if seal_in.ca_source == "external" else "active", created_by=actor.id,
                created_at=now, status_changed_at=now)
    seal.picture_svg = seal_svg(design_of(seal))
    if seal_in.ca_source == "own":
        seal.sm2_cert = ca.issue_end_entity(session, algorithm="sm2", subject=_subject(department, name, "电子印章"),
                                            public_key=sm2_key.public_key, not_before=now, not_after=valid_to)
        seal.pdf_cert = ca.issue_end_entity(session, algorithm="ecdsa-p256",
                                            subject=_subject(department, name, "电子证照签名"),
                                            public_key=pdf_key.public_key, not_before=now, not_after=valid_to)
        seal.valid_to = min(valid_to, certs.load_certificate(seal.sm2_cert).not_after.replace(tzinfo=None))
        seal.seal_der = _make_seal_structure(session, seal, now)
    session.add(seal)
    session.flush()
    record(session, actor=actor, action="seal.create", object_type="seal", object_id=seal.id,
           detail={"department": department.name, "name": name, "es_id": seal.es_id, "ca_source": seal.ca_source,
                   "valid_to": seal.valid_to.isoformat()})
    return seal


@dataclass(frozen=True)
class CertificateRequests:
    """PKCS#10 requests of a pending seal's two keys, for the external CA (PEM)."""

    sm2: str
    pdf: str


def certificate_requests(*, session: Session, actor: Actor, seal_id: int) -> CertificateRequests:
    """The certificate requests of a seal waiting for an external CA."""
    actor.require(Permission.SEAL_MANAGE)
    seal = _get(session, seal_id)
    store = get_keystore()
    sm2_pub = store.public_key(session, seal.sm2_key_id).public_key
    pdf_pub = store.public_key(session, seal.pdf_key_id).public_key
    sm2 = certs.make_csr(algorithm="sm2", subject=_subject(seal.department, seal.name, "电子印章"),
                         subject_public_key_info=certs.sm2_public_key_info(sm2_pub),
                         sign=lambda tbs: store.sign(session, seal.sm2_key_id, tbs))
    pdf = certs.make_csr(algorithm="ecdsa-p256", subject=_subject(seal.department, seal.name, "电子证照签名"),
                         subject_public_key_info=pdf_pub, sign=lambda tbs: store.sign(session, seal.pdf_key_id, tbs))
    return CertificateRequests(certs.to_pem(sm2, "CERTIFICATE REQUEST"), certs.to_pem(pdf, "CERTIFICATE REQUEST"))


@use_case
def install_certificates(*, session: Session, actor: Actor, seal_id: int, sm2_cert: bytes, pdf_cert: bytes) -> Seal:
    """Install the certificates an external CA issued for a pending seal; the seal becomes active."""
    actor.require(Permission.SEAL_MANAGE)
    seal = _get(session, seal_id)
    if seal.status != "pending":
        raise InvalidTransition("只有待安装证书的印章才能安装证书。", code="seal_not_pending")
    store = get_keystore()
    now = utcnow().replace(microsecond=0)
    checked: dict[str, certs.CertInfo] = {}
    for algorithm, data, key_id in (("sm2", sm2_cert, seal.sm2_key_id), ("ecdsa-p256", pdf_cert, seal.pdf_key_id)):
        info = certs.load_certificate(data)
        label = ca.ALGORITHM_LABELS[algorithm]
        if info.algorithm != algorithm:
            raise ValidationFailed(f"{label}证书的算法不对，请核对上传的文件。", code="seal_certificate_algorithm")
        if info.public_key != store.public_key(session, key_id).public_key:
            raise ValidationFailed(f"{label}证书与该印章的密钥不匹配：请上传 CA 按本印章证书请求签发的证书。",
                                   code="seal_certificate_key_mismatch")
        t = ca.trust(session, algorithm)
        chain = certs.verify_chain(info.der, t.intermediates, t.roots, dt.datetime.now(dt.UTC))
        if not chain.ok:
            raise ValidationFailed(f"{label}证书无法验证到已信任的 CA：{chain.reason}",
                                   code="seal_certificate_untrusted")
        checked[algorithm] = info
    seal.sm2_cert, seal.pdf_cert = checked["sm2"].der, checked["ecdsa-p256"].der
    seal.valid_from = now
    seal.valid_to = min(seal.valid_to, *(i.not_after.replace(tzinfo=None) for i in checked.values()))
    seal.seal_der = _make_seal_structure(session, seal, now)
    seal.status, seal.status_changed_at = "active", now
    record(session, actor=actor, action="seal.certificates", object_type="seal", object_id=seal.id,
           detail={"sm2_fingerprint": checked["sm2"].fingerprint, "pdf_fingerprint": checked["ecdsa-p256"].fingerprint})
    return seal


_TRANSITIONS = {
    "suspend": ({"active"}, "suspended"),
    "resume": ({"suspended"}, "active"),
    "revoke": ({"pending", "active", "suspended"}, "revoked"),
}


@use_case
def change_status(*, session: Session, actor: Actor, seal_id: int, action: str, reason: str) -> Seal:
    """暂停 / 恢复 / 注销: licences it signed report the seal's state when verified."""
    actor.require(Permission.SEAL_MANAGE)
    if action not in _TRANSITIONS:
        raise ValidationFailed("不支持的印章操作。", code="seal_action_invalid")
    reason = reason.strip()
    if action != "resume" and not reason:
        raise ValidationFailed("请填写暂停或注销印章的原因。", code="seal_reason_required")
    seal = _get(session, seal_id)
    allowed, target = _TRANSITIONS[action]
    if seal.status not in allowed:
        raise InvalidTransition(f"印章当前状态为“{SEAL_STATUS_LABELS[seal.status]}”，不能执行此操作。",
                                code="seal_transition_invalid")
    before = seal.status
    seal.status, seal.status_reason, seal.status_changed_at = target, reason, utcnow()
    record(session, actor=actor, action=f"seal.{action}", object_type="seal", object_id=seal.id,
           detail={"from": before, "to": target, "reason": reason, "es_id": seal.es_id})
    return seal


def usable_seal(session: Session, department_id: int, seal_id: int | None, now: dt.datetime) -> Seal:
    """The seal that stamps a department's licence: the one asked for, or its first licence seal."""
    if seal_id is not None:
        seal = _get(session, seal_id)
        if seal.department_id != department_id:
            raise ValidationFailed("只能使用本部门的电子印章签发证照。", code="seal_not_own")
    else:
        candidates = session.execute(select(Seal).where(Seal.department_id == department_id,
                                                        Seal.status == "active",
                                                        Seal.kind.in_(LICENCE_SEAL_KINDS))).scalars().all()
        if not candidates:
            raise Conflict("本部门还没有可用于签发证照的电子印章，请联系平台管理员制作印章。", code="seal_missing")
        seal = min(candidates, key=lambda s: LICENCE_SEAL_KINDS.index(s.kind))
    if seal.status != "active":
        raise Conflict(f"印章“{seal.name}”{SEAL_STATUS_LABELS[seal.status]}，不能用于签章。", code="seal_not_active")
    if not seal.valid_from <= now <= seal.valid_to:
        raise Conflict(f"印章“{seal.name}”不在有效期内，不能用于签章。", code="seal_expired")
    return seal


def list_seals(*, session: Session, actor: Actor, department_id: int | None = None) -> list[Seal]:
    """Seals, newest first; platform admins see all, others their department's."""
    scope = actor.department_scope(Permission.SEAL_MANAGE)
    if scope is not None and not scope:
        scope = actor.department_scope(Permission.LICENCE_ISSUE)
    q = select(Seal).order_by(Seal.id.desc())
    if scope is not None:
        q = q.where(Seal.department_id.in_(scope or {-1}))
    if department_id is not None:
        q = q.where(Seal.department_id == department_id)
    return list(session.execute(q).scalars())


def get_seal(*, session: Session, actor: Actor, seal_id: int) -> Seal:
    """One seal, for platform admins or staff of its department who issue licences."""
    seal = _get(session, seal_id)
    if not (actor.has(Permission.SEAL_MANAGE)
            or actor.can_in_department(Permission.LICENCE_ISSUE, seal.department_id)):
        raise NotFound("电子印章不存在。", code="seal_not_found")
    return seal
