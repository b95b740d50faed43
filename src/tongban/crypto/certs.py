"""X.509 certificates of the platform's own CAs (SM2 and ECDSA P-256), built and checked with asn1crypto.

Two chains, one per algorithm: SM2 with SM3 (GM/T 0015) certifies seal keys, ECDSA P-256 with SHA-256
certifies the keys of PAdES PDF signatures, which Acrobat and pyhanko understand. Private keys stay in
the key store, so every signature is made by a callback `sign(data) -> DER signature`: for SM2 it signs
with Z_A of the default identifier, for ECDSA it is ECDSA-with-SHA256 over data.

Naive datetimes are taken as UTC, as everywhere in the database; datetimes returned are UTC-aware.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from asn1crypto import algos, core, csr, keys, pem, x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tongban.crypto import sm
from tongban.errors import ValidationFailed

__all__ = [
    "SM2_CURVE_OID",
    "SM2_SM3_OID",
    "Algorithm",
    "CertInfo",
    "CertificateError",
    "ChainResult",
    "ecdsa_public_key_info",
    "issue_certificate",
    "load_certificate",
    "make_csr",
    "make_name",
    "make_sm2_csr",
    "sm2_public_key_info",
    "to_pem",
    "verify_chain",
    "verify_signed_by",
    "x509",
]

SM2_CURVE_OID = "1.2.156.10197.1.301"
SM2_SM3_OID = "1.2.156.10197.1.501"

Algorithm = Literal["sm2", "ecdsa-p256"]

# asn1crypto knows neither OID. Registered once at import so that SM2 certificates parse into named
# values and re-encode byte for byte. SignedDigestAlgorithmId ships a hand-written reverse map, so
# both directions are set; NamedCurve.register handles its own.
keys.NamedCurve.register("sm2p256v1", SM2_CURVE_OID, 32)
algos.SignedDigestAlgorithmId._map[SM2_SM3_OID] = "sm2_sm3"
if algos.SignedDigestAlgorithmId._reverse_map is not None:
    algos.SignedDigestAlgorithmId._reverse_map["sm2_sm3"] = SM2_SM3_OID

_SIGNATURE_NAMES: dict[Algorithm, str] = {"sm2": "sm2_sm3", "ecdsa-p256": "sha256_ecdsa"}
_CURVES: dict[str, Algorithm] = {"sm2p256v1": "sm2", "secp256r1": "ecdsa-p256"}
KEY_USAGES = frozenset({
    "digital_signature", "non_repudiation", "key_encipherment", "data_encipherment", "key_agreement",
    "key_cert_sign", "crl_sign", "encipher_only", "decipher_only",
})
# Critical extensions verify_chain understands; a certificate with any other critical one is refused
# (RFC 5280 section 4.2). Subject alternative names are identity only, nothing to enforce.
_KNOWN_CRITICAL = frozenset({"basic_constraints", "key_usage", "extended_key_usage", "subject_alt_name"})
_MAX_CHAIN = 8
_PRINTABLE = re.compile(r"[A-Za-z0-9 '()+,\-./:=?]*")


class CertificateError(ValidationFailed, ValueError):
    """A certificate that cannot be read or uses an algorithm the platform does not support."""

    code = "certificate_invalid"


@dataclass(frozen=True)
class CertInfo:
    """What the platform needs to know about a certificate; `public_key` is 64 bytes (SM2) or SPKI DER (ECDSA)."""

    subject: str
    subject_cn: str
    subject_o: str | None
    subject_name: x509.Name
    issuer: str
    issuer_cn: str
    issuer_name: x509.Name
    serial: int
    not_before: datetime
    not_after: datetime
    algorithm: Algorithm
    signature_algorithm: str
    public_key: bytes
    public_key_info: bytes
    key_id: bytes | None
    is_ca: bool
    path_length: int | None
    key_usage: frozenset[str] | None
    """None when the certificate has no keyUsage extension (any use allowed)."""
    fingerprint: str
    """SM3 (SM2 certificates) or SHA-256 (ECDSA ones) of the DER, lowercase hex."""
    der: bytes = field(repr=False)


@dataclass(frozen=True)
class ChainResult:
    """Outcome of verify_chain: ok, a Chinese reason when not ok, and the path built (leaf first)."""

    ok: bool
    reason: str
    path: list[CertInfo]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _time(value: datetime) -> x509.Time:
    value = _utc(value).replace(microsecond=0)
    # RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    return x509.Time({"utc_time" if value.year < 2050 else "general_time": value})


# ----------------------------------------------------------------------------- keys and names


def sm2_public_key_info(public64: bytes) -> bytes:
    """SubjectPublicKeyInfo DER of an SM2 key: id-ecPublicKey, sm2p256v1, 04||X||Y."""
    point = sm.sm2_public_key_from_point(public64)
    return keys.PublicKeyInfo({
        "algorithm": {"algorithm": "ec", "parameters": keys.ECDomainParameters({"named": "sm2p256v1"})},
        "public_key": b"\x04" + point,
    }).dump()


def ecdsa_public_key_info(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """SubjectPublicKeyInfo DER of a P-256 key from cryptography."""
    if not isinstance(public_key.curve, ec.SECP256R1):
        raise ValueError(f"ECDSA keys must be on P-256, not {public_key.curve.name}")
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _key(spki: keys.PublicKeyInfo) -> tuple[Algorithm, bytes]:
    """(algorithm, public key as the platform keeps it) of an SPKI; CertificateError if unsupported."""
    if spki["algorithm"]["algorithm"].native != "ec":
        oid = spki["algorithm"]["algorithm"].dotted
        raise CertificateError(f"不支持的公钥算法 {oid}：本平台只支持 SM2 和 ECDSA P-256。")
    parameters = spki["algorithm"]["parameters"]
    curve = parameters.chosen.native if parameters.name == "named" else None
    algorithm = _CURVES.get(curve or "")
    if algorithm is None:
        raise CertificateError(f"不支持的椭圆曲线 {curve or '（显式参数）'}：本平台只支持 SM2 和 ECDSA P-256。")
    point = bytes(spki["public_key"].contents[1:]) if spki["public_key"].contents[:1] == b"\x00" else b""
    try:
        if algorithm == "sm2":
            return algorithm, sm.sm2_public_key_from_point(point)
        # Loading through cryptography checks that the point lies on P-256.
        serialization.load_der_public_key(spki.dump())
    except ValueError as exc:
        raise CertificateError("证书中的公钥不是有效的椭圆曲线点。") from exc
    return algorithm, spki.dump()


def _load_spki(spki_der: bytes) -> tuple[keys.PublicKeyInfo, Algorithm]:
    try:
        spki = keys.PublicKeyInfo.load(spki_der, strict=True)
        algorithm, _ = _key(spki)
    except CertificateError as exc:
        raise ValueError(str(exc)) from exc
    except Exception as exc:  # asn1crypto raises several types for malformed input
        raise ValueError(f"not a SubjectPublicKeyInfo: {exc}") from exc
    return spki, algorithm


def _key_identifier(spki: keys.PublicKeyInfo) -> bytes:
    # RFC 5280 4.2.1.2 method 1, SHA-1 of the subjectPublicKey bits: an identifier, not a security
    # function, and what every other CA and verifier computes, SM2 ones included.
    return hashlib.sha1(spki["public_key"].contents[1:], usedforsecurity=False).digest()


def _printable(value: str, what: str) -> str:
    if not _PRINTABLE.fullmatch(value):
        raise ValueError(f"{what} must use PrintableString characters: {value!r}")
    return value


def make_name(
    common_name: str,
    organization: str | None = None,
    unit: str | None = None,
    country: str = "CN",
    serial_number: str | None = None,
) -> x509.Name:
    """Distinguished name C, O, OU, CN, serialNumber; Chinese text is encoded as UTF8String."""
    # Country and serialNumber are PrintableString by definition (X.520); the rest UTF8String.
    attributes = [("country_name", x509.DirectoryString(
        name="printable_string", value=core.PrintableString(_printable(country, "country"))))]
    for name, value in (("organization_name", organization), ("organizational_unit_name", unit),
                        ("common_name", common_name)):
        if value:
            attributes.append((name, x509.DirectoryString(name="utf8_string", value=core.UTF8String(value))))
    if serial_number:
        attributes.append(("serial_number", x509.DirectoryString(
            name="printable_string", value=core.PrintableString(_printable(serial_number, "serial_number")))))
    rdns = [
        x509.RelativeDistinguishedName([x509.NameTypeAndValue({"type": name, "value": value})])
        for name, value in attributes
    ]
    return x509.Name(name="", value=x509.RDNSequence(rdns))


_SHORT_NAMES = {
    "country_name": "C", "organization_name": "O", "organizational_unit_name": "OU", "common_name": "CN",
    "serial_number": "SERIALNUMBER", "locality_name": "L", "state_or_province_name": "ST",
    "email_address": "E", "street_address": "STREET", "organization_identifier": "organizationIdentifier",
}


def _escape(value: str) -> str:
    value = re.sub(r'([,+"\\<>;=])', r"\\\1", value)
    return "\\" + value if value[:1] in ("#", " ") else value


def _name_text(name: x509.Name) -> str:
    """RFC 4514 style, most specific first: "CN=…, O=…, C=CN"."""
    parts = []
    for rdn in reversed(list(name.chosen)):
        parts.append("+".join(
            f"{_SHORT_NAMES.get(atv['type'].native, atv['type'].dotted)}={_escape(str(atv['value'].native))}"
            for atv in rdn
        ))
    return ", ".join(parts)


def _name_part(name: x509.Name, attribute: str) -> str | None:
    value = name.native.get(attribute)
    if isinstance(value, list):  # the attribute appears more than once; the last is the most specific
        value = value[-1]
    return str(value) if value is not None else None


# ----------------------------------------------------------------------------- signatures


def _signature_bits(value: core.OctetBitString) -> bytes:
    if value.contents[:1] != b"\x00":
        raise ValueError("signature BIT STRING is not octet-aligned")
    return bytes(value.contents[1:])


def _verify(algorithm: Algorithm, public_key: bytes, data: bytes, signature: bytes) -> bool:
    """Signature check by the issuer's key: SM2 with Z_A of the default ID, or ECDSA with SHA-256."""
    if algorithm == "sm2":
        return sm.sm2_verify(public_key, data, signature)
    key = serialization.load_der_public_key(public_key)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    try:
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _signed(algorithm: Algorithm, sign: Callable[[bytes], bytes], data: bytes, signer_spki: bytes, what: str) -> bytes:
    signature = sign(data)
    _, public_key = _key(keys.PublicKeyInfo.load(signer_spki))
    # Checking the callback's signature against the key it should belong to costs one verification
    # and turns a key-store mix-up into an error here instead of a certificate nobody can verify.
    if not _verify(algorithm, public_key, data, signature):
        raise ValueError(f"the {what} signature does not verify with the signer's public key")
    return signature


