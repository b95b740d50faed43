"""证照核验: tell a genuine, current licence from a forged, altered, revoked or expired one.

A licence PDF is checked in layers, each of which a forger would have to defeat:
1. the PAdES signature covers the whole file and chains to a trusted CA (ECDSA): any changed
   byte, or anything added after signing, shows here;
2. the embedded GB/T 38540 seal signature: SM3 of the embedded licence data equals its data
   hash, the SM2 signature verifies with the seal's certificate, the seal itself was made by a
   trusted maker and its certificate chains to a trusted SM2 CA;
3. the platform's register (online only): the licence exists with exactly this data, and its
   state and its seal's state today (revoked, suspended, superseded by a newer version, expired).
Offline (`tongban licence verify FILE`) does 1 and 2 with the CA certificates, and the dates.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from io import BytesIO

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.crypto import asn1, certs, pades, sm
from tongban.crypto.ca import Trust
from tongban.documents import verify as documents  # official notices (文书), sealed and verified alike
from tongban.identifiers import mask_name, mask_resident_id  # one masking rule, shared with the exchange
from tongban.licences.models import Licence, LicenceVersion
from tongban.seals.signing import ATTACHMENT_SEAL

OUTCOME_LABELS = {
    "valid": "有效",
    "altered": "已被篡改",
    "revoked": "已注销",
    "suspended": "已暂停",
    "expired": "已过期",
    "superseded": "已有新版本",
    "unknown": "无法确认",
    "not_a_licence": "不是本平台的电子证照",
}
NOT_A_LICENCE_HINT = "请向持证人索取本平台签发的证照 PDF 原件，或扫描证照上的二维码核验。"
# The files every licence PDF embeds in its signed revision (written by issuing, read here).
ATTACHMENT_DATA = "licence.json"
# Seconds spent in each layer of the last verification (read by bench/licences.py).
LAST_STEPS: dict[str, float] = {"pdf_signature": 0.0, "seal_signature": 0.0, "register": 0.0}


@dataclass
class Verdict:
    """The answer of a verification, safe to show to anyone (the holder's identity is masked)."""

    outcome: str
    reasons: list[str] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)
    identifier: str = ""
    type_name: str = ""
    number: str = ""
    issuer_name: str = ""
    issuer_code: str = ""
    holder: str = ""
    holder_code: str = ""
    issued_on: str = ""
    valid_from: str = ""
    valid_to: str = ""
    version: int | None = None
    seal_name: str = ""
    signed_at: str = ""
    offline: bool = False
    kind: str = "licence"  # licence / document (a sealed notice: type_name is its title, number its 文号)

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    def as_dict(self) -> dict[str, object]:
        return {"outcome": self.outcome, "label": self.label, "reasons": self.reasons, "checks": self.checks,
                "identifier": self.identifier, "type_name": self.type_name, "number": self.number,
                "issuer_name": self.issuer_name, "issuer_code": self.issuer_code, "holder": self.holder,
                "holder_code": self.holder_code, "issued_on": self.issued_on, "valid_from": self.valid_from,
                "valid_to": self.valid_to, "version": self.version, "seal_name": self.seal_name,
                "signed_at": self.signed_at, "offline": self.offline, "kind": self.kind}


def _holder(verdict: Verdict, name: str, code: str, code_type: str) -> None:
    # A person's identity is personal data; an enterprise's name and credit code are public
    # (企业信用信息公示), so only the former is masked.
    if code_type == "resident_id":
        verdict.holder, verdict.holder_code = mask_name(name), mask_resident_id(code)
    else:
        verdict.holder, verdict.holder_code = name, code


