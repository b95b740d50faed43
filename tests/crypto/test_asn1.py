"""GB/T 38540 seal and seal-signature encoding: round trips, what is signed, DER, and refusal of bad input."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from asn1crypto import parser

from tongban.crypto import asn1, sm

PRIVATE, PUBLIC = sm.sm2_generate()
SIGNER_PRIVATE, SIGNER_PUBLIC = sm.sm2_generate()


def _maker_sign(tbs: bytes) -> bytes:
    return sm.sm2_sign(PRIVATE, PUBLIC, tbs)


def _signer_sign(tbs: bytes) -> bytes:
    return sm.sm2_sign(SIGNER_PRIVATE, SIGNER_PUBLIC, tbs)


def _props(**changes: object) -> asn1.SealProperties:
    props = asn1.SealProperties(
        es_id="11010520240001",
        seal_type=asn1.SEAL_TYPE_OFFICIAL,
        name="北京市朝阳区政务服务管理局行政审批专用章",
        cert_list=[b"holder certificate 1", b"holder certificate 2"],
        created=datetime(2024, 3, 1, 9, 30, 15, tzinfo=UTC),
        valid_start=datetime(2024, 3, 1, tzinfo=UTC),
        valid_end=datetime(2029, 2, 28, 23, 59, 59, tzinfo=UTC),
        picture_type="svg",
        picture=b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="20"/></svg>',
        width_mm=42,
        height_mm=42,
        vid="tongban",
        extensions=[asn1.Extension(oid="1.2.156.112562.1.1", critical=False, value=b"\x01\x02")],
    )
    return replace(props, **changes)


SEAL = asn1.make_seal(_props(), b"maker certificate DER", _maker_sign)
DATA_HASH = sm.sm3(b"%PDF-1.7 the signed byte ranges")
SIGNED_AT = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
SIGNATURE = asn1.make_signature(
    SEAL, DATA_HASH, "licence:2024-000123;sm3", SIGNED_AT, b"signer certificate DER", _signer_sign
)


def _children(der: bytes) -> list[bytes]:
    """Encoded children of a DER SEQUENCE, split with asn1crypto's bare TLV parser."""
    contents = parser.parse(der, strict=True)[4]
    out = []
    while contents:
        _, _, _, header, body, trailer = parser.parse(contents)
        out.append(header + body + trailer)
        contents = contents[len(out[-1]) :]
    return out


def _check_der(data: bytes) -> None:
    """Independent DER check: definite minimal lengths, minimal INTEGERs, canonical BOOLEAN, recursively."""
    pos = 0
    while pos < len(data):
        tag = data[pos]
        assert tag & 0x1F != 0x1F, "multi-byte tags are not used here"
        first = data[pos + 1]
        if first < 0x80:
            length, start = first, pos + 2
        else:
            count = first & 0x7F
            assert 1 <= count <= 4, "indefinite or oversized length"
            length = int.from_bytes(data[pos + 2 : pos + 2 + count], "big")
            assert length >= 0x80 and data[pos + 2] != 0, "non-minimal long-form length"
            start = pos + 2 + count
        body = data[start : start + length]
        assert len(body) == length
        if tag == 0x02:
            assert length >= 1
            assert not (length > 1 and body[0] == 0 and not body[1] & 0x80)
            assert not (length > 1 and body[0] == 0xFF and body[1] & 0x80)
        if tag == 0x01:
            assert body in (b"\x00", b"\xff")
        if tag & 0x20:
            _check_der(body)
        pos = start + length


def test_seal_round_trip_of_every_field() -> None:
    parsed = asn1.parse_seal(SEAL)
    assert parsed.properties == _props()
    assert parsed.maker_cert == b"maker certificate DER"
    assert parsed.sign_algorithm == "1.2.156.10197.1.501"
    assert parsed.der == SEAL
    assert sm.signature_to_rs(parsed.signed_value)


def test_seal_tbs_is_what_the_maker_signed() -> None:
    parsed = asn1.parse_seal(SEAL)
    assert sm.sm2_verify(PUBLIC, parsed.tbs, parsed.signed_value)
    assert not sm.sm2_verify(SIGNER_PUBLIC, parsed.tbs, parsed.signed_value)
    # tbs is SEQUENCE { eSealInfo, cert, signAlgID }: the seal's first three children.
    info, cert, algorithm, signed_value = _children(SEAL)
    body = info + cert + algorithm
    assert parsed.tbs == b"\x30\x82" + len(body).to_bytes(2, "big") + body
    assert signed_value[0] == 0x03


def test_signature_round_trip_of_every_field() -> None:
    parsed = asn1.parse_signature(SIGNATURE)
    assert parsed.seal_der == SEAL
    assert parsed.seal == asn1.parse_seal(SEAL)
    assert parsed.signed_at == SIGNED_AT
    assert parsed.data_hash == DATA_HASH
    assert parsed.property_info == "licence:2024-000123;sm3"
    assert parsed.extensions == []
    assert parsed.cert == b"signer certificate DER"
    assert parsed.signature_algorithm == "1.2.156.10197.1.501"
    assert parsed.timestamp is None
    assert parsed.der == SIGNATURE