def issue_certificate(
    *,
    algorithm: Algorithm,
    subject: x509.Name,
    subject_public_key_info: bytes,
    issuer: x509.Name | None,
    sign: Callable[[bytes], bytes],
    serial: int,
    not_before: datetime,
    not_after: datetime,
    is_ca: bool,
    key_usage: set[str],
    path_length: int | None = None,
    issuer_public_key_info: bytes | None = None,
) -> bytes:
    """DER X.509 v3 certificate; issuer None means self-signed, else issuer_public_key_info is the issuer's SPKI."""
    spki, key_algorithm = _load_spki(subject_public_key_info)
    if key_algorithm != algorithm:
        raise ValueError(f"subject key is {key_algorithm}, but the certificate is to be signed with {algorithm}")
    if issuer is None:
        signer_spki, signer = spki, subject_public_key_info
    else:
        if issuer_public_key_info is None:
            raise ValueError("issuer_public_key_info is needed for the authority key identifier and signature check")
        signer_spki, issuer_algorithm = _load_spki(issuer_public_key_info)
        if issuer_algorithm != algorithm:
            raise ValueError(f"issuer key is {issuer_algorithm}, but the certificate is to be signed with {algorithm}")
        signer = issuer_public_key_info
    if not 0 < serial < 1 << 159:
        raise ValueError("serial must be a positive integer of at most 20 octets (RFC 5280 4.1.2.2)")
    if _utc(not_after) <= _utc(not_before):
        raise ValueError("not_after must be later than not_before")
    unknown = set(key_usage) - KEY_USAGES
    if unknown or not key_usage:
        raise ValueError(f"key_usage must be a non-empty subset of {sorted(KEY_USAGES)}; unknown: {sorted(unknown)}")
    if path_length is not None and (not is_ca or path_length < 0):
        raise ValueError("path_length applies to CA certificates only and cannot be negative")

    basic: dict[str, object] = {"ca": is_ca}
    if path_length is not None:
        basic["path_len_constraint"] = path_length
    extensions = [
        {"extn_id": "basic_constraints", "critical": True, "extn_value": basic},
        {"extn_id": "key_usage", "critical": True, "extn_value": set(key_usage)},
        {"extn_id": "key_identifier", "critical": False, "extn_value": _key_identifier(spki)},
    ]
    if issuer is not None:
        extensions.append({"extn_id": "authority_key_identifier", "critical": False,
                           "extn_value": {"key_identifier": _key_identifier(signer_spki)}})
    signature_algorithm = {"algorithm": _SIGNATURE_NAMES[algorithm]}
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": serial,
        "signature": signature_algorithm,
        "issuer": issuer if issuer is not None else subject,
        "validity": {"not_before": _time(not_before), "not_after": _time(not_after)},
        "subject": subject,
        "subject_public_key_info": spki,
        "extensions": extensions,
    })
    signature = _signed(algorithm, sign, tbs.dump(), signer, "certificate")
    return x509.Certificate({
        "tbs_certificate": tbs,
        "signature_algorithm": signature_algorithm,
        "signature_value": signature,
    }).dump()


