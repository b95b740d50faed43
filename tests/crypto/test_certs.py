"""Platform CA certificates: SM2 and ECDSA chains, what breaks them, and what other software makes of them."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import csr as asn1_csr
from asn1crypto import x509 as asn1_x509
from cryptography import x509 as cx509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import verification
from cryptography.x509.oid import NameOID
from pyhanko_certvalidator import CertificateValidator, ValidationContext

from tongban.crypto import certs, sm

NOW = datetime(2025, 6, 1, 8, 0, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=30)


@dataclass
class Key:
    """A key pair as the key store would hold it: SPKI DER and a signing callback."""

    spki: bytes
    sign: Callable[[bytes], bytes]
    raw_public: bytes


def _sm2_key() -> Key:
    private, public = sm.sm2_generate()
    return Key(certs.sm2_public_key_info(public), lambda data: sm.sm2_sign(private, public, data), public)


def _ecdsa_key() -> Key:
    private = ec.generate_private_key(ec.SECP256R1())
    spki = certs.ecdsa_public_key_info(private.public_key())
    return Key(spki, lambda data: private.sign(data, ec.ECDSA(hashes.SHA256())), spki)


def _key(algorithm: certs.Algorithm) -> Key:
    return _sm2_key() if algorithm == "sm2" else _ecdsa_key()


@dataclass
class Chain:
    algorithm: certs.Algorithm
    root_key: Key
    issuing_key: Key
    leaf_key: Key
    root: bytes
    issuing: bytes
    leaf: bytes


def _issue(
    algorithm: certs.Algorithm,
    subject: asn1_x509.Name,
    key: Key,
    issuer: tuple[asn1_x509.Name, Key] | None,
    *,
    is_ca: bool,
    path_length: int | None = None,
    not_before: datetime = NOW - timedelta(days=1),
    not_after: datetime = NOW + timedelta(days=365),
    serial: int = 1,
) -> bytes:
    signer = issuer[1] if issuer else key
    return certs.issue_certificate(
        algorithm=algorithm,
        subject=subject,
        subject_public_key_info=key.spki,
        issuer=issuer[0] if issuer else None,
        issuer_public_key_info=issuer[1].spki if issuer else None,
        sign=signer.sign,
        serial=serial,
        not_before=not_before,
        not_after=not_after,
        is_ca=is_ca,
        path_length=path_length,
        key_usage={"key_cert_sign", "crl_sign"} if is_ca else {"digital_signature", "non_repudiation"},
    )


ROOT_NAME = certs.make_name("通办平台根 CA", organization="通办平台电子认证中心")
ISSUING_NAME = certs.make_name("通办平台签发 CA", organization="通办平台电子认证中心")
LEAF_CN = "北京市朝阳区政务服务管理局行政审批专用章"
LEAF_NAME = certs.make_name(
    LEAF_CN, organization="北京市朝阳区政务服务管理局", unit="电子印章",
    serial_number="11110105MB0123456X",
)


def _chain(algorithm: certs.Algorithm) -> Chain:
    root_key, issuing_key, leaf_key = _key(algorithm), _key(algorithm), _key(algorithm)
    root = _issue(algorithm, ROOT_NAME, root_key, None, is_ca=True, path_length=1,
                  not_after=NOW + timedelta(days=3650), serial=1001)
    issuing = _issue(algorithm, ISSUING_NAME, issuing_key, (ROOT_NAME, root_key), is_ca=True, path_length=0,
                     not_after=NOW + timedelta(days=1825), serial=1002)
    leaf = _issue(algorithm, LEAF_NAME, leaf_key, (ISSUING_NAME, issuing_key), is_ca=False, serial=1003)
    return Chain(algorithm, root_key, issuing_key, leaf_key, root, issuing, leaf)


@pytest.fixture(scope="module", params=["sm2", "ecdsa-p256"])
def chain(request: pytest.FixtureRequest) -> Chain:
    return _chain(request.param)


@pytest.fixture(scope="module")
def sm2_chain() -> Chain:
    return _chain("sm2")


@pytest.fixture(scope="module")
def ecdsa_chain() -> Chain:
    return _chain("ecdsa-p256")


def _flip(der: bytes, marker: bytes) -> bytes:
    """der with the first byte of `marker` changed, wherever marker first occurs."""
    position = der.index(marker)
    altered = bytearray(der)
    altered[position] ^= 0x01
    return bytes(altered)


# ----------------------------------------------------------------------------- building and reading


def test_chain_verifies(chain: Chain) -> None:
    result = certs.verify_chain(chain.leaf, [chain.issuing], [chain.root], LATER)
    assert result.ok, result.reason
    assert result.reason == ""
    assert [c.subject_cn for c in result.path] == [
        "北京市朝阳区政务服务管理局行政审批专用章", "通办平台签发 CA", "通办平台根 CA"
    ]
    assert [c.algorithm for c in result.path] == [chain.algorithm] * 3


def test_certificate_fields(chain: Chain) -> None:
    info = certs.load_certificate(chain.leaf)
    assert info.subject_cn == "北京市朝阳区政务服务管理局行政审批专用章"
    assert info.subject_o == "北京市朝阳区政务服务管理局"
    assert info.subject == (
        "SERIALNUMBER=11110105MB0123456X, CN=北京市朝阳区政务服务管理局行政审批专用章, "
        "OU=电子印章, O=北京市朝阳区政务服务管理局, C=CN"
    )
    assert info.issuer == "CN=通办平台签发 CA, O=通办平台电子认证中心, C=CN"
    assert info.issuer_cn == "通办平台签发 CA"
    assert info.subject_name == LEAF_NAME
    assert info.serial == 1003
    assert info.not_before == NOW - timedelta(days=1)
    assert info.not_after == NOW + timedelta(days=365)
    assert info.algorithm == chain.algorithm
    assert info.public_key == chain.leaf_key.raw_public
    assert info.public_key_info == chain.leaf_key.spki
    assert not info.is_ca
    assert info.key_usage == {"digital_signature", "non_repudiation"}
    assert info.der == chain.leaf
    expected = sm.sm3(chain.leaf) if chain.algorithm == "sm2" else hashlib.sha256(chain.leaf).digest()
    assert info.fingerprint == expected.hex()
    if chain.algorithm == "sm2":
        assert len(info.public_key) == 64
        assert info.signature_algorithm == "sm2_sm3"
    root = certs.load_certificate(chain.root)
    assert root.is_ca
    assert root.path_length == 1
    assert root.subject == root.issuer


def test_key_identifiers_link_the_chain(chain: Chain) -> None:
    leaf = asn1_x509.Certificate.load(chain.leaf)
    issuing = asn1_x509.Certificate.load(chain.issuing)
    root = asn1_x509.Certificate.load(chain.root)
    assert leaf.authority_key_identifier == issuing.key_identifier
    assert issuing.authority_key_identifier == root.key_identifier
    assert root.authority_key_identifier is None  # self-signed: RFC 5280 lets it go
    # Method 1 of RFC 5280 4.2.1.2: SHA-1 of the subjectPublicKey bits.
    bits = leaf["tbs_certificate"]["subject_public_key_info"]["public_key"].contents[1:]
    assert leaf.key_identifier == hashlib.sha1(bits).digest()
    assert leaf.critical_extensions == {"basic_constraints", "key_usage"}


def test_der_re_encodes_identically(chain: Chain) -> None:
    for der in (chain.root, chain.issuing, chain.leaf):
        assert asn1_x509.Certificate.load(der).dump(force=True) == der


def test_pem_and_der_load_the_same(chain: Chain) -> None:
    text = certs.to_pem(chain.leaf)
    assert text.startswith("-----BEGIN CERTIFICATE-----\n")
    assert certs.load_certificate(text.encode()) == certs.load_certificate(chain.leaf)


def test_names_are_utf8_with_printable_country() -> None:
    der = LEAF_NAME.dump()
    # AttributeTypeAndValue bytes: OID 2.5.4.x, then the string tag (0x0c UTF8String, 0x13 PrintableString).
    assert b"\x06\x03\x55\x04\x06\x13\x02CN" in der
    assert b"\x06\x03\x55\x04\x03\x0c" + bytes([len(LEAF_CN.encode())]) + LEAF_CN.encode() in der
    assert b"\x06\x03\x55\x04\x05\x13\x1211110105MB0123456X" in der
    cert = cx509.load_der_x509_certificate(_chain("ecdsa-p256").leaf)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == LEAF_CN
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "电子印章"


# ----------------------------------------------------------------------------- what breaks a chain


def test_expired_and_not_yet_valid_leaf(chain: Chain) -> None:
    expired = certs.verify_chain(chain.leaf, [chain.issuing], [chain.root], NOW + timedelta(days=400))
    assert not expired.ok
    assert "已过期" in expired.reason
    assert "行政审批专用章" in expired.reason
    early = certs.verify_chain(chain.leaf, [chain.issuing], [chain.root], NOW - timedelta(days=2))
    assert not early.ok
    assert "尚未生效" in early.reason


def test_wrong_root(chain: Chain) -> None:
    other = _chain(chain.algorithm)
    # Another root under the same name: found by name, refused by signature.
    result = certs.verify_chain(chain.leaf, [chain.issuing], [other.root], LATER)
    assert not result.ok
    assert "签名无法" in result.reason
    # A root of another name: the issuing CA's issuer cannot be found at all.
    stranger = _issue(chain.algorithm, certs.make_name("别的根 CA"), _key(chain.algorithm), None, is_ca=True)
    result = certs.verify_chain(chain.leaf, [chain.issuing], [stranger], LATER)
    assert not result.ok
    assert "找不到" in result.reason
    # The right root handed in as an intermediate is not a trust anchor.
    result = certs.verify_chain(chain.leaf, [chain.issuing, chain.root], [stranger], LATER)
    assert not result.ok
    assert "不在受信任的根证书列表中" in result.reason


def test_missing_intermediate(chain: Chain) -> None:
    result = certs.verify_chain(chain.leaf, [], [chain.root], LATER)
    assert not result.ok
    assert "通办平台签发 CA" in result.reason


def test_leaf_signed_by_a_non_ca(chain: Chain) -> None:
    holder_name = certs.make_name("某个签章人")
    holder_key = _key(chain.algorithm)
    holder = _issue(chain.algorithm, holder_name, holder_key, (ISSUING_NAME, chain.issuing_key), is_ca=False)
    victim = _issue(chain.algorithm, certs.make_name("冒充的证书"), _key(chain.algorithm),
                    (holder_name, holder_key), is_ca=False)
    result = certs.verify_chain(victim, [holder, chain.issuing], [chain.root], LATER)
    assert not result.ok
    assert "不是 CA 证书" in result.reason


def test_path_length_constraint(chain: Chain) -> None:
    # The issuing CA has pathLenConstraint 0, so a CA below it may not issue.
    sub_name = certs.make_name("下级 CA")
    sub_key = _key(chain.algorithm)
    sub = _issue(chain.algorithm, sub_name, sub_key, (ISSUING_NAME, chain.issuing_key), is_ca=True)
    leaf = _issue(chain.algorithm, certs.make_name("下级签发的证书"), _key(chain.algorithm), (sub_name, sub_key),
                  is_ca=False)
    result = certs.verify_chain(leaf, [sub, chain.issuing], [chain.root], LATER)
    assert not result.ok
    assert "路径长度" in result.reason


def test_tampered_bytes(chain: Chain) -> None:
    in_subject = _flip(chain.leaf, "行政审批".encode())
    result = certs.verify_chain(in_subject, [chain.issuing], [chain.root], LATER)
    assert not result.ok
    assert "签名无法" in result.reason
    assert not certs.verify_signed_by(in_subject, chain.issuing)
    in_signature = bytearray(chain.leaf)
    in_signature[-5] ^= 0x01
    result = certs.verify_chain(bytes(in_signature), [chain.issuing], [chain.root], LATER)
    assert not result.ok
    in_issuing = _flip(chain.issuing, "签发".encode())
    result = certs.verify_chain(chain.leaf, [in_issuing], [chain.root], LATER)
    assert not result.ok
    broken = certs.verify_chain(chain.leaf[:-10], [chain.issuing], [chain.root], LATER)
    assert not broken.ok
    assert "无法解析" in broken.reason


def test_verify_signed_by(chain: Chain) -> None:
    assert certs.verify_signed_by(chain.leaf, chain.issuing)
    assert certs.verify_signed_by(chain.issuing, chain.root)
    assert certs.verify_signed_by(chain.root, chain.root)
    assert not certs.verify_signed_by(chain.leaf, chain.root)
    assert not certs.verify_signed_by(chain.issuing, chain.leaf)
    assert not certs.verify_signed_by(b"garbage", chain.root)


def test_naive_time_is_utc(chain: Chain) -> None:
    assert certs.verify_chain(chain.leaf, [chain.issuing], [chain.root], LATER.replace(tzinfo=None)).ok


# ----------------------------------------------------------------------------- other software


def test_ecdsa_chain_in_cryptography(ecdsa_chain: Chain) -> None:
    """cryptography parses the ECDSA certificates, checks each signature and validates the path (RFC 5280)."""
    root, issuing, leaf = (cx509.load_der_x509_certificate(d) for d in
                           (ecdsa_chain.root, ecdsa_chain.issuing, ecdsa_chain.leaf))
    leaf.verify_directly_issued_by(issuing)
    issuing.verify_directly_issued_by(root)
    assert leaf.subject.rfc4514_string().startswith("2.5.4.5=11110105MB0123456X,CN=北京市朝阳区")
    # CA certificates are held to the Web PKI profile; the leaf is not a TLS client, so anything goes there.
    verifier = (
        verification.PolicyBuilder()
        .store(verification.Store([root]))
        .time(LATER)
        .extension_policies(
            ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
            ee_policy=verification.ExtensionPolicy.permit_all(),
        )
        .build_client_verifier()
    )
    verified = verifier.verify(leaf, [issuing])
    assert [c.serial_number for c in verified.chain] == [1003, 1002, 1001]


def test_ecdsa_chain_in_pyhanko_certvalidator(ecdsa_chain: Chain) -> None:
    """pyhanko's validator (what checks the PAdES signatures) accepts the chain for non-repudiation."""
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(ecdsa_chain.root)],
        other_certs=[asn1_x509.Certificate.load(ecdsa_chain.issuing)],
        moment=LATER,
    )
    validator = CertificateValidator(asn1_x509.Certificate.load(ecdsa_chain.leaf), validation_context=context)
    # On a worker thread: the browser tests keep an event loop running on the main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        path = pool.submit(asyncio.run, validator.async_validate_usage({"non_repudiation"})).result()
    assert len(path) == 3


