"""Electronic seal (电子印章) and seal signature (电子签章) data formats of GB/T 38540-2020, version 4.

The ASN.1 classes carry the standard's own names (including its spelling `SES_ESPictrueInfo`) so that
they can be read side by side with the standard. Signing goes through a callback because private
keys stay in the key store; the callback receives the exact bytes to sign and returns a DER SM2
signature (SM3 with Z_A of the default identifier).

What is signed, as version 4 defines it (and as `make_seal` / `make_signature` write it):
- the seal maker's `signedValue` covers the DER of SEQUENCE { eSealInfo, cert, signAlgID };
- the signer's `signature` covers the DER of SEQUENCE { toSign, cert, signatureAlgID }.
Several widely used implementations (ofdrw, ofd.js) sign the DER of eSealInfo / toSign alone instead,
so the parsed values also carry that form as `tbs_inner`; a verifier that must accept their seals
can try it after `tbs`.

The timestamp of a signature, `timeStamp [0] BIT STRING OPTIONAL`, is written with explicit tagging
(the ASN.1 default, and what ofdrw writes); an implicitly tagged one is accepted when parsing.

Parsing accepts only canonical DER (the standard requires it, and it makes `tbs` unique) and raises
`SealFormatError` for anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from asn1crypto import core

from tongban.crypto import sm

SEAL_ID = "ES"
SEAL_VERSION = 4
SM2_SM3_OID = "1.2.156.10197.1.501"
CERT_LIST_TYPE_CERTS = 1
"""certListType 1: certList holds the DER certificates of the seal holders (2, digests, is not supported)."""
SEAL_TYPE_OFFICIAL = 1
"""单位印章; 2 is 个人印章, other values are left to the issuer."""


# asn1crypto field lists: (name, spec) or (name, spec, options).
_Fields = list[tuple[Any, ...]]


class SealFormatError(ValueError):
    """The bytes are not a GB/T 38540 version 4 seal or seal signature."""


class ExtData(core.Sequence):
    """ExtData ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue }."""

    _fields: ClassVar[_Fields] = [
        ("extnID", core.ObjectIdentifier),
        ("critical", core.Boolean, {"default": False}),
        ("extnValue", core.OctetString),
    ]


class ExtensionDatas(core.SequenceOf):
    """ExtensionDatas ::= SEQUENCE OF ExtData."""

    _child_spec = ExtData


class CertInfoList(core.SequenceOf):
    """SEQUENCE OF OCTET STRING, each a DER certificate (SES_CertList with certListType 1)."""

    _child_spec = core.OctetString


class SES_Header(core.Sequence):
    """SES_Header ::= SEQUENCE { id IA5String ("ES"), version INTEGER (4), vid IA5String }."""

    _fields: ClassVar[_Fields] = [("id", core.IA5String), ("version", core.Integer), ("vid", core.IA5String)]


class SES_ESPropertyInfo(core.Sequence):
    """印章属性信息: type, name, certificate list and validity."""

    _fields: ClassVar[_Fields] = [
        ("type", core.Integer),
        ("name", core.UTF8String),
        ("certListType", core.Integer),
        ("certList", CertInfoList),
        ("createDate", core.GeneralizedTime),
        ("validStart", core.GeneralizedTime),
        ("validEnd", core.GeneralizedTime),
    ]


class SES_ESPictrueInfo(core.Sequence):
    """印章图像: type ("svg", "png", ...), data, width and height in millimetres."""

    _fields: ClassVar[_Fields] = [
        ("type", core.IA5String),
        ("data", core.OctetString),
        ("width", core.Integer),
        ("height", core.Integer),
    ]


class SES_SealInfo(core.Sequence):
    """印章信息: header, esID, property, picture, extDatas."""

    _fields: ClassVar[_Fields] = [
        ("header", SES_Header),
        ("esID", core.IA5String),
        ("property", SES_ESPropertyInfo),
        ("picture", SES_ESPictrueInfo),
        ("extDatas", ExtensionDatas, {"optional": True}),
    ]


class SESeal(core.Sequence):
    """电子印章: seal information, maker certificate, algorithm and the maker's signature."""

    _fields: ClassVar[_Fields] = [
        ("eSealInfo", SES_SealInfo),
        ("cert", core.OctetString),
        ("signAlgID", core.ObjectIdentifier),
        ("signedValue", core.OctetBitString),
    ]


