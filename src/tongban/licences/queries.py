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

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from tongban import clock, files, search
from tongban.audit.service import record
from tongban.authz import Actor, Permission
from tongban.config import get_settings
from tongban.errors import Forbidden, NotFound
from tongban.identifiers import mask_name, mask_resident_id
from tongban.licences import identifier, indexing, licence_types, verify
from tongban.licences.models import STATUS_LABELS, Licence, LicenceEvent, LicenceType, LicenceVersion
from tongban.org import service as org
from tongban.search import text as tx
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
        found = search_issued(session=session, actor=actor, q=q, department_id=department_id, type_id=type_id,
                              status=status, page=page, size=size)
        return found.rows, found.total
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = list(session.execute(query.order_by(Licence.id.desc()).offset((page - 1) * size).limit(size)).scalars())
    _audit_list(session, actor, rows, q, status)
    return rows, total


def _audit_list(session: Session, actor: Actor, rows: list[Licence], q: str, status: str | None) -> None:
    """The personal-data audit of a list or search of licences: one entry, when anything was shown."""
    if rows:
        record(session, actor=actor, action="licence.read", object_type="licence_list", object_id=None,
               purpose="证照签发管理", detail={"count": len(rows), "query": q, "status": status or ""})


# ---------------------------------------------------------------- 证照检索 (staff search, tongban.search)

#: At most this many matches are ranked and counted (the page says "more than" beyond it).
SEARCH_LIMIT = 1000
_KEY = re.compile(r"[0-9A-Z][0-9A-Z.\-_/]{4,}[0-9A-Z]")
_PUNCT = re.compile(r"[^\w\s]+")


@dataclass(frozen=True)
class IssuedSearch:
    """A search of the issued licences: the page's rows, how many matched, and how they were found."""

    rows: list[Licence]
    total: int
    #: True when more than SEARCH_LIMIT licences matched (total is then SEARCH_LIMIT).
    capped: bool = False
    #: "Did you mean": the corrected query whose results these are ("" when none).
    suggestion: str = ""
    #: True when no licence matched every word and these match some of them.
    fallback: bool = False
    #: The dictionary's readings used ("驾照 → 机动车驾驶证").
    expanded: list[str] = field(default_factory=list)
    #: Whole numbers, identifiers or holder codes typed, matched exactly (they come first).
    exact_keys: tuple[str, ...] = ()
    #: The strings to mark in what is shown, and pinyin initials typed (search.text.spans).
    terms: tuple[str, ...] = ()
    initials: str = ""

    def highlight(self, value: str) -> Markup:
        """The text (as shown: a person's name and ID masked) with what matched in <mark>, escaped."""
        return tx.marked(value, tx.spans(value, (*self.terms, *self.exact_keys), initials_query=self.initials))


def _split_query(q: str) -> tuple[list[str], str]:
    """Chunks typed as whole keys (a licence number, serial, identifier or holder code: ASCII with a digit),
    and the rest as text for the search component (ASCII punctuation made spaces, since the segmenter
    drops tokens with dots or dashes: "AK-2024" is searched as "AK 2024", as indexing.searchable writes)."""
    keys: list[str] = []
    rest: list[str] = []
    for chunk in unicodedata.normalize("NFKC", q).split():
        upper = chunk.upper()
        if chunk.isascii() and _KEY.fullmatch(upper) and any(c.isdigit() for c in upper):
            keys.append(chunk)
        rest.append(chunk)
    return keys, " ".join(rest)


def _exact(session: Session, scope: list[ColumnElement[bool]], key: str) -> ColumnElement[bool] | None:
    """The condition of a key typed whole, if some licence in reach has it exactly (a number, its serial,
    its current or an earlier version's identifier, its holder's code); None if none has."""
    upper = key.upper()
    condition = or_(Licence.number == key, Licence.number == upper, Licence.serial == upper,
                    Licence.holder_code == upper, Licence.identifier == upper,
                    Licence.id.in_(select(LicenceVersion.licence_id).where(LicenceVersion.identifier == upper)))
    found = session.execute(select(Licence.id).where(*scope, condition).limit(1)).scalar()
    return condition if found is not None else None