def test_sm2_certificate_in_cryptography(sm2_chain: Chain) -> None:
    """cryptography reads SM2 certificates but has no SM2 keys: the signature is checked with its tbs bytes."""
    leaf = cx509.load_der_x509_certificate(sm2_chain.leaf)
    assert leaf.signature_algorithm_oid.dotted_string == certs.SM2_SM3_OID
    assert leaf.serial_number == 1003
    with pytest.raises(UnsupportedAlgorithm):
        leaf.public_key()
    issuing = certs.load_certificate(sm2_chain.issuing)
    assert sm.sm2_verify(issuing.public_key, leaf.tbs_certificate_bytes, leaf.signature)


# ----------------------------------------------------------------------------- requests and refusals


def test_sm2_csr_signature_verifies() -> None:
    private, public = sm.sm2_generate()
    der = certs.make_sm2_csr(LEAF_NAME, public, lambda data: sm.sm2_sign(private, public, data))
    request = asn1_csr.CertificationRequest.load(der)
    info = request["certification_request_info"]
    assert info["subject"] == LEAF_NAME
    assert request["signature_algorithm"]["algorithm"].dotted == certs.SM2_SM3_OID
    point = info["subject_pk_info"]["public_key"].contents[1:]
    assert point == b"\x04" + public
    assert sm.sm2_verify(public, info.dump(), request["signature"].native)
    assert not sm.sm2_verify(public, info.dump() + b"x", request["signature"].native)
    assert str(cx509.load_der_x509_csr(der).subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value).endswith("专用章")
    assert certs.to_pem(der, "CERTIFICATE REQUEST").startswith("-----BEGIN CERTIFICATE REQUEST-----")