def make_csr(
    *, algorithm: Algorithm, subject: x509.Name, subject_public_key_info: bytes, sign: Callable[[bytes], bytes]
) -> bytes:
    """PKCS#10 certification request DER, signed by the subject's own key through `sign`."""
    spki, key_algorithm = _load_spki(subject_public_key_info)
    if key_algorithm != algorithm:
        raise ValueError(f"subject key is {key_algorithm}, not {algorithm}")
    info = csr.CertificationRequestInfo({
        "version": "v1", "subject": subject, "subject_pk_info": spki, "attributes": [],
    })
    signature = _signed(algorithm, sign, info.dump(), subject_public_key_info, "request")
    return csr.CertificationRequest({
        "certification_request_info": info,
        "signature_algorithm": {"algorithm": _SIGNATURE_NAMES[algorithm]},
        "signature": signature,
    }).dump()


def make_sm2_csr(subject: x509.Name, public64: bytes, sign: Callable[[bytes], bytes]) -> bytes:
    """PKCS#10 request DER for an SM2 seal key, to send to an external CA."""
    return make_csr(algorithm="sm2", subject=subject, subject_public_key_info=sm2_public_key_info(public64), sign=sign)


def to_pem(der: bytes, label: str = "CERTIFICATE") -> str:
    """PEM text of DER data."""
    return pem.armor(label, der).decode("ascii")


