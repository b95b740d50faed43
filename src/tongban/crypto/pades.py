"""PAdES signatures on electronic licences (电子证照): sign with a department's key, inspect on receipt.

The PDF carries one PAdES baseline B-B signature (ECDSA P-256 / SHA-256) made by the issuing department's
certificate. The licence's canonical data and its GB/T 38540 SM2 seal signature travel as embedded files
written in the same incremental update as the signature, so the PAdES signature covers them: pyhanko cannot
produce SM2 signatures, and this way the SM2 seal is still bound to the very bytes the department signed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any, TypeVar

from asn1crypto import algos, cms, x509
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, Signer
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation import EmbeddedPdfSignature, SignatureCoverageLevel, async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

SignFn = Callable[[bytes], bytes]
"""Signs the DER of the CMS signed attributes with ECDSA-SHA256 (the callback hashes); returns the DER signature."""

# Longest DER ECDSA P-256 signature: SEQUENCE { INTEGER (33 bytes), INTEGER (33 bytes) }.
_ECDSA_P256_MAX_SIG = 72

_ATTACHMENT_DESCRIPTIONS = {
    "licence.json": "电子证照数据",
    "seal-signature.der": "电子印章签名（GB/T 38540 SES_Signature）",
}

# A department certificate may assert either usage for document signing; pyhanko's default demands
# nonRepudiation alone, which would reject certificates that only carry digitalSignature.
_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)

NOT_PDF = "文件不是有效的 PDF。"
NO_SIGNATURE = "文件中没有电子签名。"
MANY_SIGNATURES = "文件中有多个电子签名，不是平台签发的证照原件。"
DAMAGED_SIGNATURE = "文件中的电子签名数据已损坏。"
MODIFIED = "文件在签名后被修改。"
BAD_SIGNATURE = "电子签名无效：签名值与签名证书不符。"
APPENDED = "文件在签名后又被追加了内容，请使用签发时的原件。"
CHAIN_NOT_CHECKED = "电子签名无效，未校验签名证书。"
UNREADABLE_ATTACHMENTS = "文件中的证照附件无法读取。"


@dataclass
class PadesReport:
    """What inspecting a signed licence PDF found; `ok` only when every check passed."""

    intact: bool = False
    signature_valid: bool = False
    covers_whole_file: bool = False
    chain_ok: bool = False
    chain_problem: str = ""
    signer_cert: bytes | None = None
    signed_at: datetime | None = None
    attachments: dict[str, bytes] = field(default_factory=dict)
    problem: str = ""

    @property
    def ok(self) -> bool:
        """True when the file is exactly as signed, by a trusted, valid certificate."""
        return self.intact and self.signature_valid and self.covers_whole_file and self.chain_ok


class _CallbackSigner(Signer):
    """A pyhanko signer whose raw ECDSA signature comes from the platform's key store through a callback."""

    def __init__(self, *, signer_cert: x509.Certificate, chain: Sequence[x509.Certificate], sign: SignFn) -> None:
        super().__init__(
            signing_cert=signer_cert,
            cert_registry=SimpleCertificateStore.from_certs(chain),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
        )
        self._sign = sign

    def signer_info(self, digest_algorithm: str, signed_attrs: Any, signature: bytes) -> cms.SignerInfo:
        """pyhanko's SignerInfo, as a value that asn1crypto does not needlessly re-encode."""
        info = super().signer_info(digest_algorithm, signed_attrs, signature)
        return _SignerInfo.load(info.dump())

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        """Return the key store's signature of `data`, or a placeholder of the maximal size on a dry run."""
        if digest_algorithm != "sha256":
            raise SigningError(f"unsupported digest {digest_algorithm}")
        if dry_run:
            # pyhanko sizes the /Contents placeholder with a dry run; that must not cost a key store call.
            return bytes(_ECDSA_P256_MAX_SIG)
        return self._sign(data)


