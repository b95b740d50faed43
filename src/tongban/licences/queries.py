"""Reading licences: a department's issued list, one licence, a holder's own licences, the PDF; and the
read models of the licence pages (one function per page, everything its template shows).

Licences carry personal data, so every read by staff is audited with its purpose; a holder
reading their own licences is not a read of someone else's data and is not. A read that writes its
audit entry is a use-case (`@use_case`): the entry commits with the read (the request's session rolls
back whatever is left uncommitted), and inside another use-case it is part of that one. The page read
models that show licences to staff (licences_home, licence_detail) are use-cases for that reason; the
others write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tongban import clock, files
from tongban.audit.service import record
from tongban.authz import Actor, Permission
from tongban.config import get_settings
from tongban.errors import Forbidden, NotFound
from tongban.identifiers import mask_name, mask_resident_id
from tongban.licences import identifier, licence_types, verify
from tongban.licences.models import STATUS_LABELS, Licence, LicenceEvent, LicenceType, LicenceVersion
from tongban.org import service as org
from tongban.transactions import use_case


@use_case
def list_issued(*, session: Session, actor: Actor, department_id: int | None = None, type_id: int | None = None,
                status: str | None = None, q: str = "", page: int = 1, size: int = 50) -> tuple[list[Licence], int]:
    """已签发证照: the licences of the departments the actor may read, newest first."""
    actor.require(Permission.LICENCE_READ)
    scope = actor.department_scope(Permission.LICENCE_READ)
    query = select(Licence)
    if scope is not None:
        query = query.where(Licence.issuer_department_id.in_(scope or {-1}))
    if department_id is not None:
        query = query.where(Licence.issuer_department_id == department_id)
    if type_id is not None:
        query = query.where(Licence.type_id == type_id)
    if status:
        query = query.where(Licence.status == status)
    q = q.strip()
    if q:
        query = query.where(or_(Licence.holder_name == q, Licence.holder_code == q.upper(), Licence.number == q,
                                Licence.identifier == q.upper()))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = list(session.execute(query.order_by(Licence.id.desc()).offset((page - 1) * size).limit(size)).scalars())
    if rows:
        record(session, actor=actor, action="licence.read", object_type="licence_list", object_id=None,
               purpose="证照签发管理", detail={"count": len(rows), "query": q, "status": status or ""})
    return rows, total


@use_case
def read_licence(*, session: Session, actor: Actor, licence_id: int, purpose: str = "证照签发管理") -> Licence:
    """One licence for staff of its issuer (or platform-wide roles), or for its holder."""
    licence = readable_licence(session, actor, licence_id)
    if is_holder(actor, licence):
        return licence
    record(session, actor=actor, action="licence.read", object_type="licence", object_id=licence.id,
           purpose=purpose, detail={"identifier": licence.identifier})
    return licence


def may_read(actor: Actor, licence: Licence) -> bool:
    """Whether the actor holds the licence or reads the licences of its issuer."""
    return is_holder(actor, licence) or (
        actor.has(Permission.LICENCE_READ)
        and actor.can_in_department(Permission.LICENCE_READ, licence.issuer_department_id))


def readable_licence(session: Session, actor: Actor, licence_id: int) -> Licence:
    """The one access check of a licence by id (read, download, and before any change): "not yours" and
    "not there" answer alike (404, code licence_not_found), since whether someone else's licence exists
    is itself personal information."""
    licence = session.get(Licence, licence_id)
    if licence is None or not may_read(actor, licence):
        raise NotFound("电子证照不存在。", code="licence_not_found")
    return licence


def is_holder(actor: Actor, licence: Licence) -> bool:
    """Whether the actor is the licence's holder (a citizen by resident ID, an enterprise by USCC)."""
    return bool(actor.holder_code) and actor.holder_code == licence.holder_code


def my_licences(*, session: Session, actor: Actor) -> list[Licence]:
    """我的证照: the licences the logged-in citizen or enterprise holds, newest first."""
    if not actor.holder_code:
        raise Forbidden("“我的证照”仅供群众和企业账号使用。")
    return list(session.execute(select(Licence).where(Licence.holder_code == actor.holder_code)
                                .order_by(Licence.issued_on.desc(), Licence.id.desc())).scalars())


def versions_and_events(session: Session, licence: Licence) -> tuple[list[LicenceVersion], list[LicenceEvent]]:
    """The signed versions and the state changes of a licence, oldest first."""
    versions = list(session.execute(select(LicenceVersion).where(LicenceVersion.licence_id == licence.id)
                                    .order_by(LicenceVersion.version)).scalars())
    events = list(session.execute(select(LicenceEvent).where(LicenceEvent.licence_id == licence.id)
                                  .order_by(LicenceEvent.id)).scalars())
    return versions, events


PDF_FILE_KIND = "licence_pdf"