class TBS_Sign(core.Sequence):
    """签章信息: the seal, signing time, document hash and its properties."""

    _fields: ClassVar[_Fields] = [
        ("version", core.Integer),
        ("eseal", SESeal),
        ("timeInfo", core.GeneralizedTime),
        ("dataHash", core.OctetBitString),
        ("propertyInfo", core.IA5String),
        ("extDatas", ExtensionDatas, {"optional": True}),
    ]


class SES_Signature(core.Sequence):
    """电子签章: signed information, signer certificate, algorithm, signature and optional timestamp."""

    _fields: ClassVar[_Fields] = [
        ("toSign", TBS_Sign),
        ("cert", core.OctetString),
        ("signatureAlgID", core.ObjectIdentifier),
        ("signature", core.OctetBitString),
        ("timeStamp", core.OctetBitString, {"explicit": 0, "optional": True}),
    ]


class _SES_SignatureImplicitTimestamp(SES_Signature):
    """SES_Signature as written by software that tags the timestamp implicitly; read, never written."""

    _fields: ClassVar[_Fields] = [
        *SES_Signature._fields[:4],
        ("timeStamp", core.OctetBitString, {"implicit": 0, "optional": True}),
    ]


@dataclass(frozen=True)
class Extension:
    """One ExtData entry."""

    oid: str
    critical: bool
    value: bytes


@dataclass(frozen=True)
class SealProperties:
    """What a seal says about itself; naive datetimes are taken as UTC, and seconds are the finest unit kept."""

    es_id: str
    seal_type: int
    name: str
    cert_list: list[bytes]
    created: datetime
    valid_start: datetime
    valid_end: datetime
    picture_type: str
    picture: bytes
    width_mm: int
    height_mm: int
    vid: str
    extensions: list[Extension] = field(default_factory=list)


@dataclass(frozen=True)
class ParsedSeal:
    """A parsed SESeal: every field as a plain value (datetimes UTC-aware), what was signed, and the DER."""

    es_id: str
    seal_type: int
    name: str
    cert_list: list[bytes]
    created: datetime
    valid_start: datetime
    valid_end: datetime
    picture_type: str
    picture: bytes
    width_mm: int
    height_mm: int
    vid: str
    extensions: list[Extension]
    maker_cert: bytes
    sign_algorithm: str
    signed_value: bytes
    tbs: bytes
    """DER of SEQUENCE { eSealInfo, cert, signAlgID }: what the maker signed."""
    tbs_inner: bytes
    """DER of eSealInfo alone: what ofdrw-style seals sign instead."""
    der: bytes

    @property
    def properties(self) -> SealProperties:
        """The seal's properties as `make_seal` takes them."""
        return SealProperties(
            es_id=self.es_id, seal_type=self.seal_type, name=self.name, cert_list=self.cert_list,
            created=self.created, valid_start=self.valid_start, valid_end=self.valid_end,
            picture_type=self.picture_type, picture=self.picture, width_mm=self.width_mm,
            height_mm=self.height_mm, vid=self.vid, extensions=self.extensions,
        )


@dataclass(frozen=True)
class ParsedSignature:
    """A parsed SES_Signature: the embedded seal (parsed and as DER), every field, what was signed, the DER."""

    seal: ParsedSeal
    seal_der: bytes
    signed_at: datetime
    data_hash: bytes
    property_info: str
    extensions: list[Extension]
    cert: bytes
    """The signer's (签章人) certificate, DER."""
    signature_algorithm: str
    signed_value: bytes
    timestamp: bytes | None
    tbs: bytes
    """DER of SEQUENCE { toSign, cert, signatureAlgID }: what the signer signed."""
    tbs_inner: bytes
    """DER of toSign alone: what ofdrw-style signatures sign instead."""
    der: bytes


def _der_sequence(body: bytes) -> bytes:
    """DER SEQUENCE header + body."""
    n = len(body)
    if n < 0x80:
        return b"\x30" + bytes([n]) + body
    length = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\x30" + bytes([0x80 | len(length)]) + length + body


def _time(value: datetime) -> datetime:
    # Naive datetimes are UTC, as everywhere in the database. Whole seconds in UTC give the plainest
    # DER GeneralizedTime ("YYYYMMDDHHMMSSZ"), the form other seal software expects.
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.replace(microsecond=0)


def _ascii(value: str, what: str) -> str:
    if not value.isascii():
        raise ValueError(f"{what} must be ASCII (IA5String): {value!r}")
    return value


def _extensions(items: list[Extension]) -> ExtensionDatas | None:
    if not items:
        return None
    return ExtensionDatas(
        [{"extnID": e.oid, "critical": e.critical, "extnValue": e.value} for e in items]
    )


