"""Evidence files of disputes (证明材料): PDF, JPEG or PNG, judged by their first bytes, not by their name.

Their content lives in the file store (files.py) under its SHA-256; the attachment row keeps the hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from tongban import files
from tongban.errors import ValidationFailed

# The kind under which the disputes domain registers its reader (its access rule) with the file store.
FILE_KIND = "dispute_evidence"

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 10
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
_EXTENSIONS = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
_LABELS = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the uploader gave it and its bytes (read up to the limit + 1)."""

    filename: str
    content: bytes


def safe_name(name: str) -> str:
    """The last path segment without characters that break headers or file systems."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?').strip()
    return (cleaned or "证明材料")[-200:]


def check_file(upload: Upload) -> tuple[str, str]:
    """(safe file name, content type) of an acceptable evidence file; refuses anything else in Chinese."""
    name = safe_name(upload.filename)
    if not upload.content:
        raise ValidationFailed(f"文件“{name}”是空文件。", code="file_empty", detail={"field": "files"})
    if len(upload.content) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(f"文件“{name}”超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB，请压缩或分页后上传。",
                               code="file_too_large", detail={"field": "files"})
    detected = next((ctype for magic, ctype in _MAGIC if upload.content.startswith(magic)), None)
    if detected is None:
        raise ValidationFailed(f"文件“{name}”不是 PDF、JPEG 或 PNG 文件，请上传扫描件或照片。",
                               code="file_type", detail={"field": "files"})
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if _EXTENSIONS.get(suffix) != detected:
        raise ValidationFailed(f"文件“{name}”的扩展名与文件内容（{_LABELS[detected]}）不符，请改正扩展名后重新上传。",
                               code="file_type_mismatch", detail={"field": "files"})
    return name, detected


def store(upload: Upload) -> tuple[str, str, str]:
    """(safe file name, content type, SHA-256) of an acceptable evidence file, its content now in the file store."""
    name, ctype = check_file(upload)
    return name, ctype, files.get_store().put(upload.content)