def test_ecdsa_csr_signature_verifies() -> None:
    key = _ecdsa_key()
    der = certs.make_csr(algorithm="ecdsa-p256", subject=LEAF_NAME, subject_public_key_info=key.spki, sign=key.sign)
    assert cx509.load_der_x509_csr(der).is_signature_valid


def test_unreadable_or_unsupported_certificates() -> None:
    for data in (b"", b"garbage", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                 _chain("sm2").leaf[:-1], _chain("sm2").leaf + b"\x00"):
        with pytest.raises(certs.CertificateError, match="证书"):
            certs.load_certificate(data)
    request = certs.make_sm2_csr(LEAF_NAME, *_public_and_signer())
    with pytest.raises(certs.CertificateError, match="不是证书"):
        certs.load_certificate(certs.to_pem(request, "CERTIFICATE REQUEST").encode())
    with pytest.raises(certs.CertificateError, match="不支持的公钥算法"):
        certs.load_certificate(_foreign_certificate(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    with pytest.raises(certs.CertificateError, match="不支持的椭圆曲线"):
        certs.load_certificate(_foreign_certificate(ec.generate_private_key(ec.SECP384R1())))


def _public_and_signer() -> tuple[bytes, Callable[[bytes], bytes]]:
    private, public = sm.sm2_generate()
    return public, lambda data: sm.sm2_sign(private, public, data)


def _foreign_certificate(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, "foreign")])
    cert = (
        cx509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(7)
        .not_valid_before(NOW).not_valid_after(LATER)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def test_issue_refuses_inconsistent_requests() -> None:
    sm2_key, ecdsa_key = _sm2_key(), _ecdsa_key()
    base = dict(subject=LEAF_NAME, serial=5, not_before=NOW, not_after=LATER, is_ca=False,
                key_usage={"digital_signature"})
    with pytest.raises(ValueError, match="issuer_public_key_info"):
        certs.issue_certificate(algorithm="sm2", subject_public_key_info=sm2_key.spki, issuer=ROOT_NAME,
                                sign=sm2_key.sign, **base)
    with pytest.raises(ValueError, match="subject key is ecdsa-p256"):
        certs.issue_certificate(algorithm="sm2", subject_public_key_info=ecdsa_key.spki, issuer=None,
                                sign=sm2_key.sign, **base)
    # Signed with a key other than the issuer's: refused before it becomes a certificate nobody can verify.
    with pytest.raises(ValueError, match="does not verify"):
        certs.issue_certificate(algorithm="sm2", subject_public_key_info=sm2_key.spki, issuer=ROOT_NAME,
                                issuer_public_key_info=_sm2_key().spki, sign=sm2_key.sign, **base)
    with pytest.raises(ValueError, match="key_usage"):
        certs.issue_certificate(algorithm="sm2", subject_public_key_info=sm2_key.spki, issuer=None,
                                sign=sm2_key.sign, **{**base, "key_usage": {"sign_everything"}})
    with pytest.raises(ValueError, match="path_length"):
        certs.issue_certificate(algorithm="sm2", subject_public_key_info=sm2_key.spki, issuer=None,
                                sign=sm2_key.sign, path_length=0, **base)


def test_dates_from_2050_use_generalized_time() -> None:
    key = _ecdsa_key()
    der = _issue("ecdsa-p256", ROOT_NAME, key, None, is_ca=True, not_after=datetime(2051, 1, 1, tzinfo=UTC))
    validity = asn1_x509.Certificate.load(der)["tbs_certificate"]["validity"]
    assert validity["not_before"].name == "utc_time"
    assert validity["not_after"].name == "general_time"
    assert cx509.load_der_x509_certificate(der).not_valid_after_utc == datetime(2051, 1, 1, tzinfo=UTC)
    assert certs.load_certificate(der).not_after == datetime(2051, 1, 1, tzinfo=UTC)
