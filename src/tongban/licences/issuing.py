"""签发电子证照: issue, annotate (加注), suspend, resume, revoke and expire licences.

Issuing a licence is one use-case (`@use_case`): the next serial of the issuer and type (numbering.py,
a locked counter row), the GB/T 36904 identifier, the canonical data (GB/T 36903 metadata and the type's
items), the SM2 seal signature over it (GB/T 38540 SES_Signature), the PDF with the seal and the QR code,
and the PAdES signature over the PDF that carries both as embedded files. Every change writes a
licence event and an audit entry, and updates the licence library that the exchange shares.

None of these functions commits: called on their own they commit once at the end; called inside
another use-case (closing a case issues its licence) they are a savepoint of it, so the licence, its
serial, events, audit and library entry commit or vanish with the caller's work. The signed PDF is
written to the file store before the rows (files.py): a use-case that rolls back leaves that file
unreferenced — harmless (content-addressed, only served through a licence version row) and sweepable.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import orjson
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban import clock, files, numbering
from tongban.audit.service import record
from tongban.authz import Actor, Permission
from tongban.crypto import sm
from tongban.db import utcnow
from tongban.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from tongban.identifiers import validate_resident_id, validate_uscc
from tongban.licences import identifier, indexing, library
from tongban.licences.licence_types import HOLDER_KINDS, get_type, may_issue
from tongban.licences.models import STATUS_LABELS, Licence, LicenceEvent, LicenceType, LicenceVersion
from tongban.licences.queries import readable_licence, verify_url
from tongban.licences.render import LicenceDocument, LicenceLayout, render_pdf
from tongban.licences.verify import ATTACHMENT_DATA, ATTACHMENT_SEAL
from tongban.org.models import Department
from tongban.schema_types import RefId, Strict
from tongban.seals import service as seals
from tongban.seals import signing
from tongban.seals.models import Seal
from tongban.transactions import use_case

CODE_TYPE_LABELS = {"resident_id": "居民身份证", "uscc": "统一社会信用代码"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class LicenceIssue(Strict):
    """What the issuing department fills in; the platform adds the identifier and metadata."""

    type_id: RefId
    holder_name: str = Field(min_length=1, max_length=128)
    holder_code: str = Field(min_length=1, max_length=32)
    data: dict[str, Any] = Field(default_factory=dict)
    number: str = Field(default="", max_length=64)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    service_item_code: str = Field(default="", max_length=64)
    service_item_name: str = Field(default="", max_length=128)
    seal_id: RefId | None = None


def holder_code_type(code: str, holder_kind: str) -> tuple[str, str]:
    """Normalise the holder's code and tell its type; refuse what the type's holders cannot have."""
    value = code.strip().upper()
    errors = []
    if holder_kind in ("person", "any"):
        try:
            return validate_resident_id(value), "resident_id"
        except ValueError as exc:
            errors.append(str(exc))
    if holder_kind in ("entity", "any"):
        try:
            return validate_uscc(value), "uscc"
        except ValueError as exc:
            errors.append(str(exc))
    raise ValidationFailed(f"持证主体代码有误（该证照持证主体为{HOLDER_KINDS[holder_kind]}）：" + " ".join(errors),
                           code="licence_holder_code_invalid")


def _check_items(licence_type: LicenceType, data: dict[str, Any]) -> dict[str, str]:
    specs = {i["key"]: i for i in licence_type.items}
    problems = [f"“{k}”不是{licence_type.name}的数据项" for k in data if k not in specs]
    clean: dict[str, str] = {}
    for key, spec in specs.items():
        value = str(data.get(key) or "").strip()
        if not value:
            if spec.get("required", True):
                problems.append(f"请填写“{spec['name']}”")
            continue
        if spec["type"] == "date":
            try:
                if not _DATE.match(value):
                    raise ValueError
                dt.date.fromisoformat(value)
            except ValueError:
                problems.append(f"“{spec['name']}”应为 YYYY-MM-DD 格式的日期")
                continue
        elif spec["type"] == "number" and not re.fullmatch(r"-?\d+(\.\d+)?", value):
            problems.append(f"“{spec['name']}”应为数字")
            continue
        if len(value) > 500:
            problems.append(f"“{spec['name']}”过长（最多 500 字）")
            continue
        clean[key] = value
    if problems:
        raise ValidationFailed("证照内容有误：" + "；".join(problems), code="licence_data_invalid")
    return clean


def canonical_data(licence: Licence, annotations: list[dict[str, str]]) -> bytes:
    """licence.json: the GB/T 36903 metadata and the items, sorted keys, UTF-8, no spaces."""
    doc = {
        "identifier": licence.identifier, "version": licence.version,
        "type": {"code": licence.type.code, "name": licence.type.name},
        "number": licence.number,
        "issuer": {"name": licence.issuer_name, "code": licence.issuer_code},
        "holder": {"name": licence.holder_name, "code": licence.holder_code, "code_type": licence.holder_code_type},
        "issued_on": licence.issued_on.isoformat(), "valid_from": licence.valid_from.isoformat(),
        "valid_to": licence.valid_to.isoformat() if licence.valid_to else None,
        "region_code": licence.region_code,
        "service_item": {"code": licence.service_item_code, "name": licence.service_item_name},
        "data": licence.data, "annotations": annotations, "seal": licence.seal.es_id,
    }
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)


# Seconds spent in each step of the last signing (read by bench/licences.py).
LAST_STEPS: dict[str, float] = {"render": 0.0, "seal_signature": 0.0, "pdf_signature": 0.0}


def _sign_version(session: Session, actor: Actor, licence: Licence, seal: Seal, annotations: list[dict[str, str]],
                  now: dt.datetime) -> LicenceVersion:
    """Make and sign one version of the licence: canonical data, seal signature, PDF, PAdES."""
    canonical = canonical_data(licence, annotations)
    t0 = time.perf_counter()
    ses = signing.seal_signature(session, seal, canonical, licence.identifier, now)
    t1 = time.perf_counter()
    items = {i["key"]: i["name"] for i in licence.type.items}
    fields = [("持证主体", licence.holder_name), (CODE_TYPE_LABELS[licence.holder_code_type], licence.holder_code)]
    fields += [(items[k], v) for k, v in licence.data.items() if k in items]
    doc = LicenceDocument(
        layout=LicenceLayout.from_json(licence.type.layout), identifier=licence.identifier, number=licence.number,
        fields=fields, issuer_name=licence.issuer_name, issue_date=licence.issued_on, valid_to=licence.valid_to,
        annotations=[(dt.date.fromisoformat(a["date"]), a["text"]) for a in annotations],
        seal=seals.design_of(seal), verify_url=verify_url(licence.identifier), version=licence.version,
        valid_from=licence.valid_from)
    try:
        pdf = render_pdf(doc)
    except ValueError as exc:
        # The renderer says in Chinese what does not fit on the page: the user's content, not a fault (422).
        raise ValidationFailed(str(exc), code="licence_content_too_long") from exc
    t2 = time.perf_counter()
    signed = signing.sign_pdf(session, seal, pdf, attachments={ATTACHMENT_DATA: canonical, ATTACHMENT_SEAL: ses},
                              reason="电子证照签发", location=licence.issuer_name, now=now)
    t3 = time.perf_counter()
    LAST_STEPS.update(seal_signature=t1 - t0, render=t2 - t1, pdf_signature=t3 - t2)
    version = LicenceVersion(licence_id=licence.id, version=licence.version, identifier=licence.identifier,
                             canonical=canonical, data_hash=sm.sm3(canonical).hex(), seal_signature=ses,
                             pdf_sha256=files.get_store().put(signed),
                             annotation=annotations[-1]["text"] if annotations else "", created_at=now,
                             created_by=actor.id)
    session.add(version)
    record(session, actor=actor, action="seal.use", object_type="seal", object_id=seal.id,
           detail={"licence": licence.identifier, "data_hash": version.data_hash})
    return version


def _event(session: Session, actor: Actor, licence: Licence, action: str, before: str, reason: str = "") -> None:
    session.add(LicenceEvent(licence_id=licence.id, version=licence.version, action=action, from_status=before,
                             to_status=licence.status, reason=reason, actor_id=actor.id, actor_name=actor.name))
    record(session, actor=actor, action=f"licence.{action}", object_type="licence", object_id=licence.id,
           detail={"identifier": licence.identifier, "from": before, "to": licence.status, "reason": reason})


@use_case
def issue(*, session: Session, actor: Actor, licence_in: LicenceIssue) -> Licence:
    """签发: a new licence of a type the actor's department issues, signed and stored."""
    department_id = actor.department_id
    if department_id is None or not actor.can_in_department(Permission.LICENCE_ISSUE, department_id):
        raise Forbidden("只有颁证部门的审批人员可以签发电子证照。", detail={"permission": "licence.issue"})
    licence_type = get_type(session, licence_in.type_id)
    if licence_type.status != "active":
        raise InvalidTransition("该证照类型已停用，不能再签发。", code="licence_type_retired")
    if not may_issue(licence_type, department_id):
        raise Forbidden(f"本部门不是“{licence_type.name}”的颁证单位。", code="licence_type_not_issuer")
    department = session.get(Department, department_id)
    assert department is not None
    code, code_type = holder_code_type(licence_in.holder_code, licence_type.holder_kind)
    data = _check_items(licence_type, licence_in.data)
    now = utcnow().replace(microsecond=0)
    today = clock.today()
    valid_from = licence_in.valid_from or today
    valid_to = licence_in.valid_to
    if valid_to is None and licence_type.validity_years:
        valid_to = valid_from.replace(year=valid_from.year + licence_type.validity_years) - dt.timedelta(days=1)
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed("有效期截止日期不能早于起始日期。", code="licence_validity_invalid")
    seal = seals.usable_seal(session, department_id, licence_in.seal_id, now)
    # Taken after every check that may refuse the issue; the counter row stays locked until it commits.
    serial = numbering.next_number(session, numbering.LICENCE_SERIAL, today,
                                   scope=numbering.licence_scope(department_id, licence_type.id))
    ident = identifier.build(licence_type.code, department.uscc, serial, 1)
    licence = Licence(identifier=str(ident), type_id=licence_type.id, type=licence_type, serial=serial,
                      number=licence_in.number.strip() or serial, issuer_department_id=department_id,
                      issuer_code=department.uscc, issuer_name=department.name,
                      holder_name=licence_in.holder_name.strip(),
                      holder_code=code, holder_code_type=code_type, issued_on=today, valid_from=valid_from,
                      valid_to=valid_to, region_code=department.region_code,
                      service_item_code=licence_in.service_item_code.strip(),
                      service_item_name=licence_in.service_item_name.strip(), data=data, seal_id=seal.id, seal=seal,
                      version=1, status="valid", created_by=actor.id, created_at=now)
    session.add(licence)
    session.flush()
    _sign_version(session, actor, licence, seal, [], now)
    _event(session, actor, licence, "issue", "")
    library.publish(session, licence)
    indexing.index_licences(session, [licence])
    return licence


