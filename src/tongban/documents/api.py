"""JSON API of documents (文书): read one, download its sealed PDF, revoke it. Verification is the public
/api/v1/verify of licences/api.py, which takes documents' PDFs too."""

from __future__ import annotations

from fastapi.responses import Response

from tongban.deps import CurrentActor, DbSession, Id, secure_router
from tongban.documents import queries, service
from tongban.documents.schemas import DocumentRead, DocumentRevoke
from tongban.errors import error_responses
from tongban.files.serve import file_response

router = secure_router(prefix="/api/v1", tags=["文书"])


@router.get("/documents/{document_id}", response_model=DocumentRead, summary="文书详情",
            responses=error_responses(404))
def get_document(document_id: Id, session: DbSession, actor: CurrentActor) -> DocumentRead:
    return queries.document(session=session, actor=actor, document_id=document_id)


@router.get("/documents/{document_id}/pdf", summary="查看或下载文书 PDF", response_class=Response,
            responses=error_responses(404))
def download(document_id: Id, session: DbSession, actor: CurrentActor, inline: bool = False) -> Response:
    name, pdf = queries.pdf_of(session=session, actor=actor, document_id=document_id)
    return file_response(pdf, filename=name, content_type="application/pdf", inline=inline)


@router.post("/documents/{document_id}/revoke", response_model=DocumentRead, summary="撤销文书",
             responses=error_responses(404, 409))
def revoke(document_id: Id, body: DocumentRevoke, session: DbSession, actor: CurrentActor) -> DocumentRead:
    doc = service.revoke(session=session, actor=actor, document_id=document_id, reason=body.reason)
    return queries.view_of(doc)