class _SignerInfo(cms.SignerInfo):
    """A SignerInfo whose DER, once known, is reused as long as nothing in it changes."""

    def dump(self, force: bool = False) -> bytes:
        """The cached DER unless re-encoding is asked for or needed."""
        # asn1crypto takes any header ending in 0x80 for BER's indefinite length (asn1crypto issue #249), so a
        # SignerInfo of 384 bytes (30 82 01 80) is re-encoded, attributes and all, every time pyhanko nests or
        # copies it while building the CMS: ~25 ms more for those signatures.
        if force or self._header is None or self._is_mutated():
            return super().dump(force)
        return self._header + self.contents + self._trailer


T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run pyhanko's coroutine to the end from synchronous code, even on a thread with a running loop.

    asyncio.run refuses a thread whose event loop is running (an async route, a test harness that
    keeps a browser's loop on the main thread); then the coroutine gets a loop of its own on a
    short-lived worker thread. The usual case — a worker thread of the web server — runs inline.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def sign_pdf(
    pdf: bytes,
    *,
    attachments: dict[str, bytes],
    signer_cert: bytes,
    chain: list[bytes],
    sign: SignFn,
    signed_at: datetime,
    reason: str = "电子证照签发",
    location: str = "",
    field_name: str = "LicenceSeal",
    contact: str = "",
) -> bytes:
    """Embed `attachments` and add an invisible PAdES B-B signature over them in one incremental update."""
    return _run(
        async_sign_pdf(
            pdf,
            attachments=attachments,
            signer_cert=signer_cert,
            chain=chain,
            sign=sign,
            signed_at=signed_at,
            reason=reason,
            location=location,
            field_name=field_name,
            contact=contact,
        )
    )


async def async_sign_pdf(
    pdf: bytes,
    *,
    attachments: dict[str, bytes],
    signer_cert: bytes,
    chain: list[bytes],
    sign: SignFn,
    signed_at: datetime,
    reason: str = "电子证照签发",
    location: str = "",
    field_name: str = "LicenceSeal",
    contact: str = "",
) -> bytes:
    """`sign_pdf` for callers already inside an event loop (pyhanko's sync API calls asyncio.run)."""
    return await _sign(
        pdf,
        attachments=attachments,
        signer_cert=signer_cert,
        chain=chain,
        sign=sign,
        signed_at=signed_at,
        meta=PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            reason=reason or None,
            location=location or None,
            contact_info=contact or None,
            subfilter=SigSeedSubFilter.PADES,
        ),
        timestamper=None,
    )