def _pdf_reader(session: Session, actor: Actor, ref: tuple[int, int | None]) -> files.StoredFile:
    """The licences domain's rule for its PDFs: who may read the licence (holder or issuer's staff), audited."""
    licence_id, version = ref
    licence = readable_licence(session, actor, licence_id)
    wanted = version or licence.version
    sha256 = session.execute(select(LicenceVersion.pdf_sha256).where(
        LicenceVersion.licence_id == licence.id, LicenceVersion.version == wanted)).scalar_one_or_none()
    if sha256 is None:
        raise NotFound("该版本的证照文件不存在。", code="licence_version_not_found")
    record(session, actor=actor, action="licence.download", object_type="licence", object_id=licence.id,
           purpose="持证人下载" if is_holder(actor, licence) else "证照签发管理",
           detail={"identifier": licence.identifier, "version": wanted})
    return files.StoredFile(sha256=sha256, filename=f"{licence.identifier}.pdf", content_type="application/pdf")


files.register_reader(PDF_FILE_KIND, _pdf_reader)
# The PDFs licence versions name (the file sweep removes only files no referrer names).
files.register_referrer(PDF_FILE_KIND, lambda session: session.execute(select(LicenceVersion.pdf_sha256)).scalars())


@use_case
def pdf_of(*, session: Session, actor: Actor, licence_id: int, version: int | None = None) -> tuple[Licence, bytes]:
    """The signed PDF of the current (or a given) version, from the file store; downloads are audited."""
    download = files.read(session=session, actor=actor, kind=PDF_FILE_KIND, ref=(licence_id, version))
    return readable_licence(session, actor, licence_id), download.content


def status_today(licence: Licence) -> str:
    """The licence's status as readers see it today."""
    return licence.status_on(clock.today())


def verify_url(licence_identifier: str) -> str:
    """The public verification address printed as the licence's QR code."""
    return f"{get_settings().public_url.rstrip('/')}/verify/{licence_identifier}"


def holder_shown(licence: Licence) -> tuple[str, str]:
    """A person's name and resident ID masked in lists; an enterprise's are public."""
    if licence.holder_code_type == "resident_id":
        return mask_name(licence.holder_name), mask_resident_id(licence.holder_code)
    return licence.holder_name, licence.holder_code


def _active_departments(session: Session, actor: Actor) -> list[Any]:
    departments, _ = org.list_departments(session=session, actor=actor, size=1000)
    return [d for d in departments if d.status == "active"]


# ---------------------------------------------------------------- 证照类型


@dataclass(frozen=True)
class LicenceTypesHome:
    #: Every type, retired ones included, by status and code.
    types: list[LicenceType]
    #: The names of the issuing departments (department id → name).
    department_names: dict[int, str]
    #: Whether the new / edit / retire actions are offered.
    can_manage: bool


def licence_types_home(session: Session, actor: Actor) -> LicenceTypesHome:
    """证照类型: the catalog, for those who read licences or manage the types."""
    if not (actor.has(Permission.LICENCE_READ) or actor.has(Permission.LICENCE_TYPE_MANAGE)):
        raise Forbidden(detail={"permission": str(Permission.LICENCE_READ)})
    return LicenceTypesHome(types=licence_types.list_types(session, include_retired=True),
                            department_names={d.id: d.name for d in _active_departments(session, actor)},
                            can_manage=actor.has(Permission.LICENCE_TYPE_MANAGE))


#: What the form of a new type starts with.
NEW_TYPE_FORM = {"holder_kind": "entity", "orientation": "portrait", "accent_color": "#B22222", "columns": "1"}


def type_form_values(row: LicenceType) -> dict[str, Any]:
    """A saved type as its form shows it (items one a line: key|名称|type|必填或选填)."""
    layout = row.layout or {}
    items = "\n".join(f"{i['key']}|{i['name']}|{i['type']}|{'必填' if i.get('required', True) else '选填'}"
                      for i in row.items)
    return {"code": row.code, "name": row.name, "defining_org_name": row.defining_org_name,
            "defining_org_code": row.defining_org_code, "holder_kind": row.holder_kind, "items": items,
            "validity_years": str(row.validity_years or ""), "description": row.description,
            "issuers": [str(i.department_id) for i in row.issuers],
            **{k: str(layout.get(k, "")) for k in ("title", "subtitle", "orientation", "accent_color", "columns",
                                                   "footer")}}


@dataclass(frozen=True)
class LicenceTypeForm:
    #: The type being changed; None for a new one.
    row: LicenceType | None
    #: The departments that may be chosen as issuers: the active ones.
    departments: list[Any]
    #: The form's values: the saved type's, or the defaults of a new one.
    form: dict[str, Any]


def licence_type_form(session: Session, actor: Actor, type_id: int | None) -> LicenceTypeForm:
    """新建 / 修改证照类型 (platform admins): the type, the issuer choices and the form's values."""
    row = licence_types.get_type(session, type_id) if type_id is not None else None
    actor.require(Permission.LICENCE_TYPE_MANAGE)
    return LicenceTypeForm(row=row, departments=_active_departments(session, actor),
                           form=type_form_values(row) if row is not None else dict(NEW_TYPE_FORM))


