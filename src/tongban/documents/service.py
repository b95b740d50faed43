"""签发文书: issue and revoke a department's official documents (受理通知书, 不予受理决定书, 补正材料通知书,
准予 / 不予行政许可决定书), numbered, rendered, sealed with the department's e-seal like a licence, stored.

`issue` is one use-case: the actor's right to issue for the department, the kind's fields, the seal, the
文号 (one counter per department, kind and year: a rolled-back issue gives its number back), the canonical
`document.json` and its GB/T 38540 seal signature, the PDF (render.py) signed PAdES with both embedded
(seals/signing.py, the same signing as licences), the file in the store, the row and the audit entries.
It never commits: called inside the owning domain's use-case (accepting a case) it commits or vanishes with
it; the PDF already written stays unreferenced then and is swept (tongban.files).
"""

from __future__ import annotations

import orjson
from sqlalchemy.orm import Session

from tongban import clock, files, numbering
from tongban.audit.service import record
from tongban.authz import Actor, Permission
from tongban.crypto import sm
from tongban.db import utcnow
from tongban.documents import kinds, render
from tongban.documents.models import Document
from tongban.documents.verify import ATTACHMENT_DATA
from tongban.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from tongban.identifiers import mask_resident_id, validate_resident_id, validate_uscc
from tongban.org.models import Department, Region
from tongban.seals import service as seals
from tongban.seals import signing
from tongban.seals.signing import ATTACHMENT_SEAL
from tongban.transactions import use_case

VERIFY_NOTE = "本文书加盖电子印章，与纸质文书具有同等效力；可登录通办平台“证照核验”页面上传本文件核验真伪。"

# 机关代字 of the usual bureaus, after the words in their names (a 文号 reads 安市监受字〔2026〕第00012号).
_AGENCY_WORDS = (
    ("市场监督管理", "市监"), ("市场监管", "市监"), ("人力资源和社会保障", "人社"), ("政务服务和数据管理", "政数"),
    ("公安", "公"), ("民政", "民"), ("卫生健康", "卫健"), ("自然资源", "自然资源"), ("住房和城乡建设", "建"),
    ("交通运输", "交"), ("教育", "教"), ("生态环境", "环"), ("农业农村", "农"), ("文化和旅游", "文旅"),
    ("商务", "商"), ("医疗保障", "医保"), ("税务", "税"), ("财政", "财"), ("司法", "司"), ("应急管理", "应急"),
)


def agency_code(department: Department, region: Region | None) -> str:
    """机关代字: the region's first character and the bureau's word (安 + 市监, 安 + 人社)."""
    region_name = region.name if region else ""
    name = department.name.removeprefix(region_name) if region_name else department.name
    word = next((short for long, short in _AGENCY_WORDS if long in name), None)
    if word is None:
        word = name.removesuffix("局").removesuffix("委员会").removesuffix("办公室")[:2] or name[:2]
    return f"{region_name[:1]}{word}"


def format_number(agency: str, kind: kinds.DocumentKind, year: int, n: int) -> str:
    """发文字号 per GB/T 9704: 机关代字, year in 〔〕, sequence (no leading 0 in the standard; five digits here,
    as approval systems print them, so numbers sort)."""
    return f"{agency}{kind.word}字〔{year}〕第{n:05d}号"


def _recipient_code(code: str) -> tuple[str, str]:
    """(code as stored and printed, type): a person's resident ID masked, an enterprise's credit code public."""
    value = code.strip().upper()
    try:
        return mask_resident_id(validate_resident_id(value)), "resident_id"
    except ValueError:
        pass
    try:
        return validate_uscc(value), "uscc"
    except ValueError:
        raise ValidationFailed("受文人证件号码有误：应为 18 位居民身份证号码或统一社会信用代码。",
                               code="document_recipient_code_invalid", detail={"field": "recipient_code"}) from None


def canonical_data(doc: Document, title: str, seal_es_id: str) -> bytes:
    """document.json: what the seal signs and verification reads, sorted keys, UTF-8, no spaces."""
    body = {
        "number": doc.number, "kind": doc.kind, "title": title,
        "department": {"name": doc.department.name, "code": doc.department.uscc},
        "recipient": {"name": doc.recipient_name, "code": doc.recipient_code, "code_type": doc.recipient_code_type},
        "fields": doc.fields, "issued_on": doc.issued_on.isoformat(), "seal": seal_es_id,
    }
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def may_issue(actor: Actor, department_id: int) -> bool:
    """Issuing is the department's own act (its clerks, reviewers and admins), or the system's on its behalf."""
    return actor.kind == "system" or actor.acts_for(Permission.DOCUMENT_ISSUE, department_id)


