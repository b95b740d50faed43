"""PAdES signing and inspection of licence PDFs, with a throwaway ECDSA P-256 CA and no mocks."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from tongban.crypto.pades import PadesReport, inspect_pdf, sign_pdf

BEIJING = timezone(timedelta(hours=8))
SIGNED_AT = datetime(2025, 3, 1, 10, 30, 15, tzinfo=BEIJING)
LICENCE_NO = b"TB-2025-000123"


@dataclass
class Pki:
    """A root, an issuing CA and a department signer, all ECDSA P-256, as DER plus the signer's key."""

    root: bytes
    issuing: bytes
    signer: bytes
    signer_key: ec.EllipticCurvePrivateKey
    issuing_key: ec.EllipticCurvePrivateKey


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer.subject if issuer else _name(subject))
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _make_pki(root_cn: str, *, signer_not_after: datetime) -> Pki:
    long_ago, far_off = datetime(2020, 1, 1, tzinfo=UTC), datetime(2045, 1, 1, tzinfo=UTC)
    root_key, issuing_key, signer_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = _cert(root_cn, root_key, None, root_key, ca=True, not_before=long_ago, not_after=far_off)
    issuing = _cert("通办测试签发CA", issuing_key, root, root_key, ca=True, not_before=long_ago, not_after=far_off)
    signer = _cert(
        "某市市场监督管理局",
        signer_key,
        issuing,
        issuing_key,
        ca=False,
        not_before=datetime(2024, 1, 1, tzinfo=UTC),
        not_after=signer_not_after,
    )
    return Pki(_der(root), _der(issuing), _der(signer), signer_key, issuing_key)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return _make_pki("通办测试根CA", signer_not_after=datetime(2040, 1, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def pdf() -> bytes:
    """A one-page licence drawn by reportlab, with Chinese text in STSong-Light; page content left uncompressed."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = BytesIO()
    page = canvas.Canvas(out, pagesize=A4, pageCompression=0)
    page.setFont("STSong-Light", 24)
    page.drawString(150, 750, "营业执照")
    page.setFont("STSong-Light", 12)
    page.drawString(80, 700, "名称：某某科技有限公司")
    page.drawString(80, 680, "统一社会信用代码：91110000MA01ABCDEF")
    page.setFont("Helvetica", 10)
    page.drawString(80, 660, f"Licence No. {LICENCE_NO.decode()}")
    page.showPage()
    page.save()
    return out.getvalue()


LICENCE_JSON = json.dumps(
    {"licence_no": LICENCE_NO.decode(), "holder": "某某科技有限公司", "type": "营业执照"},
    ensure_ascii=False,
    sort_keys=True,
).encode()
SEAL_SIGNATURE = bytes(range(256)) * 2  # stands in for a SES_Signature DER; its contents do not matter here


def _signer_callback(key: ec.EllipticCurvePrivateKey, calls: list[bytes] | None = None):
    def sign(data: bytes) -> bytes:
        if calls is not None:
            calls.append(data)
        return key.sign(data, ec.ECDSA(hashes.SHA256()))

    return sign


def _sign(pdf: bytes, pki: Pki, calls: list[bytes] | None = None) -> bytes:
    return sign_pdf(
        pdf,
        attachments={"licence.json": LICENCE_JSON, "seal-signature.der": SEAL_SIGNATURE},
        signer_cert=pki.signer,
        chain=[pki.issuing, pki.root],
        sign=_signer_callback(pki.signer_key, calls),
        signed_at=SIGNED_AT,
        location="某市",
    )


@pytest.fixture(scope="module")
def signed(pdf: bytes, pki: Pki) -> bytes:
    return _sign(pdf, pki)


def _inspect(data: bytes, pki: Pki, **kwargs) -> PadesReport:
    return inspect_pdf(data, roots=[pki.root], **kwargs)


def _flip(data: bytes, at: int) -> bytes:
    """Change the one byte at `at` to a different byte of the same kind (a digit stays a digit)."""
    old = data[at : at + 1]
    if old.isdigit():
        new = b"7" if old != b"7" else b"3"
    elif old in b"abcdefABCDEF" and old:
        new = b"0"
    else:
        new = bytes([data[at] ^ 0x01])
    return data[:at] + new + data[at + 1 :]


def _assert_rejected(report: PadesReport) -> None:
    assert not report.ok
    assert report.problem
    assert any("\u4e00" <= ch <= "\u9fff" for ch in report.problem)


def test_signed_licence_verifies_and_gives_back_its_data(pdf: bytes, pki: Pki) -> None:
    calls: list[bytes] = []
    signed = _sign(pdf, pki, calls)

    report = _inspect(signed, pki, intermediates=[pki.issuing])

    assert report.ok, report.problem
    assert (report.intact, report.signature_valid, report.covers_whole_file, report.chain_ok) == (True,) * 4
    assert report.problem == "" and report.chain_problem == ""
    assert report.attachments == {"licence.json": LICENCE_JSON, "seal-signature.der": SEAL_SIGNATURE}
    assert report.signer_cert == pki.signer
    assert report.signed_at == SIGNED_AT
    # The key store is asked once, not also for pyhanko's size estimate, to sign the CMS signed attributes.
    assert len(calls) == 1
    sig = PdfFileReader(BytesIO(signed)).root["/AcroForm"]["/Fields"][0].get_object()["/V"]
    signer_info = cms.ContentInfo.load(sig["/Contents"])["content"]["signer_infos"][0]
    assert calls[0] == signer_info["signed_attrs"].untag().dump()
    # Attachments and signature are one incremental update, so the signature covers the attachments.
    before = PdfFileReader(BytesIO(pdf)).xrefs.total_revisions
    assert PdfFileReader(BytesIO(signed)).xrefs.total_revisions == before + 1


def test_chain_found_from_the_signature_alone(signed: bytes, pki: Pki) -> None:
    assert _inspect(signed, pki).ok


def test_attachments_carry_mime_type_and_description_and_field_is_invisible(signed: bytes) -> None:
    reader = PdfFileReader(BytesIO(signed))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    specs = {str(names[i]): names[i + 1].get_object() for i in range(0, len(names), 2)}
    assert list(specs) == ["licence.json", "seal-signature.der"]
    assert specs["licence.json"]["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"
    assert specs["seal-signature.der"]["/EF"]["/F"].get_object()["/Subtype"] == "/application/octet-stream"
    assert all(spec["/Desc"] for spec in specs.values())
    field = reader.root["/AcroForm"]["/Fields"][0].get_object()
    assert field["/T"] == "LicenceSeal"
    assert [float(x) for x in field["/Rect"]] == [0, 0, 0, 0]


def test_cms_is_pades_baseline_b_with_ecdsa_sha256(signed: bytes, pki: Pki) -> None:
    reader = PdfFileReader(BytesIO(signed))
    sig = reader.root["/AcroForm"]["/Fields"][0].get_object()["/V"]
    assert sig["/SubFilter"] == "/ETSI.CAdES.detached"
    signed_data = cms.ContentInfo.load(sig["/Contents"])["content"]
    signer_info = signed_data["signer_infos"][0]

    assert signer_info["digest_algorithm"]["algorithm"].native == "sha256"
    assert signer_info["signature_algorithm"]["algorithm"].dotted == "1.2.840.10045.4.3.2"  # ecdsa-with-SHA256
    attrs = {attr["type"].native: attr["values"][0] for attr in signer_info["signed_attrs"]}
    assert "signing_time" not in attrs  # PAdES puts the claimed time in /M instead
    cert_ids = attrs["signing_certificate_v2"]["certs"]
    assert cert_ids[0]["hash_algorithm"]["algorithm"].native == "sha256"
    assert cert_ids[0]["cert_hash"].native == hashlib.sha256(pki.signer).digest()


def test_byte_changed_in_page_content_is_detected(signed: bytes, pki: Pki) -> None:
    at = signed.index(LICENCE_NO) + 5
    report = _inspect(_flip(signed, at), pki)
    _assert_rejected(report)
    assert not report.intact
    assert report.problem == "文件在签名后被修改。"
    assert report.attachments == {}


def test_byte_changed_in_embedded_licence_data_is_detected(signed: bytes, pki: Pki) -> None:
    reader = PdfFileReader(BytesIO(signed))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    encoded = names[1].get_object()["/EF"]["/F"].get_object().encoded_data
    assert signed.count(encoded) == 1
    at = signed.index(encoded) + len(encoded) // 2
    report = _inspect(_flip(signed, at), pki)
    _assert_rejected(report)
    assert not report.intact
    assert report.attachments == {}


@pytest.mark.parametrize(
    "where", ["outer-length", "certificates", "signer-info", "signature-value", "padding", "hex-case"]
)
def test_byte_changed_in_signature_contents_is_detected(signed: bytes, pki: Pki, where: str) -> None:
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    end = signed.index(b">", start)
    der_hex_end = start + len(signed[start:end].rstrip(b"0"))
    at = {
        "outer-length": start + 5,  # 30 82 LL LL: a longer CMS would swallow some of the zero padding
        "certificates": start + (der_hex_end - start) // 4,
        "signer-info": der_hex_end - 400,
        "signature-value": der_hex_end - 10,
        "padding": end - 3,
    }.get(where)
    if at is not None:
        tampered = _flip(signed, at)
    else:
        at = next(i for i in range(start, end) if signed[i : i + 1] in b"ABCDEF")
        tampered = signed[:at] + signed[at : at + 1].lower() + signed[at + 1 :]
    assert len(tampered) == len(signed) and tampered != signed
    _assert_rejected(_inspect(tampered, pki))


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda signed, pdf: signed[: len(signed) // 2], None),
        (lambda signed, pdf: random.Random(5).randbytes(30_000), "文件不是有效的 PDF。"),
        (lambda signed, pdf: b"", "文件不是有效的 PDF。"),
        (lambda signed, pdf: b"%PDF-1.7\n", "文件不是有效的 PDF。"),
        (lambda signed, pdf: pdf, "文件中没有电子签名。"),
    ],
    ids=["truncated", "random", "empty", "header-only", "unsigned"],
)
def test_broken_or_unsigned_files_are_reported_not_raised(signed: bytes, pdf: bytes, pki: Pki, make, problem) -> None:
    report = _inspect(make(signed, pdf), pki)
    _assert_rejected(report)
    assert (report.intact, report.signature_valid, report.covers_whole_file, report.chain_ok) == (False,) * 4
    if problem:
        assert report.problem == problem


def test_update_appended_after_signing_is_not_covered(signed: bytes, pki: Pki) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    writer.root["/Lang"] = generic.TextStringObject("zh-CN")
    writer.update_root()
    out = BytesIO()
    writer.write(out)

    report = _inspect(out.getvalue(), pki)

    _assert_rejected(report)
    assert report.intact and report.signature_valid
    assert not report.covers_whole_file
    # What was signed is still what comes back, not what the update added.
    assert report.attachments["licence.json"] == LICENCE_JSON


def test_second_signature_is_rejected(signed: bytes, pki: Pki) -> None:
    twice = sign_pdf(
        signed,
        attachments={},
        signer_cert=pki.signer,
        chain=[pki.issuing, pki.root],
        sign=_signer_callback(pki.signer_key),
        signed_at=SIGNED_AT + timedelta(days=1),
        field_name="Second",
    )
    report = _inspect(twice, pki)
    _assert_rejected(report)
    assert report.problem == "文件中有多个电子签名，不是平台签发的证照原件。"


def test_signature_from_another_ca_is_untrusted(signed: bytes, pki: Pki) -> None:
    other = _make_pki("另一个根CA", signer_not_after=datetime(2040, 1, 1, tzinfo=UTC))
    report = inspect_pdf(signed, roots=[other.root])
    _assert_rejected(report)
    assert report.intact and report.signature_valid and report.covers_whole_file
    assert not report.chain_ok
    assert report.chain_problem and report.problem == report.chain_problem


def test_expired_signer_certificate_fails_the_chain_at_a_later_moment(pdf: bytes) -> None:
    short = _make_pki("通办测试根CA", signer_not_after=datetime(2025, 6, 30, tzinfo=UTC))
    signed = _sign(pdf, short)

    assert inspect_pdf(signed, roots=[short.root], at=datetime(2025, 3, 2, tzinfo=UTC)).ok
    report = inspect_pdf(signed, roots=[short.root], at=datetime(2026, 1, 1, tzinfo=UTC))
    _assert_rejected(report)
    assert report.intact and report.signature_valid
    assert not report.chain_ok
    assert report.chain_problem == "签名证书在验证时间不在有效期内（已过期或尚未生效）。"


def test_signing_time_must_carry_a_time_zone(pdf: bytes, pki: Pki) -> None:
    with pytest.raises(ValueError):
        sign_pdf(
            pdf,
            attachments={},
            signer_cert=pki.signer,
            chain=[pki.issuing, pki.root],
            sign=_signer_callback(pki.signer_key),
            signed_at=SIGNED_AT.replace(tzinfo=None),
        )


def test_signature_by_a_key_that_does_not_match_the_certificate_is_invalid(pdf: bytes, pki: Pki) -> None:
    wrong = sign_pdf(
        pdf,
        attachments={"licence.json": LICENCE_JSON},
        signer_cert=pki.signer,
        chain=[pki.issuing, pki.root],
        sign=_signer_callback(pki.issuing_key),
        signed_at=SIGNED_AT,
    )
    report = _inspect(wrong, pki)
    _assert_rejected(report)
    assert report.intact and not report.signature_valid
    assert report.attachments == {}
