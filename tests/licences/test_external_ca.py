"""A seal whose certificates come from an external CA: requests out, certificates in, licences verify."""

from __future__ import annotations

import datetime as dt

import pytest
from asn1crypto import csr, pem
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of
from tests.licences.conftest import LicenceWorld, business_licence_type
from tongban import clock
from tongban.crypto import ca, certs, sm
from tongban.errors import InvalidTransition, ValidationFailed
from tongban.files import get_store
from tongban.licences import verify
from tongban.licences.models import LicenceVersion
from tongban.seals import service as seals


class ExternalCa:
    """A licensed CA's root pair (SM2 and ECDSA), acting outside the platform."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)
        self.sm2_private, self.sm2_public = sm.sm2_generate()
        self.ec_key = ec.generate_private_key(ec.SECP256R1())
        self.ec_spki = self.ec_key.public_key().public_bytes(serialization.Encoding.DER,
                                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        self.sm2_name = certs.make_name("陕西数字证书认证中心 SM2 根 CA", organization="陕西数字证书认证中心")
        self.ec_name = certs.make_name("陕西数字证书认证中心 ECC 根 CA", organization="陕西数字证书认证中心")
        self.sm2_root = self._issue("sm2", self.sm2_name, certs.sm2_public_key_info(self.sm2_public), None, True)
        self.ec_root = self._issue("ecdsa-p256", self.ec_name, self.ec_spki, None, True)

    def _sign(self, algorithm: str, tbs: bytes) -> bytes:
        if algorithm == "sm2":
            return sm.sm2_sign(self.sm2_private, self.sm2_public, tbs)
        return self.ec_key.sign(tbs, ec.ECDSA(hashes.SHA256()))

    def _issue(self, algorithm: str, subject, spki: bytes, issuer, is_ca: bool) -> bytes:  # type: ignore[no-untyped-def]
        own_spki = certs.sm2_public_key_info(self.sm2_public) if algorithm == "sm2" else self.ec_spki
        return certs.issue_certificate(
            algorithm=algorithm, subject=subject, subject_public_key_info=spki, issuer=issuer,  # type: ignore[arg-type]
            issuer_public_key_info=own_spki if issuer is not None else None,
            sign=lambda tbs: self._sign(algorithm, tbs), serial=ca.random_serial(), not_before=self.now,
            not_after=self.now + dt.timedelta(days=3 * 365), is_ca=is_ca, path_length=0 if is_ca else None,
            key_usage={"key_cert_sign", "crl_sign"} if is_ca else {"digital_signature", "non_repudiation"})

    def sign_request(self, request_pem: str) -> str:
        """What the CA does with a request: check its signature and issue a certificate for its key."""
        _, _, der = pem.unarmor(request_pem.encode())
        request = csr.CertificationRequest.load(der)
        info = request["certification_request_info"]
        spki = info["subject_pk_info"].dump()
        algorithm = certs._load_spki(spki)[1]
        issuer = self.sm2_name if algorithm == "sm2" else self.ec_name
        return certs.to_pem(self._issue(algorithm, info["subject"], spki, issuer, False))


@pytest.fixture
def external(session: Session, city: SmallCity) -> ExternalCa:
    authority = ExternalCa()
    admin = actor_of(city.users["admin"])
    for der in (authority.sm2_root, authority.ec_root):
        ca.import_external(session=session, actor=admin, data=certs.to_pem(der).encode(), role="root")
    return authority


def test_external_ca_seal_signs_licences_that_verify(session: Session, city: SmallCity, external: ExternalCa) -> None:
    admin = actor_of(city.users["admin"])
    seal = seals.create_seal(session=session, actor=admin,
                             seal_in=seals.SealCreate(department_id=city.amr.id, kind="approval", ca_source="external"))
    assert seal.status == "pending" and seal.sm2_cert is None and seal.seal_der is None
    with pytest.raises(Exception) as refused:  # a pending seal cannot stamp
        seals.usable_seal(session, city.amr.id, seal.id, dt.datetime.now(dt.UTC).replace(tzinfo=None))
    assert "不能用于签章" in str(refused.value)
    requests = seals.certificate_requests(session=session, actor=admin, seal_id=seal.id)
    sm2_cert, pdf_cert = external.sign_request(requests.sm2), external.sign_request(requests.pdf)
    # Swapped certificates (each for the other key) are refused.
    with pytest.raises(ValidationFailed):
        seals.install_certificates(session=session, actor=admin, seal_id=seal.id, sm2_cert=pdf_cert.encode(),
                                   pdf_cert=sm2_cert.encode())
    session.rollback()
    seal = seals.install_certificates(session=session, actor=admin, seal_id=seal.id, sm2_cert=sm2_cert.encode(),
                                      pdf_cert=pdf_cert.encode())
    assert seal.status == "active" and seal.seal_der is not None
    with pytest.raises(InvalidTransition):
        seals.install_certificates(session=session, actor=admin, seal_id=seal.id, sm2_cert=sm2_cert.encode(),
                                   pdf_cert=pdf_cert.encode())

    world = LicenceWorld(city, seal, business_licence_type(session, city), "91610902MA7XQ1KQ3B")
    from tongban.identifiers import uscc_check_char

    world.holder_code = world.holder_code[:17] + uscc_check_char(world.holder_code[:17])
    licence = world.issue(session)
    pdf = get_store().read_blob(session.execute(select(LicenceVersion.pdf_sha256).where(
        LicenceVersion.licence_id == licence.id)).scalar_one())
    verdict = verify.verify_online(session, pdf, ecdsa=ca.trust(session, "ecdsa-p256"), sm2=ca.trust(session, "sm2"),
                                   now=dt.datetime.now(dt.UTC), today=clock.today())
    assert verdict.outcome == "valid", verdict.reasons


def test_a_certificate_from_an_untrusted_ca_is_refused(session: Session, city: SmallCity, external: ExternalCa) -> None:
    admin = actor_of(city.users["admin"])
    seal = seals.create_seal(session=session, actor=admin,
                             seal_in=seals.SealCreate(department_id=city.hrss.id, kind="approval", ca_source="external"))
    requests = seals.certificate_requests(session=session, actor=admin, seal_id=seal.id)
    rogue = ExternalCa()  # not imported
    with pytest.raises(ValidationFailed) as exc:
        seals.install_certificates(session=session, actor=admin, seal_id=seal.id,
                                   sm2_cert=rogue.sign_request(requests.sm2).encode(),
                                   pdf_cert=rogue.sign_request(requests.pdf).encode())
    assert exc.value.code == "seal_certificate_untrusted"
    with pytest.raises(ValidationFailed) as exc:
        ca.import_external(session=session, actor=admin, data=b"-----BEGIN CERTIFICATE-----\nnot base64\n"
                           b"-----END CERTIFICATE-----\n", role="root")
    assert "证书" in exc.value.message