def _fill_from_data(verdict: Verdict, doc: dict[str, object]) -> None:
    def part(key: str, sub: str) -> str:
        value = doc.get(key)
        return str(value.get(sub, "")) if isinstance(value, dict) else ""

    verdict.identifier = str(doc.get("identifier", ""))
    verdict.type_name = part("type", "name")
    verdict.number = str(doc.get("number", ""))
    verdict.issuer_name, verdict.issuer_code = part("issuer", "name"), part("issuer", "code")
    _holder(verdict, part("holder", "name"), part("holder", "code"), part("holder", "code_type"))
    verdict.issued_on = str(doc.get("issued_on", ""))
    verdict.valid_from = str(doc.get("valid_from", ""))
    verdict.valid_to = str(doc.get("valid_to") or "")
    version = doc.get("version")
    verdict.version = version if isinstance(version, int) else None


def check_document(pdf: bytes, *, ecdsa: Trust, sm2: Trust, at: dt.datetime) -> tuple[Verdict, dict[str, object]]:
    """Layers 1 and 2 (no database): the verdict so far and the signed licence data."""
    verdict = Verdict(outcome="valid")
    started = time.perf_counter()
    report = pades.inspect_pdf(pdf, roots=ecdsa.roots, intermediates=ecdsa.intermediates, at=at)
    LAST_STEPS["pdf_signature"] = time.perf_counter() - started
    LAST_STEPS["seal_signature"] = 0.0
    verdict.checks["pdf_signature"] = report.intact and report.signature_valid and report.covers_whole_file
    verdict.checks["pdf_certificate"] = report.chain_ok
    if report.signed_at is not None:
        verdict.signed_at = report.signed_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    if not verdict.checks["pdf_signature"]:
        # "Altered" is a claim about a licence of this platform: a file that carries none of a licence's
        # parts (any PDF, signed by others or not at all, or no PDF) is not one, and is told so.
        if not _claims_licence(pdf):
            return _not_a_licence(verdict, pdf), {}
        verdict.outcome = "altered"
        verdict.reasons.append(report.problem or "PDF 签名校验未通过：文件在签发后被修改。")
        return verdict, {}
    data = report.attachments.get(ATTACHMENT_DATA)
    if data is None and documents.ATTACHMENT_DATA in report.attachments:
        data, verdict.kind = report.attachments[documents.ATTACHMENT_DATA], "document"
    ses = report.attachments.get(ATTACHMENT_SEAL)
    if data is None and ses is None:
        return _not_a_licence(verdict, pdf), {}
    if not report.chain_ok:
        verdict.outcome = "unknown"
        verdict.reasons.append("PDF 签名证书不是本平台信任的机构签发的：" + (report.chain_problem or ""))
        return verdict, {}
    if data is None or ses is None:
        verdict.outcome = "unknown"
        verdict.reasons.append("文件中没有电子证照数据或电子印章签名，不是本平台签发的电子证照。")
        return verdict, {}
    try:
        doc = orjson.loads(data)
        signature = asn1.parse_signature(ses)
    except (orjson.JSONDecodeError, asn1.SealFormatError):
        verdict.outcome = "altered"
        verdict.reasons.append("电子证照数据或电子印章签名的格式已损坏。")
        return verdict, {}
    if not isinstance(doc, dict):
        verdict.outcome = "altered"
        verdict.reasons.append("电子证照数据的格式已损坏。")
        return verdict, {}
    if verdict.kind == "document":
        for key, value in documents.describe(doc).items():
            setattr(verdict, key, value)
    else:
        _fill_from_data(verdict, doc)
    started = time.perf_counter()
    _check_seal_signature(verdict, data, signature, sm2, at)
    LAST_STEPS["seal_signature"] = time.perf_counter() - started
    return verdict, doc


def _claims_licence(pdf: bytes) -> bool:
    """Whether the file carries a part of a licence of this platform (its embedded data or seal signature),
    read from its structure, or — when that no longer parses — from its bytes, as PDF writes the names."""
    names = (ATTACHMENT_DATA, documents.ATTACHMENT_DATA, ATTACHMENT_SEAL)
    if pdf.startswith(b"%PDF"):
        try:
            from pyhanko.pdf_utils.reader import PdfFileReader

            found = {name for name, _ in pades._iter_file_specs(PdfFileReader(BytesIO(pdf)).root)}
            if found & set(names):
                return True
        except Exception:  # a damaged file: fall back to its bytes  # noqa: S110
            pass
    # Names as written in a PDF string: plain, or with "." and "-" escaped in octal (\056, \055).
    spelled = {n.encode() for n in names} | {n.replace(".", "\\056").replace("-", "\\055").encode() for n in names}
    return any(s in pdf for s in spelled)


