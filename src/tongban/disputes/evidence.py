"""Evidence files of disputes (证明材料): PDF, JPEG or PNG, judged by their bytes (tongban.files.inspect).

Their content lives in the file store under its SHA-256; the attachment row keeps the hash. A file whose
name does not match its content is taken under the name with the right extension (people rename files);
executables, markup, encrypted or scripted PDFs and oversized images are refused (see files/inspect.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from tongban import files
from tongban.files.inspect import AcceptPolicy, Inspected, Kind, inspect_upload

# The kind under which the disputes domain registers its reader (its access rule) with the file store.
FILE_KIND = "dispute_evidence"

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 10
POLICY = AcceptPolicy(kinds=frozenset({Kind.PDF, Kind.JPEG, Kind.PNG}), max_bytes=MAX_ATTACHMENT_BYTES,
                      max_pages=100, hint="请上传扫描件或照片")


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the uploader gave it and its bytes (read up to the limit + 1)."""

    filename: str
    content: bytes


def inspect(upload: Upload) -> Inspected:
    """What the evidence file is, or `FileRefused` saying what to fix."""
    return inspect_upload(upload.content, declared_name=upload.filename or "证明材料", accept=POLICY)


def check_file(upload: Upload) -> tuple[str, str]:
    """(file name to store, content type) of an acceptable evidence file; refuses anything else in Chinese."""
    got = inspect(upload)
    return got.filename, got.content_type


def store(upload: Upload) -> tuple[str, str, str]:
    """(file name, content type, SHA-256) of an acceptable evidence file, its content now in the file store."""
    got = inspect(upload)
    return got.filename, got.content_type, files.get_store().put(upload.content)
