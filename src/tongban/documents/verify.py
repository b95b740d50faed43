"""What verification (licences/verify.py) needs of a document: its embedded data's name, what it says, its state.

The public /verify page and POST /api/v1/verify check a document's PDF like a licence's: the PAdES
signature, then the GB/T 38540 seal signature over the embedded `document.json`, then the platform's
register — this module's part: the document exists with exactly this data, and is neither revoked nor
signed with a seal revoked or suspended since. A person's name and ID are masked for the public.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.documents.kinds import KIND_TITLES
from tongban.documents.models import Document
from tongban.identifiers import mask_name

ATTACHMENT_DATA = "document.json"


def _part(doc: dict[str, Any], key: str, sub: str) -> str:
    value = doc.get(key)
    return str(value.get(sub, "")) if isinstance(value, dict) else ""


def describe(doc: dict[str, Any]) -> dict[str, str]:
    """The facts a verdict shows of a document's signed data: kind, number, department, recipient (masked)."""
    kind = str(doc.get("kind", ""))
    recipient = _part(doc, "recipient", "name")
    code_type = _part(doc, "recipient", "code_type")
    return {
        "type_name": KIND_TITLES.get(kind, str(doc.get("title", ""))),
        "number": str(doc.get("number", "")),
        "identifier": str(doc.get("number", "")),
        "issuer_name": _part(doc, "department", "name"),
        "issuer_code": _part(doc, "department", "code"),
        # The ID is stored and signed masked already; a person's name is masked here (an enterprise's is public).
        "holder": mask_name(recipient) if code_type == "resident_id" else recipient,
        "holder_code": _part(doc, "recipient", "code"),
        "issued_on": str(doc.get("issued_on", "")),
    }


def register_state(session: Session, doc: dict[str, Any]) -> tuple[str, str, bool]:
    """(outcome, reason, registered) from the platform's register for a document's signed data."""
    row = session.execute(select(Document).where(Document.number == str(doc.get("number", ""))
                                                 )).scalar_one_or_none()
    if row is None:
        return "unknown", "本平台没有签发过该文书。", False
    if bytes(row.canonical) != orjson.dumps(doc, option=orjson.OPT_SORT_KEYS):
        return "altered", "文书内容与平台登记的不一致。", False
    if row.status == "revoked":
        because = f"：{row.status_reason}" if row.status_reason else "。"
        return "revoked", f"发文机关已撤销该文书{because}", True
    seal = row.seal
    if seal.status == "revoked":
        return "revoked", f"签章所用的电子印章“{seal.name}”已注销，文书签章不再可信。", True
    if seal.status == "suspended":
        return "suspended", f"签章所用的电子印章“{seal.name}”已暂停使用。", True
    return "valid", "", True
