"""The sweep of stored files that no row names (a use-case that rolled back after writing its file).

A file is removed only when all of these hold:

- every kind of file some domain reads has a referrer (`register_referrer`), and at least one referrer
  exists: otherwise the sweep refuses and removes nothing — what cannot be proven unreferenced stays;
- no referrer names its hash;
- it is older than TONGBAN_FILES_SWEEP_GRACE_HOURS (default 24). A use-case writes its file before its
  rows commit, and `put()` of bytes already stored restarts the file's age, so a file a use-case is about
  to reference (new, or an old orphan's bytes uploaded again) is young during that use-case;
- it is still that old after being moved aside (renamed to `.sweep-<hash>` in its directory) right
  before the unlink. A `put()` that touched it before the rename shows in its modification time (the
  rename keeps the inode), and the file is put back; a `put()` after the rename finds no file to touch
  and writes the bytes anew. So a row never commits naming a file the sweep removed.

Readers and referrers register when their domain's modules are imported. The sweep first imports every
module the web app would (each domain's routers, through tongban.registry), so that a process that has
not served a page — `tongban worker`, `tongban files sweep` — knows every kind of file.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from tongban.config import get_settings
from tongban.files.store import _HEX64, LocalFileStore, get_store, reader_kinds, referrers

log = logging.getLogger("tongban.files")

_ASIDE = ".sweep-"


@dataclass(frozen=True)
class Unreferenced:
    """A stored file that no row names and that is older than the grace period."""

    sha256: str
    size: int
    modified: dt.datetime  # UTC


@dataclass
class SweepReport:
    dry_run: bool
    refused: str = ""  # why nothing was looked at (a kind of file without a referrer)
    removed: list[Unreferenced] = field(default_factory=list)  # or, on a dry run, what would be
    kept_referenced: int = 0
    kept_young: int = 0

    @property
    def removed_bytes(self) -> int:
        return sum(f.size for f in self.removed)


def load_registrations() -> None:
    """Import every domain's routers (as the app factory does), so that their readers and referrers register."""
    from tongban.registry import platform

    for router in platform().ordered_routers():
        importlib.import_module(router.target.partition(":")[0])


def missing_referrers() -> set[str]:
    """Kinds of file a domain reads but says nothing about which rows reference them."""
    return reader_kinds() - set(referrers())


def sweep(session: Session, *, dry_run: bool = False, now: float | None = None) -> SweepReport:
    """Remove (or, on a dry run, list) the stored files no row names that are older than the grace period."""
    load_registrations()
    report = SweepReport(dry_run=dry_run)
    missing = missing_referrers()
    if missing or not referrers():
        report.refused = (f"kinds of file without a referrer: {', '.join(sorted(missing))}" if missing
                          else "no referrer is registered")
        log.error("files sweep refused, nothing removed: %s", report.refused)
        return report
    store = get_store()
    if not isinstance(store, LocalFileStore):  # another store sweeps itself (e.g. bucket lifecycle rules)
        report.refused = f"the store {type(store).__name__} cannot be swept from here"
        log.error("files sweep refused, nothing removed: %s", report.refused)
        return report
    referenced: set[str] = set()
    for kind_referrer in referrers().values():
        referenced.update(kind_referrer(session))
    cutoff = (time.time() if now is None else now) - get_settings().files_sweep_grace_hours * 3600
    for path in _stored_paths(store):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        if path.name in referenced:
            report.kept_referenced += 1
        elif stat.st_mtime > cutoff:
            report.kept_young += 1
        elif dry_run:
            report.removed.append(_unreferenced(path.name, stat))
        else:
            removed = _remove_if_still_old(path, cutoff)
            if removed is None:
                report.kept_young += 1
            else:
                report.removed.append(removed)
    log.info("files sweep%s: %d unreferenced files (%d bytes) %s; kept %d referenced and %d younger than %d h",
             " (dry run)" if dry_run else "", len(report.removed), report.removed_bytes,
             "would be removed" if dry_run else "removed", report.kept_referenced, report.kept_young,
             get_settings().files_sweep_grace_hours)
    return report


def _stored_paths(store: LocalFileStore) -> list[Path]:
    """Every stored file (`root/ab/cd/<sha256>`); temporaries and files moved aside are not content."""
    if not store.root.is_dir():
        return []
    return sorted(p for p in store.root.glob("??/??/*")
                  if _HEX64.match(p.name) and store.path_of(p.name) == p)


def _unreferenced(sha256: str, stat: os.stat_result) -> Unreferenced:
    return Unreferenced(sha256=sha256, size=stat.st_size,
                        modified=dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).replace(tzinfo=None))


def _remove_if_still_old(path: Path, cutoff: float) -> Unreferenced | None:
    """Move the file aside, check its age once more, then unlink it (or put it back if it was just stored)."""
    aside = path.with_name(_ASIDE + path.name)
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return None
    stat = aside.stat()
    if stat.st_mtime > cutoff:
        # A put() of these bytes touched the file between the listing and the move: it is about to be
        # referenced. Put it back (if put() has meanwhile written the bytes anew, they are identical).
        os.replace(aside, path)
        return None
    aside.unlink()
    _fsync_dir(path.parent)
    return _unreferenced(path.name, stat)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
