"""Read models of documents, and the rule for reading a document and its PDF.

A document is read by the staff of the issuing department and by its recipient, as the owning domain
says (hooks.register_recipient); anyone else gets "not found", exactly like a document that does not
exist. Every read of the PDF is audited (`document.download`) in the reading use-case.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban import files
from tongban.audit.service import record
from tongban.authz import Actor
from tongban.documents import hooks
from tongban.documents.kinds import KIND_TITLES
from tongban.documents.models import STATUS_LABELS, Document
from tongban.documents.schemas import DocumentRead
from tongban.errors import NotFound
from tongban.transactions import use_case

PDF_FILE_KIND = "document_pdf"


def _is_staff_of(actor: Actor, doc: Document) -> bool:
    return actor.is_staff and actor.department_id == doc.department_id


def readable_document(session: Session, actor: Actor, document_id: int) -> Document:
    """The document if the actor is the issuing department's staff or its recipient, else NotFound."""
    doc = session.get(Document, document_id)
    if doc is None or not (_is_staff_of(actor, doc) or hooks.is_recipient(session, actor, doc.owner_type,
                                                                          doc.owner_id)):
        raise NotFound("文书不存在。", code="document_not_found")
    return doc


def view_of(doc: Document) -> DocumentRead:
    """The document as its readers see it."""
    return DocumentRead(id=doc.id, number=doc.number, kind=doc.kind, title=KIND_TITLES[doc.kind],
                        department=doc.department.name, recipient_name=doc.recipient_name,
                        recipient_code=doc.recipient_code, issued_on=doc.issued_on.isoformat(), status=doc.status,
                        status_label=STATUS_LABELS[doc.status], status_reason=doc.status_reason,
                        fields=dict(doc.fields), pdf_url=f"/api/v1/documents/{doc.id}/pdf")


def document(*, session: Session, actor: Actor, document_id: int) -> DocumentRead:
    """One document for its reader."""
    return view_of(readable_document(session, actor, document_id))


def documents_of(*, session: Session, actor: Actor, owner_type: str, owner_id: str) -> list[DocumentRead]:
    """The documents about one object that the actor may read, oldest first (for the owner's page)."""
    rows = session.execute(select(Document).where(Document.owner_type == owner_type, Document.owner_id == owner_id)
                           .order_by(Document.id)).scalars().all()
    if not rows:
        return []
    recipient = hooks.is_recipient(session, actor, owner_type, owner_id)
    return [view_of(d) for d in rows if recipient or _is_staff_of(actor, d)]


def _pdf_reader(session: Session, actor: Actor, document_id: int) -> files.StoredFile:
    """The documents domain's rule for its PDFs: the issuing department's staff or the recipient, audited."""
    doc = readable_document(session, actor, document_id)
    record(session, actor=actor, action="document.download", object_type="document", object_id=doc.id,
           purpose="发文管理" if _is_staff_of(actor, doc) else "受文人下载", detail={"number": doc.number})
    return files.StoredFile(sha256=doc.pdf_sha256, filename=f"{KIND_TITLES[doc.kind]}{doc.number}.pdf",
                            content_type="application/pdf")


files.register_reader(PDF_FILE_KIND, _pdf_reader)
# The PDFs documents name (the file sweep removes only files no referrer names).
files.register_referrer(PDF_FILE_KIND, lambda session: session.execute(select(Document.pdf_sha256)).scalars())


@use_case
def pdf_of(*, session: Session, actor: Actor, document_id: int) -> tuple[str, bytes]:
    """The signed PDF (file name, bytes) from the file store; the download is audited."""
    download = files.read(session=session, actor=actor, kind=PDF_FILE_KIND, ref=document_id)
    return download.file.filename, download.content