async def _sign(
    pdf: bytes,
    *,
    attachments: dict[str, bytes],
    signer_cert: bytes,
    chain: list[bytes],
    sign: SignFn,
    signed_at: datetime,
    meta: PdfSignatureMetadata,
    timestamper: TimeStamper | None,
) -> bytes:
    """Do the signing; a `timestamper` (e.g. pyhanko's HTTPTimeStamper on a TSA URL) would make it PAdES B-T."""
    if signed_at.tzinfo is None:
        raise ValueError("signed_at must be timezone-aware")
    cert = x509.Certificate.load(signer_cert)
    public_key = cert.public_key
    if public_key.algorithm != "ec" or public_key.curve[1] != "secp256r1":
        raise ValueError("the signer certificate must carry an ECDSA P-256 key")
    signer = _CallbackSigner(signer_cert=cert, chain=[x509.Certificate.load(c) for c in chain], sign=sign)

    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    existing = {name for name, _ in _iter_file_specs(writer.root)}
    clashes = existing.intersection(attachments)
    if clashes:
        raise ValueError(f"the PDF already has embedded files named {sorted(clashes)}")
    # pyhanko appends to the flat /EmbeddedFiles name tree without sorting, and readers may binary-search it.
    for name in sorted(attachments):
        data = attachments[name]
        stream = embed.EmbeddedFileObject.from_file_data(
            writer,
            data=data,
            mime_type="application/json" if name.endswith(".json") else "application/octet-stream",
            params=embed.EmbeddedFileParams(creation_date=signed_at, modification_date=signed_at),
        )
        spec = embed.FileSpec(
            file_spec_string=name,
            file_name=name,
            embedded_data=stream,
            description=_ATTACHMENT_DESCRIPTIONS.get(name, name),
        )
        embed.embed_file(writer, spec)

    pdf_signer = PdfSigner(
        meta, signer, timestamper=timestamper, new_field_spec=SigFieldSpec(sig_field_name=meta.field_name or "")
    )
    # The steps of PdfSigner.async_sign_pdf, spelled out because that method offers no way to set the
    # signing time (written to /M; PAdES forbids the CMS signing-time attribute), which the licence fixes.
    session = pdf_signer.init_signing_session(writer)
    session.system_time = signed_at
    if timestamper is None:
        # Sized from the certificates instead of pyhanko's dry-run CMS, which costs as much as the real one:
        # the issuer's name appears twice in the SignerInfo, the rest is under 400 bytes; hex doubles it all.
        reserved = 2 * (len(signer_cert) + sum(len(c) for c in chain) + 2 * len(cert.issuer.dump()) + 512)
    else:
        reserved = await session.estimate_signature_container_size(None, tight=meta.tight_size_estimates)
    tbs = session.prepare_tbs_document(validation_info=None, bytes_reserved=reserved)
    buffer = BytesIO()
    digest, output = tbs.digest_tbs_document(in_place=False, output=buffer)
    post = await tbs.perform_signature(
        document_digest=digest.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=signed_at),
    )
    await post.post_signature_processing(output)
    return buffer.getvalue()


def inspect_pdf(
    pdf: bytes,
    *,
    roots: list[bytes],
    intermediates: Sequence[bytes] = (),
    at: datetime | None = None,
) -> PadesReport:
    """Check the one signature of a licence PDF, its coverage and chain at `at` (default now); never raises."""
    return _run(async_inspect_pdf(pdf, roots=roots, intermediates=intermediates, at=at))


async def async_inspect_pdf(
    pdf: bytes,
    *,
    roots: list[bytes],
    intermediates: Sequence[bytes] = (),
    at: datetime | None = None,
) -> PadesReport:
    """`inspect_pdf` for callers already inside an event loop."""
    # Trust roots are platform configuration, so a broken one should fail loudly rather than as a report.
    trust_roots = [x509.Certificate.load(r) for r in roots]
    others = [x509.Certificate.load(c) for c in intermediates]
    if at is not None and at.tzinfo is None:
        raise ValueError("at must be timezone-aware")

    try:
        reader = PdfFileReader(BytesIO(pdf))
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception:
        return PadesReport(problem=NOT_PDF)
    if not fields:
        return PadesReport(problem=NO_SIGNATURE)
    if len(fields) > 1:
        return PadesReport(problem=MANY_SIGNATURES)
    name, _, sig_field = fields[0]

    try:
        emb = EmbeddedPdfSignature(reader, sig_field, name)
        report = PadesReport(signer_cert=emb.signer_cert.dump(), signed_at=emb.self_reported_timestamp)
        # Built per call: pyhanko fills its registries and caches while validating.
        context = ValidationContext(
            trust_roots=trust_roots,  # always a list: None would silently fall back to the OS trust store
            other_certs=[*others, *emb.other_embedded_certs],
            moment=at,
            allow_fetching=False,
            # Revocation of licences and seals is decided by the platform's database, not by CRLs or OCSP,
            # and this network is closed: "soft-fail" uses revocation data only if some is at hand.
            revocation_mode="soft-fail",
        )
    except Exception:
        return PadesReport(problem=DAMAGED_SIGNATURE)

    try:
        status = await async_validate_pdf_signature(
            emb, signer_validation_context=context, key_usage_settings=_KEY_USAGE, skip_diff=True
        )
        chain_ok, chain_problem = _chain_verdict(status)
        path = status.validation_path
        path_certs = {c.dump() for c in path.iter_certs(include_root=True)} if chain_ok and path else None
        as_issued = _unsigned_bytes_as_issued(pdf, emb, path_certs)
    except SignatureValidationError:
        report.problem, report.chain_problem = BAD_SIGNATURE, CHAIN_NOT_CHECKED
        return report
    except Exception:
        report.problem, report.chain_problem = DAMAGED_SIGNATURE, CHAIN_NOT_CHECKED
        return report

    report.intact = status.intact and as_issued
    report.signature_valid = status.valid
    report.chain_ok, report.chain_problem = chain_ok, chain_problem
    # ENTIRE_REVISION would allow later incremental updates that pyhanko deems harmless; a licence allows none.
    report.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if report.intact and report.signature_valid:
        try:
            # Read from the signed revision, so anything appended later cannot pose as the signed data.
            historical = reader.get_historical_resolver(emb.signed_revision)
            report.attachments = {n: _file_data(spec) for n, spec in _iter_file_specs(historical.root)}
        except Exception:
            # Signed, yet unreadable: not a file the platform issued, so nothing in it may be trusted.
            report.intact = False
            report.problem = UNREADABLE_ATTACHMENTS
            return report

    if not report.intact:
        report.problem = MODIFIED
    elif not report.signature_valid:
        report.problem = BAD_SIGNATURE
    elif not report.covers_whole_file:
        report.problem = APPENDED
    else:
        report.problem = report.chain_problem
    return report


