"""Input and output of the documents API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tongban.schema_types import Strict


class DocumentRead(BaseModel):
    """A document as its readers see it: names and numbers, no internal ids but its own."""

    id: int
    number: str
    kind: str
    title: str
    department: str
    recipient_name: str
    recipient_code: str
    issued_on: str
    status: str
    status_label: str
    status_reason: str
    fields: dict[str, object]
    pdf_url: str


class DocumentRevoke(Strict):
    """撤销文书: why."""

    reason: str = Field(min_length=1, max_length=200)