def _not_a_licence(verdict: Verdict, pdf: bytes) -> Verdict:
    """不是本平台的电子证照: neither altered nor of unknown origin, just not a licence of this platform."""
    if not pdf.startswith(b"%PDF"):
        reason = "文件不是 PDF 文件，不是本平台签发的电子证照。"
    else:
        reason = "文件中没有本平台电子证照的签章和证照数据，不是本平台签发的电子证照。"
    return Verdict(outcome="not_a_licence", reasons=[reason, NOT_A_LICENCE_HINT], checks=verdict.checks)


def _check_seal_signature(verdict: Verdict, data: bytes, signature: asn1.ParsedSignature, sm2: Trust,
                          at: dt.datetime) -> None:
    seal = signature.seal
    verdict.seal_name = seal.name
    hash_ok = signature.data_hash == sm.sm3(data)
    try:
        signer = certs.load_certificate(signature.cert)
        maker = certs.load_certificate(seal.maker_cert)
    except certs.CertificateError:
        verdict.checks["seal_signature"] = False
        verdict.outcome = "altered"
        verdict.reasons.append("电子印章签名中的证书已损坏。")
        return
    # GB/T 38540 implementations differ on what is signed: the SEQUENCE of the structure, its
    # certificate and algorithm (what the platform signs), or the inner structure alone (what some
    # vendors sign). Either is accepted, so seals of other signing systems verify too.
    sig_ok = signer.algorithm == "sm2" and any(sm.sm2_verify(signer.public_key, tbs, signature.signed_value)
                                               for tbs in (signature.tbs, signature.tbs_inner))
    seal_ok = maker.algorithm == "sm2" and any(sm.sm2_verify(maker.public_key, tbs, seal.signed_value)
                                               for tbs in (seal.tbs, seal.tbs_inner))
    in_seal = signature.cert in seal.cert_list
    verdict.checks["seal_signature"] = hash_ok and sig_ok and seal_ok and in_seal
    if not verdict.checks["seal_signature"]:
        verdict.outcome = "altered"
        verdict.reasons.append("电子印章签名校验未通过：证照数据与签章时不一致，或印章数据被改动。")
        return
    signer_chain = certs.verify_chain(signature.cert, sm2.intermediates, sm2.roots, signature.signed_at)
    maker_chain = certs.verify_chain(seal.maker_cert, sm2.intermediates, sm2.roots, signature.signed_at)
    verdict.checks["seal_certificate"] = signer_chain.ok and maker_chain.ok
    if not verdict.checks["seal_certificate"]:
        verdict.outcome = "unknown"
        verdict.reasons.append("电子印章证书不是本平台信任的机构签发的：" + (signer_chain.reason or maker_chain.reason))
        return
    if not seal.valid_start <= signature.signed_at <= seal.valid_end:
        verdict.outcome = "unknown"
        verdict.reasons.append("签章时间不在电子印章的有效期内。")


def _dates_outcome(verdict: Verdict, today: dt.date) -> None:
    if verdict.outcome == "valid" and verdict.valid_to and verdict.valid_to < today.isoformat():
        verdict.outcome = "expired"
        verdict.reasons.append(f"证照有效期至 {verdict.valid_to}，已过期。")


def verify_offline(pdf: bytes, *, ecdsa: Trust, sm2: Trust, now: dt.datetime, today: dt.date) -> Verdict:
    """Without the platform's register: signatures, certificates and dates only."""
    verdict, _ = check_document(pdf, ecdsa=ecdsa, sm2=sm2, at=now)
    verdict.offline = True
    _dates_outcome(verdict, today)
    if verdict.outcome == "valid":
        verdict.reasons.append("离线核验：签名和证书有效；注销、暂停等状态请联网核验。")
    return verdict