def get_licence(session: Session, licence_id: int) -> Licence:
    """One licence or NotFound."""
    licence = session.get(Licence, licence_id)
    if licence is None:
        raise NotFound("电子证照不存在。", code="licence_not_found")
    return licence


def _own(session: Session, actor: Actor, licence_id: int) -> Licence:
    # A licence the actor may not read answers like one that does not exist (docs/api.md).
    licence = readable_licence(session, actor, licence_id)
    actor.require_in_department(Permission.LICENCE_ISSUE, licence.issuer_department_id)
    return licence


def annotations_of(session: Session, licence: Licence) -> list[dict[str, str]]:
    """The licence's annotations (加注), oldest first, from its current signed version."""
    canonical = session.execute(select(LicenceVersion.canonical).where(
        LicenceVersion.licence_id == licence.id, LicenceVersion.version == licence.version)).scalar_one()
    return list(orjson.loads(canonical).get("annotations", []))


@use_case
def annotate(*, session: Session, actor: Actor, licence_id: int, text: str) -> Licence:
    """加注: a new signed version that carries the annotation; the earlier version is superseded."""
    licence = _own(session, actor, licence_id)
    text = text.strip()
    if not text or len(text) > 200:
        raise ValidationFailed("请填写加注内容（最多 200 字）。", code="licence_annotation_invalid")
    if licence.status != "valid":
        raise InvalidTransition(f"证照{STATUS_LABELS[licence.status]}，不能加注。", code="licence_transition_invalid")
    if licence.version >= 999:
        raise InvalidTransition("证照版本号已用完（999），请重新签发。", code="licence_versions_exhausted")
    now = utcnow().replace(microsecond=0)
    seal = seals.usable_seal(session, licence.issuer_department_id, None, now)
    annotations = [*annotations_of(session, licence), {"date": clock.today().isoformat(), "text": text}]
    ident = identifier.parse(licence.identifier).with_version(licence.version + 1)
    licence.version, licence.identifier, licence.seal_id, licence.seal = ident.version, str(ident), seal.id, seal
    session.flush()
    try:
        _sign_version(session, actor, licence, seal, annotations, now)
    except ValidationFailed as exc:
        if exc.code != "licence_content_too_long":
            raise
        raise ValidationFailed(f"加注后证照一页放不下（已有 {len(annotations) - 1} 条加注）：请精简加注内容，"
                               "或注销后重新签发证照。", code="licence_annotation_too_long",
                               detail={"field": "text"}) from exc
    _event(session, actor, licence, "annotate", licence.status, text)
    library.publish(session, licence)
    indexing.index_licences(session, [licence])
    return licence