def _unsigned_bytes_as_issued(pdf: bytes, emb: EmbeddedPdfSignature, path_certs: set[bytes] | None) -> bool:
    """Whether the bytes the signature cannot cover, the /Contents hex string, are exactly as the signer wrote them."""
    # /Contents holds the CMS, whose certificates, versions, algorithm parameters and unsigned attributes
    # no signature covers, padded with zeros; pyhanko reads it leniently (lazy parsing, junk after the DER
    # ignored). A licence is a legal record, so any changed byte must show, hence the checks below.
    byte_range = [int(n) for n in emb.byte_range]
    if len(byte_range) != 4 or byte_range[0] != 0:
        return False
    _, end1, start2, _ = byte_range
    contents = emb.pkcs7_content
    # Either case throughout: pyhanko writes upper case hex, other tools lower case; a flipped digit shows.
    hex_digits = contents.hex().encode()
    if pdf[end1:start2] not in (b"<" + hex_digits.upper() + b">", b"<" + hex_digits + b">"):
        return False
    der_end = _der_end(contents)
    if der_end is None or any(contents[der_end:]):
        return False
    if cms.ContentInfo.load(contents[:der_end])["content_type"].native != "signed_data":
        return False
    signed_data = emb.signed_data
    signer_infos = signed_data["signer_infos"]
    if signed_data["version"].native != "v1" or len(signer_infos) != 1:
        return False
    signer_info = signer_infos[0]
    # Unsigned attributes would fit in the padding; PAdES B-B has none (B-T would add a time-stamp token).
    if signer_info["version"].native != "v1" or signer_info["unsigned_attrs"].native is not None:
        return False
    if [a.dump() for a in signed_data["digest_algorithms"]] != [signer_info["digest_algorithm"].dump()]:
        return False
    # pyhanko finds the signer's certificate by comparing names the X.500 way, ignoring case and spacing.
    sid = signer_info["sid"].chosen
    cert = emb.signer_cert
    if sid["issuer"].dump() != cert["tbs_certificate"]["issuer"].dump() or sid["serial_number"].native != (
        cert.serial_number
    ):
        return False
    if path_certs is None:  # no trusted path: the chain check already fails the report
        return True
    return all(choice.chosen.dump() in path_certs for choice in signed_data["certificates"])