# ----------------------------------------------------------------------------- reading and checking


def _parse(data: bytes) -> tuple[x509.Certificate, CertInfo]:
    if not isinstance(data, bytes | bytearray) or not data:
        raise CertificateError("证书数据为空。")
    return _parse_cached(bytes(data))


# Verifying a licence reads the same few CA and seal certificates again and again: parsing them
# (asn1crypto, every field) and checking their signatures cost more than the licence's own
# signatures, so both are remembered by the certificate bytes. The objects are only read.
@functools.lru_cache(maxsize=2048)
def _parse_cached(der: bytes) -> tuple[x509.Certificate, CertInfo]:
    try:
        if pem.detect(der):
            label, _, der = pem.unarmor(der)
            if label not in ("CERTIFICATE", "X509 CERTIFICATE"):
                raise CertificateError(f"PEM 文件中是 {label}，不是证书。")
        cert = x509.Certificate.load(der, strict=True)
        tbs = cert["tbs_certificate"]
        _ = cert.native  # asn1crypto parses lazily; this reads every field now
        algorithm, public_key = _key(tbs["subject_public_key_info"])
        signature_algorithm = cert["signature_algorithm"]["algorithm"].native
        basic = cert.basic_constraints_value
        usage = cert.key_usage_value
        key_id = cert.key_identifier
        info = CertInfo(
            subject=_name_text(tbs["subject"]),
            subject_cn=_name_part(tbs["subject"], "common_name") or "",
            subject_o=_name_part(tbs["subject"], "organization_name"),
            subject_name=tbs["subject"],
            issuer=_name_text(tbs["issuer"]),
            issuer_cn=_name_part(tbs["issuer"], "common_name") or "",
            issuer_name=tbs["issuer"],
            serial=tbs["serial_number"].native,
            not_before=_utc(tbs["validity"]["not_before"].native),
            not_after=_utc(tbs["validity"]["not_after"].native),
            algorithm=algorithm,
            signature_algorithm=signature_algorithm,
            public_key=public_key,
            public_key_info=tbs["subject_public_key_info"].dump(),
            key_id=key_id,
            is_ca=bool(basic is not None and basic["ca"].native),
            path_length=basic["path_len_constraint"].native if basic is not None else None,
            key_usage=frozenset(usage.native) if usage is not None else None,
            fingerprint=(sm.sm3(der) if algorithm == "sm2" else hashlib.sha256(der).digest()).hex(),
            der=der,
        )
    except CertificateError:
        raise
    except Exception as exc:
        # asn1crypto reports malformed input as ValueError, TypeError, KeyError, IndexError or
        # OverflowError depending on where it trips; callers need one error type.
        raise CertificateError("无法解析证书：文件已损坏或不是 X.509 证书（DER 或 PEM）。") from exc
    return cert, info


