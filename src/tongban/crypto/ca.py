"""The platform's certificate authority and the CA certificates it trusts.

For demos, tests and small sites the platform is its own CA: per algorithm a root and an issuing
certificate (SM2 with SM3 for seal certificates, ECDSA P-256 with SHA-256 for PDF signatures that
every PDF reader checks). In production a department's seal certificates usually come from a
licensed external CA (电子认证服务机构); its root and issuing certificates are imported here as
trust anchors and the seal's certificates are installed after the CA has signed the requests.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit.service import record
from tongban.authz import Actor, Permission
from tongban.crypto import certs
from tongban.crypto.keystore import Algorithm, get_keystore
from tongban.crypto.models import CaCertificate
from tongban.errors import Conflict, NotFound, ValidationFailed
from tongban.transactions import use_case

ALGORITHMS: tuple[Algorithm, ...] = ("sm2", "ecdsa-p256")
ALGORITHM_LABELS = {"sm2": "SM2/SM3（印章签名）", "ecdsa-p256": "ECDSA P-256/SHA-256（PDF 签名）"}
ROOT_YEARS = 20
ISSUING_YEARS = 10
PLATFORM_CA_ORG = "通办平台电子认证中心"


def random_serial() -> int:
    """A positive 63-bit certificate serial number (RFC 5280 asks for unpredictable serials)."""
    return secrets.randbits(63) | (1 << 62)


def _naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def _store(session: Session, der: bytes, *, role: str, source: str, key_id: int | None) -> CaCertificate:
    info = certs.load_certificate(der)
    existing = session.execute(select(CaCertificate).where(CaCertificate.fingerprint == info.fingerprint)
                               ).scalar_one_or_none()
    if existing is not None:
        raise Conflict("该 CA 证书已在信任列表中。", code="ca_certificate_exists")
    row = CaCertificate(algorithm=info.algorithm, role=role, source=source, subject=info.subject[:255],
                        serial=format(info.serial, "x"), fingerprint=info.fingerprint,
                        not_before=_naive(info.not_before), not_after=_naive(info.not_after), der=info.der,
                        key_id=key_id, status="active")
    session.add(row)
    session.flush()
    return row


def _own(session: Session, algorithm: str, role: str) -> CaCertificate | None:
    return session.execute(
        select(CaCertificate).where(CaCertificate.algorithm == algorithm, CaCertificate.role == role,
                                    CaCertificate.source == "own", CaCertificate.status == "active")
        .order_by(CaCertificate.id.desc()).limit(1)).scalar_one_or_none()


def _spki(algorithm: str, public_key: bytes) -> bytes:
    return certs.sm2_public_key_info(public_key) if algorithm == "sm2" else public_key


def ensure_own_ca(session: Session, now: dt.datetime) -> None:
    """Create the platform's own root and issuing CA for each algorithm unless they exist."""
    store = get_keystore()
    for algorithm in ALGORITHMS:
        if _own(session, algorithm, "issuing") is not None:
            continue
        label = "SM2" if algorithm == "sm2" else "ECDSA"
        root_key = store.generate(session, algorithm=algorithm, label=f"平台根 CA ({label})")
        root_key_id = root_key.id

        def root_signer(tbs: bytes, key_id: int = root_key_id) -> bytes:
            return store.sign(session, key_id, tbs)

        root_name = certs.make_name(f"通办平台根 CA（{label}）", organization=PLATFORM_CA_ORG)
        root_der = certs.issue_certificate(
            algorithm=algorithm, subject=root_name, subject_public_key_info=_spki(algorithm, root_key.public_key),
            issuer=None, sign=root_signer, serial=random_serial(),
            not_before=now, not_after=now + dt.timedelta(days=365 * ROOT_YEARS), is_ca=True, path_length=1,
            key_usage={"key_cert_sign", "crl_sign"})
        _store(session, root_der, role="root", source="own", key_id=root_key.id)
        issuing_key = store.generate(session, algorithm=algorithm, label=f"平台签发 CA ({label})")
        issuing_der = certs.issue_certificate(
            algorithm=algorithm, subject=certs.make_name(f"通办平台签发 CA（{label}）", organization=PLATFORM_CA_ORG),
            subject_public_key_info=_spki(algorithm, issuing_key.public_key), issuer=root_name,
            issuer_public_key_info=_spki(algorithm, root_key.public_key),
            sign=root_signer, serial=random_serial(),
            not_before=now, not_after=now + dt.timedelta(days=365 * ISSUING_YEARS), is_ca=True, path_length=0,
            key_usage={"key_cert_sign", "crl_sign", "digital_signature"})
        _store(session, issuing_der, role="issuing", source="own", key_id=issuing_key.id)