def _der_end(data: bytes, pos: int = 0, limit: int | None = None, depth: int = 0) -> int | None:
    """End of the DER value at `pos` if it and everything in it has definite, minimal lengths that nest exactly."""
    # asn1crypto would need a forced re-encoding to tell, which is slow (and exponential in the nesting of
    # some structures); walking the TLVs costs a fraction of a millisecond for a whole CMS.
    limit = len(data) if limit is None else limit
    # Tag 0 is BER's end-of-contents: zero padding swallowed by a lengthened outer value would read as such.
    if depth > 64 or pos + 2 > limit or data[pos] == 0:
        return None
    constructed = data[pos] & 0x20
    if data[pos] & 0x1F == 0x1F:  # high tag number form
        pos += 1
        while pos < limit and data[pos] & 0x80:
            pos += 1
    pos += 1
    if pos >= limit:
        return None
    first = data[pos]
    pos += 1
    if first < 0x80:
        length = first
    else:
        size = first & 0x7F  # 0 would be BER's indefinite length
        if not 0 < size <= 4 or pos + size > limit:
            return None
        length = int.from_bytes(data[pos : pos + size], "big")
        if length < 0x80 or length >> (8 * (size - 1)) == 0:
            return None
        pos += size
    end = pos + length
    if end > limit:
        return None
    while constructed and pos < end:
        child_end = _der_end(data, pos, end, depth + 1)
        if child_end is None:
            return None
        pos = child_end
    return end


def _chain_verdict(status: PdfSignatureStatus) -> tuple[bool, str]:
    """Turn pyhanko's AdES trust indication into (chain_ok, Chinese problem)."""
    if not status.valid:
        return False, CHAIN_NOT_CHECKED
    indication = status.trust_problem_indic
    if indication is None and status.validation_path is not None:
        return True, ""
    name = getattr(indication, "name", "")
    if name == "NO_CERTIFICATE_CHAIN_FOUND":
        return False, "签名证书不是由受信任的证书机构签发，请联系签发部门核实。"
    if name.startswith("OUT_OF_BOUNDS"):
        return False, "签名证书在验证时间不在有效期内（已过期或尚未生效）。"
    if name.startswith("REVOKED"):
        return False, "签名证书或其上级证书已被吊销。"
    if name == "CHAIN_CONSTRAINTS_FAILURE":
        return False, "签名证书不符合签名用途或证书约束。"
    if name.startswith("CRYPTO_CONSTRAINTS"):
        return False, "签名证书使用的算法已不被接受。"
    return False, "签名证书链校验失败，请联系签发部门核实。"


def _iter_file_specs(root: generic.DictionaryObject) -> Iterator[tuple[str, generic.DictionaryObject]]:
    """Yield (name, file specification) for each entry of the document's /EmbeddedFiles name tree."""
    try:
        tree = root["/Names"]["/EmbeddedFiles"]
    except KeyError:
        return
    yield from _walk_name_tree(tree, depth=0)


def _walk_name_tree(node: Any, depth: int) -> Iterator[tuple[str, generic.DictionaryObject]]:
    """Walk a name tree node; depth-limited because a crafted file can make /Kids loop."""
    if depth > 16:
        raise ValueError("name tree too deep")
    # DictionaryObject.get hands back indirect references unresolved; indexing resolves them.
    if "/Names" in node:
        names = node["/Names"]
        for i in range(0, len(names) - 1, 2):
            key = names[i]
            text = str(key) if isinstance(key, generic.TextStringObject) else bytes(key).decode("latin-1")
            yield text, names[i + 1].get_object()
    if "/Kids" in node:
        for kid in node["/Kids"]:
            yield from _walk_name_tree(kid.get_object(), depth + 1)


def _file_data(spec: generic.DictionaryObject) -> bytes:
    """The decoded bytes of an embedded file."""
    ef = spec["/EF"]
    stream = ef["/UF"] if "/UF" in ef else ef["/F"]
    return bytes(stream.data)