def verify_online(session: Session, pdf: bytes, *, ecdsa: Trust, sm2: Trust, now: dt.datetime,
                  today: dt.date) -> Verdict:
    """Signatures and certificates, then the register's state of the licence and its seal."""
    verdict, doc = check_document(pdf, ecdsa=ecdsa, sm2=sm2, at=now)
    if verdict.outcome != "valid":
        return verdict
    started = time.perf_counter()
    try:
        _check_register(session, verdict, doc, today)
    finally:
        LAST_STEPS["register"] = time.perf_counter() - started
    return verdict


def _version(session: Session, identifier: str) -> LicenceVersion | None:
    return session.execute(select(LicenceVersion).where(LicenceVersion.identifier == identifier)
                           ).scalar_one_or_none()


def _check_register(session: Session, verdict: Verdict, doc: dict[str, object], today: dt.date) -> None:
    if verdict.kind == "document":
        outcome, reason, verdict.checks["registered"] = documents.register_state(session, doc)
        if outcome != "valid":
            verdict.outcome = outcome
            verdict.reasons.append(reason)
        return
    version = _version(session, verdict.identifier)
    if version is None:
        verdict.outcome = "unknown"
        verdict.reasons.append("本平台没有签发过该证照。")
        verdict.checks["registered"] = False
        return
    verdict.checks["registered"] = bytes(version.canonical) == orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)
    if not verdict.checks["registered"]:
        verdict.outcome = "altered"
        verdict.reasons.append("证照数据与平台登记的不一致。")
        return
    licence = session.get(Licence, version.licence_id)
    assert licence is not None
    state_of(verdict, licence, version.version, today)


def _because(reason: str) -> str:
    return f"：{reason}" if reason else "。"


def state_of(verdict: Verdict, licence: Licence, version: int, today: dt.date) -> None:
    """The register's verdict on a licence version: its own state, then its seal's."""
    seal = licence.seal
    if licence.status == "revoked":
        verdict.outcome = "revoked"
        verdict.reasons.append("颁证机构已注销该证照" + _because(licence.status_reason))
    elif licence.status == "suspended":
        verdict.outcome = "suspended"
        verdict.reasons.append("颁证机构已暂停该证照" + _because(licence.status_reason))
    elif version < licence.version:
        verdict.outcome = "superseded"
        verdict.reasons.append(f"该证照已加注更新为第 {licence.version} 版，此文件为第 {version} 版，请使用最新版本。")
    elif seal.status == "revoked":
        verdict.outcome = "revoked"
        verdict.reasons.append(f"签章所用的电子印章“{seal.name}”已注销，证照签章不再可信。")
    elif seal.status == "suspended":
        verdict.outcome = "suspended"
        verdict.reasons.append(f"签章所用的电子印章“{seal.name}”已暂停使用。")
    elif licence.status_on(today) == "expired":
        verdict.outcome = "expired"
        verdict.reasons.append(f"证照有效期至 {licence.valid_to}，已过期。")


def verify_identifier(session: Session, identifier: str, *, today: dt.date) -> Verdict:
    """The QR link: the register's state of the licence named by its identifier (no file to check)."""
    version = _version(session, identifier)
    if version is None:
        return Verdict(outcome="unknown", reasons=["本平台没有签发过该证照标识。"], identifier=identifier,
                       checks={"registered": False})
    verdict = Verdict(outcome="valid", checks={"registered": True})
    _fill_from_data(verdict, orjson.loads(version.canonical))
    licence = session.get(Licence, version.licence_id)
    assert licence is not None
    # The seal that signed this version: the current seal unless an annotation re-signed with another.
    seal = licence.seal
    verdict.seal_name = f"{seal.department.name}{seal.name}" if version.version == licence.version else ""
    verdict.signed_at = (version.created_at + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    state_of(verdict, licence, version.version, today)
    if verdict.outcome == "valid":
        verdict.reasons.append("平台登记的证照有效。请核对所持证照上的信息与本页一致，或上传 PDF 文件核验签名。")
    return verdict