@dataclass(frozen=True)
class Trust:
    """Trust anchors and intermediates of one algorithm, as DER."""

    roots: list[bytes]
    intermediates: list[bytes]


def trust(session: Session, algorithm: str) -> Trust:
    """The active CA certificates of an algorithm: roots are anchors, issuing ones intermediates."""
    rows = session.execute(select(CaCertificate.role, CaCertificate.der).where(
        CaCertificate.algorithm == algorithm, CaCertificate.status == "active")).all()
    return Trust([bytes(d) for r, d in rows if r == "root"], [bytes(d) for r, d in rows if r != "root"])


def own_issuing(session: Session, algorithm: str) -> CaCertificate:
    """The platform's own issuing CA of an algorithm (created on first use)."""
    row = _own(session, algorithm, "issuing")
    if row is None:
        ensure_own_ca(session, dt.datetime.now(dt.UTC).replace(tzinfo=None))
        row = _own(session, algorithm, "issuing")
    assert row is not None and row.key_id is not None
    return row


def issue_end_entity(session: Session, *, algorithm: Algorithm, subject: certs.x509.Name, public_key: bytes,
                     not_before: dt.datetime, not_after: dt.datetime) -> bytes:
    """A signing certificate for a seal key, from the platform's own issuing CA."""
    issuing = own_issuing(session, algorithm)
    info = certs.load_certificate(issuing.der)
    if not_after > _naive(info.not_after):
        not_after = _naive(info.not_after)  # a certificate cannot outlive its issuer's
    store = get_keystore()
    key_id = issuing.key_id
    assert key_id is not None
    return certs.issue_certificate(
        algorithm=algorithm, subject=subject, subject_public_key_info=_spki(algorithm, public_key),
        issuer=info.subject_name, issuer_public_key_info=info.public_key_info,
        sign=lambda tbs: store.sign(session, key_id, tbs), serial=random_serial(),
        not_before=not_before, not_after=not_after, is_ca=False, path_length=None,
        key_usage={"digital_signature", "non_repudiation"})


@use_case
def import_external(*, session: Session, actor: Actor, data: bytes, role: str) -> CaCertificate:
    """Trust an external CA's root or issuing certificate (PEM or DER)."""
    actor.require(Permission.SEAL_MANAGE)
    if role not in ("root", "issuing"):
        raise ValidationFailed("CA 证书类型应为根证书（root）或签发证书（issuing）。", code="ca_role_invalid")
    info = certs.load_certificate(data)
    if not info.is_ca:
        raise ValidationFailed("该证书不是 CA 证书（基本约束中未标明 CA），不能作为信任锚导入。", code="ca_not_ca")
    if role == "issuing":
        t = trust(session, info.algorithm)
        result = certs.verify_chain(info.der, [], t.roots, dt.datetime.now(dt.UTC))
        if not result.ok:
            raise ValidationFailed("签发 CA 证书无法验证到已信任的根证书：" + result.reason, code="ca_chain_invalid")
    row = _store(session, info.der, role=role, source="external", key_id=None)
    record(session, actor=actor, action="ca.import", object_type="ca_certificate", object_id=row.id,
           detail={"subject": row.subject, "role": role, "algorithm": row.algorithm, "fingerprint": row.fingerprint})
    return row


@use_case
def retire(*, session: Session, actor: Actor, ca_id: int) -> CaCertificate:
    """Stop trusting a CA certificate (it stays on record)."""
    actor.require(Permission.SEAL_MANAGE)
    row = session.get(CaCertificate, ca_id)
    if row is None:
        raise NotFound("CA 证书不存在。")
    if row.source == "own" and row.status == "active":
        raise Conflict("平台自建 CA 仍在签发印章证书，不能停用。", code="ca_in_use")
    row.status = "retired"
    record(session, actor=actor, action="ca.retire", object_type="ca_certificate", object_id=row.id,
           detail={"subject": row.subject})
    return row


def list_certificates(*, session: Session, actor: Actor) -> list[CaCertificate]:
    """The CA certificates on record (trusted and retired), by algorithm."""
    actor.require(Permission.SEAL_MANAGE)
    return list(session.execute(select(CaCertificate).order_by(CaCertificate.algorithm, CaCertificate.id)).scalars())