def _checked_signature(signature: bytes) -> bytes:
    # A callback that returns raw r||s or an error string would otherwise produce a seal
    # that parses but never verifies.
    sm.signature_to_rs(signature)
    return signature


def make_seal(props: SealProperties, maker_cert: bytes, sign: Callable[[bytes], bytes]) -> bytes:
    """DER SESeal of props, signed by the seal maker (制章人) through `sign`."""
    if not props.cert_list:
        raise ValueError("a seal needs at least one holder certificate in cert_list")
    info_fields: dict[str, Any] = {
        "header": {"id": SEAL_ID, "version": SEAL_VERSION, "vid": _ascii(props.vid, "vid")},
        "esID": _ascii(props.es_id, "es_id"),
        "property": {
            "type": props.seal_type,
            "name": props.name,
            "certListType": CERT_LIST_TYPE_CERTS,
            "certList": list(props.cert_list),
            "createDate": _time(props.created),
            "validStart": _time(props.valid_start),
            "validEnd": _time(props.valid_end),
        },
        "picture": {
            "type": _ascii(props.picture_type, "picture_type"),
            "data": props.picture,
            "width": props.width_mm,
            "height": props.height_mm,
        },
    }
    extensions = _extensions(props.extensions)
    if extensions is not None:
        info_fields["extDatas"] = extensions
    info = SES_SealInfo(info_fields)
    cert = core.OctetString(maker_cert)
    algorithm = core.ObjectIdentifier(SM2_SM3_OID)
    tbs = _der_sequence(info.dump() + cert.dump() + algorithm.dump())
    seal = SESeal(
        {"eSealInfo": info, "cert": cert, "signAlgID": algorithm, "signedValue": _checked_signature(sign(tbs))}
    )
    return seal.dump()


def make_signature(
    seal: bytes,
    data_hash: bytes,
    property_info: str,
    signed_at: datetime,
    signer_cert: bytes,
    sign: Callable[[bytes], bytes],
    extensions: list[Extension] | None = None,
) -> bytes:
    """DER SES_Signature: the signer (签章人) applies `seal` to a document whose hash is data_hash."""
    eseal = SESeal.load(parse_seal(seal).der)
    to_sign_fields: dict[str, Any] = {
        "version": SEAL_VERSION,
        "eseal": eseal,
        "timeInfo": _time(signed_at),
        "dataHash": data_hash,
        "propertyInfo": _ascii(property_info, "property_info"),
    }
    ext = _extensions(extensions or [])
    if ext is not None:
        to_sign_fields["extDatas"] = ext
    to_sign = TBS_Sign(to_sign_fields)
    cert = core.OctetString(signer_cert)
    algorithm = core.ObjectIdentifier(SM2_SM3_OID)
    tbs = _der_sequence(to_sign.dump() + cert.dump() + algorithm.dump())
    signature = SES_Signature(
        {
            "toSign": to_sign,
            "cert": cert,
            "signatureAlgID": algorithm,
            "signature": _checked_signature(sign(tbs)),
        }
    )
    return signature.dump()


def _load_strict(spec: type[core.Sequence], der: bytes, what: str) -> core.Sequence:
    """Parse der fully as spec; SealFormatError unless it is exactly one canonical DER value."""
    if not isinstance(der, bytes | bytearray) or not der:
        raise SealFormatError(f"{what}数据为空或类型不对。")
    der = bytes(der)
    try:
        value = spec.load(der, strict=True)
        # asn1crypto parses lazily; touching .native parses every nested value now, so a bad
        # inner encoding is reported here and not later by whoever reads the field.
        _ = value.native
        canonical = value.dump(force=True) == der
    except Exception as exc:
        # asn1crypto reports malformed input with ValueError, TypeError, KeyError, IndexError or
        # OverflowError depending on where it trips; callers need one error type.
        raise SealFormatError(
            f"{what}数据无法解析（{exc.__class__.__name__}），请确认文件完整且符合 GB/T 38540。"
        ) from exc
    if not canonical:
        raise SealFormatError(f"{what}数据不是规范的 DER 编码，GB/T 38540 要求 DER 编码。")
    return value


def _bits(value: core.OctetBitString, what: str) -> bytes:
    # An octet-aligned value must declare zero unused bits; asn1crypto would silently ignore them.
    if value.contents[:1] != b"\x00":
        raise SealFormatError(f"{what}不是按字节对齐的位串。")
    return bytes(value.contents[1:])


def _read_extensions(value: core.Asn1Value) -> list[Extension]:
    if isinstance(value, core.Void):
        return []
    return [
        Extension(oid=e["extnID"].dotted, critical=bool(e["critical"].native), value=e["extnValue"].native)
        for e in value
    ]