def load_certificate(data: bytes) -> CertInfo:
    """Read a DER or PEM certificate; CertificateError (Chinese message) if unreadable or unsupported."""
    return _parse(data)[1]


@functools.lru_cache(maxsize=4096)
def _signed_by_der(cert_der: bytes, issuer_der: bytes) -> bool:
    return _signed_by(_parse_cached(cert_der)[0], _parse_cached(issuer_der)[1])


def _signed_by(cert: x509.Certificate, issuer: CertInfo) -> bool:
    """True if issuer's name and key account for cert's issuer name and signature."""
    tbs = cert["tbs_certificate"]
    if tbs["issuer"] != issuer.subject_name:
        return False
    outer = cert["signature_algorithm"]
    # RFC 5280 4.1.1.2: the signed algorithm identifier must equal the outer one.
    if outer.dump() != tbs["signature"].dump():
        return False
    expected = _SIGNATURE_NAMES[issuer.algorithm]
    if outer["algorithm"].native != expected:
        return False
    try:
        signature = _signature_bits(cert["signature_value"])
    except ValueError:
        return False
    return _verify(issuer.algorithm, issuer.public_key, tbs.dump(), signature)


def verify_signed_by(cert_der: bytes, issuer_cert_der: bytes) -> bool:
    """True if issuer_cert's subject is cert's issuer and its key verifies cert's signature."""
    try:
        cert, _ = _parse(cert_der)
        _, issuer = _parse(issuer_cert_der)
    except CertificateError:
        return False
    return _signed_by(cert, issuer)