def test_signature_tbs_is_what_the_signer_signed() -> None:
    parsed = asn1.parse_signature(SIGNATURE)
    assert sm.sm2_verify(SIGNER_PUBLIC, parsed.tbs, parsed.signed_value)
    assert sm.sm2_verify(PUBLIC, parsed.seal.tbs, parsed.seal.signed_value)
    to_sign, cert, algorithm, _signature = _children(SIGNATURE)
    body = to_sign + cert + algorithm
    assert parsed.tbs == b"\x30\x82" + len(body).to_bytes(2, "big") + body


def test_signature_extensions() -> None:
    extension = asn1.Extension(oid="1.2.3.4", critical=True, value="页码:3".encode())
    der = asn1.make_signature(SEAL, DATA_HASH, "p", SIGNED_AT, b"c", _signer_sign, extensions=[extension])
    parsed = asn1.parse_signature(der)
    assert parsed.extensions == [extension]
    assert sm.sm2_verify(SIGNER_PUBLIC, parsed.tbs, parsed.signed_value)


def test_timestamp_is_added_outside_the_signed_data() -> None:
    token = b"time-stamp token over the signature value"
    stamped = asn1.add_timestamp(SIGNATURE, token)
    _check_der(stamped)
    # [0] EXPLICIT: a constructed context tag wrapping a BIT STRING with zero unused bits.
    last = _children(stamped)[-1]
    assert last[0] == 0xA0
    assert last[2:5] == bytes([0x03, len(token) + 1, 0x00])
    parsed = asn1.parse_signature(stamped)
    assert parsed.timestamp == token
    assert parsed.tbs == asn1.parse_signature(SIGNATURE).tbs
    assert sm.sm2_verify(SIGNER_PUBLIC, parsed.tbs, parsed.signed_value)
    assert asn1.parse_signature(asn1.add_timestamp(stamped, b"other")).timestamp == b"other"


def test_implicitly_tagged_timestamp_is_read() -> None:
    token = b"token"
    body = b"".join(_children(SIGNATURE)) + bytes([0x80, len(token) + 1, 0x00]) + token
    der = b"\x30\x82" + len(body).to_bytes(2, "big") + body
    parsed = asn1.parse_signature(der)
    assert parsed.timestamp == token
    assert parsed.tbs == asn1.parse_signature(SIGNATURE).tbs
    # Replacing it writes the explicit form.
    restamped = asn1.add_timestamp(der, b"new token")
    assert _children(restamped)[-1][0] == 0xA0
    assert asn1.parse_signature(restamped).timestamp == b"new token"


def test_inner_tbs_is_the_first_field_alone() -> None:
    """The form ofdrw and ofd.js sign: DER of eSealInfo / toSign without the certificate and algorithm."""
    assert asn1.parse_seal(SEAL).tbs_inner == _children(SEAL)[0]
    assert asn1.parse_signature(SIGNATURE).tbs_inner == _children(SIGNATURE)[0]


def test_encoding_is_der_and_re_encodes_identically() -> None:
    for der in (SEAL, SIGNATURE):
        _check_der(der)
    assert asn1.SESeal.load(SEAL).dump(force=True) == SEAL
    assert asn1.SES_Signature.load(SIGNATURE).dump(force=True) == SIGNATURE
    # Rebuilding from the parsed plain values gives the same bytes.
    parsed = asn1.parse_seal(SEAL)
    assert asn1.make_seal(parsed.properties, parsed.maker_cert, lambda _tbs: parsed.signed_value) == SEAL
    signature = asn1.parse_signature(SIGNATURE)
    rebuilt = asn1.make_signature(
        signature.seal_der,
        signature.data_hash,
        signature.property_info,
        signature.signed_at,
        signature.cert,
        lambda _tbs: signature.signed_value,
    )
    assert rebuilt == SIGNATURE


def test_large_picture_uses_long_form_lengths() -> None:
    picture = random.Random(7).randbytes(70_000)
    der = asn1.make_seal(_props(picture_type="png", picture=picture, extensions=[]), b"m" * 300, _maker_sign)
    _check_der(der)
    parsed = asn1.parse_seal(der)
    assert parsed.properties.picture == picture
    assert parsed.properties.extensions == []
    assert sm.sm2_verify(PUBLIC, parsed.tbs, parsed.signed_value)


def test_times_are_stored_in_utc_to_the_second() -> None:
    beijing = timezone(timedelta(hours=8))
    der = asn1.make_seal(
        _props(created=datetime(2024, 3, 1, 17, 30, 15, 999_999, tzinfo=beijing)), b"m", _maker_sign
    )
    created = asn1.parse_seal(der).created
    assert created == datetime(2024, 3, 1, 9, 30, 15, tzinfo=UTC)
    assert created.tzinfo is not None
    # Naive datetimes are UTC, as in the database.
    naive = asn1.make_seal(_props(created=datetime(2024, 3, 1, 9, 30, 15)), b"m", _maker_sign)
    assert asn1.parse_seal(naive).created == created