@use_case
def issue(*, session: Session, actor: Actor, kind: str, owner_type: str, owner_id: str | int, department_id: int,
          recipient_name: str, recipient_code: str, fields: dict[str, object], seal_id: int | None = None) -> Document:
    """签发文书: a numbered document of `kind` about (owner_type, owner_id), sealed by the department."""
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound("部门不存在。", code="department_not_found")
    if not may_issue(actor, department_id):
        raise Forbidden(f"只有{department.name}的工作人员可以签发本部门的文书。",
                        code="document_issue_forbidden", detail={"permission": str(Permission.DOCUMENT_ISSUE)})
    spec = kinds.get_kind(kind)
    owner_type, owner = owner_type.strip(), str(owner_id).strip()
    if not owner_type or not owner or len(owner_type) > 32 or len(owner) > 64:
        raise ValidationFailed("请指明文书所属的对象（类型和编号）。", code="document_owner_invalid")
    name = recipient_name.strip()
    if not name or len(name) > 128:
        raise ValidationFailed("请填写受文人名称（最多 128 字）。", code="document_recipient_invalid",
                               detail={"field": "recipient_name"})
    code, code_type = _recipient_code(recipient_code)
    clean = kinds.check_fields(spec, fields)
    now = utcnow().replace(microsecond=0)
    today = clock.today()
    seal = seals.usable_seal(session, department_id, seal_id, now)
    # Taken after every check that may refuse; the counter row stays locked until the caller commits.
    n = numbering.allocate(session, f"document:{department_id}:{spec.code}", str(today.year))
    region = session.get(Region, department.region_code)
    doc = Document(number=format_number(agency_code(department, region), spec, today.year, n), kind=spec.code,
                   year=today.year, sequence=n, owner_type=owner_type, owner_id=owner, department_id=department_id,
                   department=department, recipient_name=name, recipient_code=code, recipient_code_type=code_type,
                   fields=clean, issued_on=today, signed_at=now, seal_id=seal.id, seal=seal, status="issued",
                   created_by=actor.id, created_at=now)
    canonical = canonical_data(doc, spec.title, seal.es_id)
    # The seal signature names the document in ASCII (IA5String): issuer, kind, year and sequence.
    ses = signing.seal_signature(session, seal, canonical, f"{department.uscc}-{spec.code}-{today.year}-{n:05d}", now)
    review_body = f"{region.name}人民政府" if region else "本级人民政府"
    pdf = render.render_pdf(render.OfficialDocument(
        authority=department.name, number=doc.number, title=spec.title, addressee=name,
        paragraphs=kinds.body_paragraphs(spec, clean, review_body), issue_date=today, seal=seals.design_of(seal),
        note=VERIFY_NOTE))
    signed = signing.sign_pdf(session, seal, pdf, attachments={ATTACHMENT_DATA: canonical, ATTACHMENT_SEAL: ses},
                              reason=spec.title, location=department.name, now=now)
    doc.canonical, doc.data_hash = canonical, sm.sm3(canonical).hex()
    doc.pdf_sha256 = files.get_store().put(signed)
    session.add(doc)
    session.flush()
    record(session, actor=actor, action="seal.use", object_type="seal", object_id=seal.id,
           detail={"document": doc.number, "data_hash": doc.data_hash})
    record(session, actor=actor, action="document.issue", object_type="document", object_id=doc.id,
           detail={"number": doc.number, "kind": spec.code, "owner_type": owner_type, "owner_id": owner})
    return doc


@use_case
def revoke(*, session: Session, actor: Actor, document_id: int, reason: str) -> Document:
    """撤销: the document no longer stands; verification says so at once (the file itself is unchanged)."""
    doc = session.get(Document, document_id)
    if doc is None or not (doc.department_id == actor.department_id or actor.kind == "system"):
        raise NotFound("文书不存在。", code="document_not_found")
    if not may_issue(actor, doc.department_id):
        raise Forbidden("只有发文部门的工作人员可以撤销文书。", code="document_issue_forbidden",
                        detail={"permission": str(Permission.DOCUMENT_ISSUE)})
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise ValidationFailed("请填写撤销文书的原因（最多 200 字）。", code="document_reason_required",
                               detail={"field": "reason"})
    if doc.status == "revoked":
        raise InvalidTransition("该文书已撤销。", code="document_already_revoked")
    doc.status, doc.status_reason, doc.revoked_at = "revoked", reason, utcnow().replace(microsecond=0)
    record(session, actor=actor, action="document.revoke", object_type="document", object_id=doc.id,
           detail={"number": doc.number, "reason": reason})
    return doc