def _seal_from(seal: core.Sequence, der: bytes) -> ParsedSeal:
    info = seal["eSealInfo"]
    header = info["header"]
    if header["id"].native != SEAL_ID:
        raise SealFormatError("印章头标识不是 ES，不是 GB/T 38540 电子印章。")
    if header["version"].native != SEAL_VERSION:
        raise SealFormatError(f"电子印章版本为 {header['version'].native}，本平台只支持 GB/T 38540 第 4 版。")
    prop = info["property"]
    if prop["certListType"].native != CERT_LIST_TYPE_CERTS:
        raise SealFormatError("印章证书列表类型不受支持：只支持证书列表（certListType 为 1）。")
    picture = info["picture"]
    return ParsedSeal(
        es_id=info["esID"].native,
        seal_type=prop["type"].native,
        name=prop["name"].native,
        cert_list=[bytes(c.native) for c in prop["certList"]],
        created=_time_value(prop["createDate"], "印章制作日期"),
        valid_start=_time_value(prop["validStart"], "印章有效期起始"),
        valid_end=_time_value(prop["validEnd"], "印章有效期截止"),
        picture_type=picture["type"].native,
        picture=picture["data"].native,
        width_mm=picture["width"].native,
        height_mm=picture["height"].native,
        vid=header["vid"].native,
        extensions=_read_extensions(info["extDatas"]),
        maker_cert=seal["cert"].native,
        sign_algorithm=seal["signAlgID"].dotted,
        signed_value=_bits(seal["signedValue"], "印章签名值"),
        tbs=_der_sequence(info.dump() + seal["cert"].dump() + seal["signAlgID"].dump()),
        tbs_inner=info.dump(),
        der=der,
    )


def parse_seal(der: bytes) -> ParsedSeal:
    """Parse a DER SESeal; SealFormatError for anything that is not a canonical version 4 seal."""
    seal = _load_strict(SESeal, der, "电子印章")
    return _seal_from(seal, bytes(der))


def _time_value(value: core.GeneralizedTime, what: str) -> datetime:
    native = value.native
    # Year 0 parses to asn1crypto's extended_datetime, which is not a datetime.
    if not isinstance(native, datetime):
        raise SealFormatError(f"{what}不是有效的时间。")
    return native


def _load_signature(der: bytes) -> core.Sequence:
    try:
        return _load_strict(SES_Signature, der, "电子签章")
    except SealFormatError as explicit_error:
        try:
            return _load_strict(_SES_SignatureImplicitTimestamp, der, "电子签章")
        except SealFormatError:
            raise explicit_error from None


def parse_signature(der: bytes) -> ParsedSignature:
    """Parse a DER SES_Signature; SealFormatError for anything that is not a canonical version 4 signature."""
    signature = _load_signature(der)
    to_sign = signature["toSign"]
    if to_sign["version"].native != SEAL_VERSION:
        raise SealFormatError(f"电子签章版本为 {to_sign['version'].native}，本平台只支持 GB/T 38540 第 4 版。")
    eseal = to_sign["eseal"]
    seal_der = eseal.dump()
    timestamp = signature["timeStamp"]
    return ParsedSignature(
        seal=_seal_from(eseal, seal_der),
        seal_der=seal_der,
        signed_at=_time_value(to_sign["timeInfo"], "签章时间"),
        data_hash=_bits(to_sign["dataHash"], "原文杂凑值"),
        property_info=to_sign["propertyInfo"].native,
        extensions=_read_extensions(to_sign["extDatas"]),
        cert=signature["cert"].native,
        signature_algorithm=signature["signatureAlgID"].dotted,
        signed_value=_bits(signature["signature"], "签章签名值"),
        timestamp=None if isinstance(timestamp, core.Void) else _bits(timestamp, "时间戳"),
        tbs=_der_sequence(to_sign.dump() + signature["cert"].dump() + signature["signatureAlgID"].dump()),
        tbs_inner=to_sign.dump(),
        der=bytes(der),
    )


def add_timestamp(signature: bytes, token: bytes) -> bytes:
    """The SES_Signature with `token` (a time-stamp token over its signature value) as its timeStamp."""
    parse_signature(signature)
    value = _load_signature(signature)
    # The timestamp is outside what the signer signed, so adding or replacing it leaves tbs unchanged;
    # it is always written explicitly tagged, whatever tagging the input used.
    stamped = SES_Signature({name: value[name] for name in ("toSign", "cert", "signatureAlgID", "signature")})
    stamped["timeStamp"] = token
    return stamped.dump()
