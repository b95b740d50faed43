"""Files (文件存储): binary content kept outside the database, behind one store interface (tongban.files).

Dispute evidence and licence PDFs (case materials next) are stored by the SHA-256 of their bytes;
the domain's row keeps the hash, the name and the type. Content is written once: to a temporary
file in the target directory, fsynced, then renamed into place, so a reader sees a whole file or
none; the same bytes uploaded twice are one file. The default store is a local directory
(TONGBAN_FILES_DIR, `var/files`); docs/operations.md says how several app nodes share it.

Reading goes through the domain's own access rule: a domain registers a reader for each kind of
file it keeps (`register_reader`), which checks that the actor may see the object — and audits the
download — before it names the file's hash; `read` hands out bytes only after that. A hash is not
an access check: it is printed in audit entries and API answers. `FileStore.read_blob` skips the
rule and is for the migration, backups and tests only (a test keeps it out of the domains).

The file is written before the row commits, so a committed row always has its file; a use-case that
rolls back leaves an unreferenced file behind, which is harmless (content-addressed, never served
without a row) and is swept once it is older than a grace period (sweep.py). For that, each domain that
registers a reader also registers a referrer (`register_referrer`): the hashes its rows name. Storing
bytes that are already there refreshes the file's modification time, so an old unreferenced file that a
use-case is about to reference again counts as new and is not swept under it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.config import get_settings
from tongban.errors import DomainError

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class FileContentMissing(DomainError):
    """A row names a file the store does not hold (or holds altered): the files and the database are out of step."""

    status_code = 500
    code = "file_content_missing"
    default_message = "文件内容缺失或已损坏，请联系平台管理员按运维手册从备份恢复文件存储。"


class FileStore(Protocol):
    """Where file content lives: a local (or shared) directory today, an S3-compatible bucket if ever needed."""

    def put(self, content: bytes) -> str:
        """Store `content` once and return its SHA-256 (hex); storing the same bytes again only marks the
        file as just written (its age restarts, see sweep.py)."""
        ...

    def exists(self, sha256: str) -> bool:
        """Whether the store holds the content of this hash."""
        ...

    def read_blob(self, sha256: str) -> bytes:
        """The content of this hash, checked against it. No access rule: domains call `read` instead."""
        ...


class LocalFileStore:
    """Content under `root/ab/cd/abcd…` (two levels of fan-out keep directories small)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        if not _HEX64.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        target = self.path_of(digest)
        if target.is_file() and target.stat().st_size == len(content):
            # Identical content is stored once. Its age restarts: the row about to name it commits after
            # this call, and the sweep removes only files older than its grace period. Touching fails
            # when the sweep has just taken the file away (or the file belongs to another OS user on a
            # shared store): then it is written anew below.
            try:
                os.utime(target)
                return digest
            except OSError:
                pass
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o444)  # written once: nobody edits stored content in place
            # Atomic on POSIX; two writers of the same content both rename identical bytes.
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)  # the rename itself survives a crash
        return digest

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def read_blob(self, sha256: str) -> bytes:
        try:
            content = self.path_of(sha256).read_bytes()
        except FileNotFoundError:
            raise FileContentMissing(detail={"sha256": sha256}) from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise FileContentMissing(detail={"sha256": sha256, "altered": True})
        return content


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def get_store() -> FileStore:
    """The configured store (TONGBAN_FILES_DIR)."""
    return LocalFileStore(get_settings().files_dir)


@dataclass(frozen=True)
class StoredFile:
    """What a domain row says about a file: its hash, the name to offer and the content type."""

    sha256: str
    filename: str
    content_type: str


@dataclass(frozen=True)
class FileDownload:
    """A file handed out after the domain's access rule passed."""

    file: StoredFile
    content: bytes


# A domain's rule for one kind of file: check the actor may see the object `ref` points to (raising
# NotFound / Forbidden otherwise), audit the read, and say which file it is.
FileReader = Callable[[Session, Actor, Any], StoredFile]
_READERS: dict[str, FileReader] = {}


def register_reader(kind: str, reader: FileReader) -> None:
    """A domain declares how its files of `kind` are read (once, at import)."""
    _READERS[kind] = reader


def read(*, session: Session, actor: Actor, kind: str, ref: Any) -> FileDownload:
    """The content of a file of `kind`, only after the owning domain's reader allowed `actor` to see `ref`."""
    entry = _READERS[kind](session, actor, ref)
    return FileDownload(file=entry, content=get_store().read_blob(entry.sha256))


# A domain's list of the files of one kind its rows name: every SHA-256 (hex), duplicates allowed. The
# sweep (sweep.py) removes only files that no registered referrer names, and refuses to run while a kind
# that has a reader has no referrer: what cannot be proven unreferenced is never deleted.
FileReferrer = Callable[[Session], Iterable[str]]
_REFERRERS: dict[str, FileReferrer] = {}


def register_referrer(kind: str, referrer: FileReferrer) -> None:
    """A domain declares which stored files its rows of `kind` reference (once, at import, next to its reader)."""
    _REFERRERS[kind] = referrer


def reader_kinds() -> set[str]:
    """The kinds of file some domain reads (registered so far in this process)."""
    return set(_READERS)


def referrers() -> dict[str, FileReferrer]:
    """The registered referrers, by kind."""
    return dict(_REFERRERS)