@use_case
def search_issued(*, session: Session, actor: Actor, q: str, department_id: int | None = None,
                  type_id: int | None = None, status: str | None = None, page: int = 1,
                  size: int = 50) -> IssuedSearch:
    """证照检索: the licences of the departments the actor may read that match what was typed — a holder's
    name, a licence number or identifier, a holder's full ID number or credit code, a licence type by
    its name or a colloquial word (驾照, 户口本) — best first, with the search component's suggestion and
    partial fallback. A whole key typed (number, identifier, holder code) that a licence in reach has
    exactly filters on it; otherwise the words go to the component (kind "licence", licences/indexing.py),
    and the licences whose number or serial equals a word typed come first. The department scope is a
    condition of the one query that ranks (never a filter after it), so nothing outside the actor's reach
    is counted, suggested from or shown. Audited like the list (one licence.read entry when rows are shown)."""
    actor.require(Permission.LICENCE_READ)
    q = "".join(c if c.isprintable() else " " for c in q).strip()[:128]  # no NUL or control char reaches SQL
    reach = actor.department_scope(Permission.LICENCE_READ)
    scope: list[ColumnElement[bool]] = []
    if reach is not None:
        scope.append(Licence.issuer_department_id.in_(reach or {-1}))
    if department_id is not None:
        scope.append(Licence.issuer_department_id == department_id)
    if type_id is not None:
        scope.append(Licence.type_id == type_id)
    if status:
        scope.append(Licence.status == status)
    keys, rest = _split_query(q)
    exact_keys: list[str] = []
    for key in keys:
        condition = _exact(session, scope, key)
        if condition is not None:
            scope.append(condition)
            exact_keys.append(key)
            rest = " ".join(c for c in rest.split() if c != key)
    # Numbers typed that no licence has exactly are searched as their parts, all of them: a partial
    # match on some of their digits (any-word fallback) would only list unrelated licences.
    only_keys = bool(rest) and all(c in keys for c in rest.split())
    rest = _PUNCT.sub(" ", rest).strip()
    typed = [w for w in unicodedata.normalize("NFKC", q).split() if w.isascii()]
    first = case((or_(Licence.number.in_(typed), Licence.serial.in_([t.upper() for t in typed])), 1), else_=0)
    if rest:
        def fetch(sub: Subquery) -> list[tuple[int, float]]:
            stmt = (select(Licence.id, sub.c.score).join(sub, sub.c.doc_id == Licence.id).where(*scope)
                    .order_by(first.desc(), sub.c.score.desc(), Licence.id.desc()).limit(SEARCH_LIMIT + 1))
            return [(r[0], float(r[1])) for r in session.execute(stmt)]

        outcome = search.run(session, indexing.KIND, rest, fetch)
        ids = [] if outcome.fallback and only_keys else [i for i, _score in outcome.rows]
        found = IssuedSearch(rows=[], total=0, suggestion=outcome.suggestion, fallback=outcome.fallback,
                             expanded=outcome.expanded, terms=outcome.understanding.terms,
                             initials=outcome.understanding.initials)
    else:
        ids = list(session.execute(select(Licence.id).where(*scope).order_by(Licence.id.desc())
                                   .limit(SEARCH_LIMIT + 1)).scalars())
        found = IssuedSearch(rows=[], total=0)
    capped = len(ids) > SEARCH_LIMIT
    ids = ids[:SEARCH_LIMIT]
    shown = ids[(page - 1) * size:page * size]
    loaded = {r.id: r for r in session.execute(select(Licence).where(Licence.id.in_(shown))).scalars()}
    rows = [loaded[i] for i in shown if i in loaded]
    _audit_list(session, actor, rows, q, status)
    return dataclasses.replace(found, rows=rows, total=len(ids), capped=capped, exact_keys=tuple(exact_keys))


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
    #: In a search: the shown texts with what matched marked (type, number, holder name and code as
    #: shown, i.e. masked for a person, identifier); empty otherwise.
    marked: dict[str, Markup] = field(default_factory=dict)


def issued_row(licence: Licence, found: IssuedSearch | None = None) -> IssuedLicence:
    name, code = holder_shown(licence)
    marked: dict[str, Markup] = {}
    if found is not None:
        marked = {k: found.highlight(v) for k, v in (("type", licence.type.name), ("number", licence.number),
                                                     ("holder_name", name), ("holder_code", code),
                                                     ("identifier", licence.identifier))}
    return IssuedLicence(licence, name, code, status=status_today(licence), marked=marked)


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
    #: When something was typed: how the search found the rows (suggestion, fallback, readings).
    search: IssuedSearch | None = None


@use_case
def licences_home(session: Session, actor: Actor, *, type_id: int | None = None, status: str = "", q: str = "",
                  page: int = 1, size: int = 20) -> LicencesHome:
    """电子证照: the licences of the actor's departments, filtered, or found by what was typed (search_issued,
    best first, marked). A use-case: the list is audited (list_issued / search_issued record the read)."""
    actor.require(Permission.LICENCE_READ)
    status = status if status in STATUS_FILTERS else ""
    q = q.strip()[:128]
    found: IssuedSearch | None = None
    if q:
        found = search_issued(session=session, actor=actor, q=q, type_id=type_id, status=status or None,
                              page=page, size=size)
        rows, total = found.rows, found.total
    else:
        rows, total = list_issued(session=session, actor=actor, type_id=type_id, status=status or None,
                                  page=page, size=size)
    return LicencesHome(
        rows=[issued_row(r, found) for r in rows], total=total, page=page,
        size=size, types=licence_types.list_types(session), type_id=type_id, status=status, q=q,
        can_issue=actor.department_id is not None and actor.can_in_department(Permission.LICENCE_ISSUE,
                                                                               actor.department_id),
        search=found)


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