_TRANSITIONS = {
    "suspend": ({"valid"}, "suspended"),
    "resume": ({"suspended"}, "valid"),
    "revoke": ({"valid", "suspended", "expired"}, "revoked"),
}


@use_case
def change_status(*, session: Session, actor: Actor, licence_id: int, action: str, reason: str) -> Licence:
    """暂停 / 恢复 / 注销 a licence; verification reports the new state at once."""
    if action not in _TRANSITIONS:
        raise ValidationFailed("不支持的证照操作。", code="licence_action_invalid")
    licence = _own(session, actor, licence_id)
    reason = reason.strip()
    if action != "resume" and not reason:
        raise ValidationFailed("请填写暂停或注销证照的原因。", code="licence_reason_required")
    allowed, target = _TRANSITIONS[action]
    if licence.status not in allowed:
        raise InvalidTransition(f"证照当前{STATUS_LABELS[licence.status]}，不能执行此操作。",
                                code="licence_transition_invalid")
    if action == "resume" and licence.valid_to is not None and licence.valid_to < clock.today():
        target = "expired"
    before = licence.status
    licence.status, licence.status_reason = target, reason
    _event(session, actor, licence, action, before, reason)
    library.publish(session, licence)
    indexing.index_licences(session, [licence])
    return licence


@use_case
def expire_due(*, session: Session, actor: Actor) -> int:
    """到期: mark licences whose validity ended before today as expired (a daily job)."""
    today = clock.today()
    due = session.execute(select(Licence).where(Licence.status.in_(("valid", "suspended")),
                                                Licence.valid_to.is_not(None), Licence.valid_to < today)
                          ).scalars().all()
    for licence in due:
        before = licence.status
        licence.status = "expired"
        _event(session, actor, licence, "expire", before, f"有效期至 {licence.valid_to}")
        library.publish(session, licence)
    indexing.index_licences(session, due)
    return len(due)

