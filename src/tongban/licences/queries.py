"""Reading licences: a department's issued list, one licence, a holder's own licences, the PDF.

Licences carry personal data, so every read by staff is audited with its purpose; a holder
reading their own licences is not a read of someone else's data and is not. A read that writes its
audit entry is a use-case (`@use_case`): the entry commits with the read (the request's session rolls
back whatever is left uncommitted), and inside another use-case it is part of that one.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tongban import clock, files
from tongban.audit.service import record
from tongban.authz import Actor, Permission
from tongban.errors import Forbidden, NotFound
from tongban.licences.models import Licence, LicenceEvent, LicenceVersion
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