def test_every_single_byte_change_is_detected() -> None:
    """Each altered byte either breaks parsing or breaks a signature, for the seal and the signature."""

    def seal_still_valid(der: bytes) -> bool:
        try:
            parsed = asn1.parse_seal(der)
        except asn1.SealFormatError:
            return False
        return sm.sm2_verify(PUBLIC, parsed.tbs, parsed.signed_value)

    def signature_still_valid(der: bytes) -> bool:
        try:
            parsed = asn1.parse_signature(der)
        except asn1.SealFormatError:
            return False
        return sm.sm2_verify(SIGNER_PUBLIC, parsed.tbs, parsed.signed_value) and sm.sm2_verify(
            PUBLIC, parsed.seal.tbs, parsed.seal.signed_value
        )

    for original, still_valid in ((SEAL, seal_still_valid), (SIGNATURE, signature_still_valid)):
        assert still_valid(original)
        for position in range(len(original)):
            for mask in (0x01, 0x80):
                altered = bytearray(original)
                altered[position] ^= mask
                assert not still_valid(bytes(altered)), f"byte {position} ^ {mask:#x} went unnoticed"


def test_truncations_and_trailing_bytes_are_format_errors() -> None:
    for der, parse in ((SEAL, asn1.parse_seal), (SIGNATURE, asn1.parse_signature)):
        for length in range(len(der)):
            with pytest.raises(asn1.SealFormatError):
                parse(der[:length])
        with pytest.raises(asn1.SealFormatError):
            parse(der + b"\x00")


def test_garbage_is_a_format_error() -> None:
    rng = random.Random(38540)
    samples = [rng.randbytes(rng.randrange(1, 400)) for _ in range(300)]
    # Garbage that starts like a SEQUENCE of the right length gets further into the parser.
    samples += [b"\x30\x81\xc8" + rng.randbytes(200) for _ in range(100)]
    samples += [SEAL[:40] + rng.randbytes(len(SEAL) - 40) for _ in range(100)]
    for sample in samples:
        for parse in (asn1.parse_seal, asn1.parse_signature):
            with pytest.raises(asn1.SealFormatError):
                parse(sample)
    with pytest.raises(asn1.SealFormatError):
        asn1.parse_seal(SIGNATURE)
    with pytest.raises(asn1.SealFormatError):
        asn1.parse_signature(SEAL)
    with pytest.raises(asn1.SealFormatError):
        asn1.parse_seal(b"")


def test_non_canonical_encoding_is_refused() -> None:
    # The same seal with the outer length in a needlessly long form (0x83 00 xx xx instead of 0x82 xx xx).
    assert SEAL[1] == 0x82
    longer = b"\x30\x83\x00" + SEAL[2:]
    with pytest.raises(asn1.SealFormatError, match="DER"):
        asn1.parse_seal(longer)


def test_other_versions_and_identifiers_are_refused() -> None:
    value = asn1.SESeal.load(SEAL)
    value["eSealInfo"]["header"]["version"] = 3
    with pytest.raises(asn1.SealFormatError, match="第 4 版"):
        asn1.parse_seal(value.dump(force=True))
    value = asn1.SESeal.load(SEAL)
    value["eSealInfo"]["header"]["id"] = "EX"
    with pytest.raises(asn1.SealFormatError, match="ES"):
        asn1.parse_seal(value.dump(force=True))
    value = asn1.SESeal.load(SEAL)
    value["eSealInfo"]["property"]["certListType"] = 2
    with pytest.raises(asn1.SealFormatError, match="certListType"):
        asn1.parse_seal(value.dump(force=True))


def test_bit_strings_with_unused_bits_are_refused() -> None:
    value = asn1.SESeal.load(SEAL)
    signed_value = value["signedValue"].dump()
    position = SEAL.index(signed_value)
    # The byte after the BIT STRING header is the unused-bit count.
    header_length = len(signed_value) - len(value["signedValue"].contents)
    altered = bytearray(SEAL)
    altered[position + header_length] = 0x01
    with pytest.raises(asn1.SealFormatError):
        asn1.parse_seal(bytes(altered))


def test_make_seal_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        asn1.make_seal(_props(es_id="印章编号"), b"m", _maker_sign)
    with pytest.raises(ValueError):
        asn1.make_seal(_props(cert_list=[]), b"m", _maker_sign)
    # A callback returning raw r||s instead of DER would make a seal nobody can verify.
    with pytest.raises(ValueError):
        asn1.make_seal(_props(), b"m", lambda tbs: _maker_sign(tbs)[-64:].rjust(64, b"\x00"))
    with pytest.raises(ValueError, match="ASCII"):
        asn1.make_signature(SEAL, DATA_HASH, "第三页", SIGNED_AT, b"c", _signer_sign)
    with pytest.raises(asn1.SealFormatError):
        asn1.make_signature(SEAL[:-1], DATA_HASH, "p", SIGNED_AT, b"c", _signer_sign)