def _label(info: CertInfo) -> str:
    return f"「{info.subject_cn or info.subject}」"


def _fail(reason: str, path: list[CertInfo]) -> ChainResult:
    return ChainResult(ok=False, reason=reason, path=path)


def verify_chain(cert_der: bytes, intermediates: list[bytes], roots: list[bytes], at: datetime) -> ChainResult:
    """Build and check the path from cert to one of roots at time `at`: names, signatures, validity, CA rules."""
    try:
        _, leaf = _parse(cert_der)
    except CertificateError as exc:
        return _fail(str(exc), [])
    at = _utc(at)
    anchors: list[tuple[x509.Certificate, CertInfo]] = []
    others: list[tuple[x509.Certificate, CertInfo]] = []
    for pool, source in ((anchors, roots), (others, intermediates)):
        for der in source:
            try:
                pool.append(_parse(der))
            except CertificateError:
                continue  # an unreadable trust entry cannot help build a path; the others still can
    anchor_ders = {info.der for _, info in anchors}

    path = [leaf]
    current = leaf
    while current.der not in anchor_ders:
        if len(path) > _MAX_CHAIN:
            return _fail(f"证书链超过 {_MAX_CHAIN} 级，无法验证。", path)
        used = {info.der for info in path}
        # Anchors first, so that the shortest path to a trusted root is found.
        candidates = [(c, i) for c, i in anchors + others
                      if i.der not in used and i.subject_name == current.issuer_name]
        if not candidates:
            if current.subject_name == current.issuer_name:
                return _fail(f"根证书{_label(current)}不在受信任的根证书列表中。", path)
            return _fail(f"找不到{_label(current)}的签发者「{current.issuer_cn or current.issuer}」的证书："
                         "证书链不完整，或签发 CA 未被本平台信任。", path)
        found = next(((c, i) for c, i in candidates if _signed_by_der(current.der, i.der)), None)
        if found is None:
            return _fail(f"{_label(current)}的签名无法用签发者「{current.issuer_cn or current.issuer}」的公钥验证："
                         "证书可能被篡改，或由另一把密钥签发。", path)
        current = found[1]
        path.append(current)

    for position, info in enumerate(path):
        if at < info.not_before:
            return _fail(f"证书{_label(info)}尚未生效（{info.not_before:%Y-%m-%d %H:%M:%S} UTC 起有效）。", path)
        if at > info.not_after:
            return _fail(f"证书{_label(info)}已过期（有效期至 {info.not_after:%Y-%m-%d %H:%M:%S} UTC）。", path)
        cert = x509.Certificate.load(info.der)
        unknown = set(cert.critical_extensions) - _KNOWN_CRITICAL
        if unknown:
            return _fail(f"证书{_label(info)}含有无法处理的关键扩展：{', '.join(sorted(unknown))}。", path)
        if position == 0:
            continue
        if not info.is_ca:
            return _fail(f"{_label(info)}不是 CA 证书（基本约束未标明 CA），不能签发其他证书。", path)
        if info.key_usage is not None and "key_cert_sign" not in info.key_usage:
            return _fail(f"CA 证书{_label(info)}的密钥用法不包含证书签名（keyCertSign）。", path)
        # CA certificates between this one and the leaf; pathLenConstraint bounds their number.
        below = position - 1
        if info.path_length is not None and below > info.path_length:
            return _fail(f"证书链超出 CA 证书{_label(info)}的路径长度限制（{info.path_length}）。", path)
    return ChainResult(ok=True, reason="", path=path)