# ---------------------------------------------------------------- 电子证照 of the issuing department


STATUS_FILTERS = tuple(STATUS_LABELS)


@dataclass(frozen=True)
class IssuedLicence:
    """A row of the issued list: the holder masked when a person, the status as of today."""

    licence: Licence
    holder_name: str
    holder_code: str
    status: str


@dataclass(frozen=True)
class LicencesHome:
    rows: list[IssuedLicence]
    total: int
    page: int
    size: int
    #: The active types (the type filter's options) and the filters as understood.
    types: list[LicenceType]
    type_id: int | None
    status: str
    q: str
    #: Whether the 签发证照 button is shown: the actor issues licences in their own department.
    can_issue: bool


@use_case
def licences_home(session: Session, actor: Actor, *, type_id: int | None = None, status: str = "", q: str = "",
                  page: int = 1, size: int = 20) -> LicencesHome:
    """电子证照: the licences of the actor's departments, filtered. A use-case: the list is audited
    (list_issued records the read of personal data)."""
    actor.require(Permission.LICENCE_READ)
    status = status if status in STATUS_FILTERS else ""
    rows, total = list_issued(session=session, actor=actor, type_id=type_id, status=status or None, q=q[:128],
                              page=page, size=size)
    return LicencesHome(
        rows=[IssuedLicence(r, *holder_shown(r), status=status_today(r)) for r in rows], total=total, page=page,
        size=size, types=licence_types.list_types(session), type_id=type_id, status=status, q=q,
        can_issue=actor.department_id is not None and actor.can_in_department(Permission.LICENCE_ISSUE,
                                                                               actor.department_id))


@dataclass(frozen=True)
class IssueForm:
    #: The active types the actor's department issues, and the one chosen (the only one, if just one).
    types: list[LicenceType]
    chosen: LicenceType | None


def issue_form(session: Session, actor: Actor, type_id: int | None) -> IssueForm:
    """签发电子证照: the types the actor's department may issue and the chosen type's items."""
    actor.require(Permission.LICENCE_ISSUE)
    types = licence_types.list_types(session, issuer_department_id=actor.department_id) if actor.department_id else []
    return IssueForm(types=types, chosen=next((t for t in types if t.id == type_id),
                                              types[0] if len(types) == 1 else None))


@dataclass(frozen=True)
class LicenceDetail:
    licence: Licence
    versions: list[LicenceVersion]
    events: list[LicenceEvent]
    #: The licence's data items as (name the type gives it, value).
    items: list[tuple[str, Any]]
    #: The status as of today (a valid licence past its end date shows as expired).
    status: str
    verify_url: str
    #: Whether the 办理 panel is shown (the actor issues licences in the issuing department), and which
    #: of its forms: 加注 for a valid licence, 暂停 / 恢复 / 注销 until it is revoked.
    can_issue: bool
    can_annotate: bool
    can_change_status: bool


@use_case
def licence_detail(session: Session, actor: Actor, licence_id: int) -> LicenceDetail:
    """One licence with its versions and state changes, for staff of its issuer (or platform-wide roles).
    A use-case: the read of personal data is audited (read_licence)."""
    actor.require(Permission.LICENCE_READ)
    licence = read_licence(session=session, actor=actor, licence_id=licence_id)
    versions, events = versions_and_events(session, licence)
    names = {i["key"]: i["name"] for i in licence.type.items}
    can_issue = actor.can_in_department(Permission.LICENCE_ISSUE, licence.issuer_department_id)
    return LicenceDetail(licence=licence, versions=versions, events=events,
                         items=[(names.get(k, k), v) for k, v in licence.data.items()], status=status_today(licence),
                         verify_url=verify_url(licence.identifier), can_issue=can_issue,
                         can_annotate=can_issue and licence.status == "valid",
                         can_change_status=can_issue and licence.status != "revoked")


# ---------------------------------------------------------------- 我的证照 and 证照核验


@dataclass(frozen=True)
class HeldLicence:
    licence: Licence
    status: str
    verify_url: str


@dataclass(frozen=True)
class MyLicencesHome:
    rows: list[HeldLicence] = field(default_factory=list)


def my_licences_home(session: Session, actor: Actor) -> MyLicencesHome:
    """我的证照: the holder's own licences with their status today and verification address (not audited:
    a holder reading their own licences reads no one else's data)."""
    return MyLicencesHome(rows=[HeldLicence(r, status_today(r), verify_url(r.identifier))
                                for r in my_licences(session=session, actor=actor)])


@dataclass(frozen=True)
class IdentifierVerification:
    #: The identifier as parsed (normalised).
    identifier: str
    verdict: verify.Verdict


def identifier_verification(session: Session, text: str) -> IdentifierVerification:
    """证照核验 by identifier (the QR link, public): the register's state of the licence it names.
    An identifier that is not one raises ValidationFailed (the page shows what is wrong with it)."""
    parsed = str(identifier.parse(text))
    return IdentifierVerification(identifier=parsed,
                                  verdict=verify.verify_identifier(session, parsed, today=clock.today()))
