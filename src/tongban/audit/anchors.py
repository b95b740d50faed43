"""Checkpoints (锚定点) of the audit chain and the exchange-log chain, kept outside the database.

A hash chain only proves that what is there was not changed; someone who can write the database
can still delete the newest entries and set the chain head back. A checkpoint records both heads
(sequence number and hash) with an HMAC under a key derived from TONGBAN_AUDIT_KEY, which the
database does not hold. Each checkpoint is written to the `log_checkpoints` table and appended to
a file under TONGBAN_CHECKPOINT_DIR (one JSON line, one file per month); the printed line is meant
to be shipped off-host as well. Verification takes the newest checkpoint from either place and
requires that the chains still reach it with the same hashes. Checkpoints chain to each other
(`prev_mac`), so one removed from the middle of a file is noticed.

HMAC rather than an SM2/ECDSA signature: verifying the chains needs the audit key anyway, and the
seal key store's keys are for documents; a signature would add a key to manage without letting
anyone verify more. The derived keys separate the uses of the audit key (chain, checkpoints,
exchange-log row MACs) so a value made for one cannot pass as another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session, SessionTransaction

from tongban.audit.models import AuditChainHead, LogCheckpoint
from tongban.config import get_settings
from tongban.db import utcnow
from tongban.transactions import in_use_case, use_case

GENESIS_HASH = "0" * 64
_FILE_GLOB = "checkpoints-*.jsonl"


@lru_cache(maxsize=16)
def _derive(audit_key: str, label: str) -> bytes:
    return hmac.new(audit_key.encode("utf-8"), b"tongban/" + label.encode("ascii"), hashlib.sha256).digest()


def derived_key(label: str) -> bytes:
    """A key for one use (e.g. "checkpoint", "exchange-row"), derived from TONGBAN_AUDIT_KEY."""
    return _derive(get_settings().audit_key, label)


@dataclass(frozen=True)
class Checkpoint:
    id: int
    taken_at: str  # UTC, ISO 8601 with microseconds and "Z"
    audit_seq: int
    audit_hash: str
    exchange_seq: int
    exchange_hash: str
    exchange_legacy_seq: int
    prev_mac: str
    mac: str = ""

    def payload(self) -> bytes:
        values = [self.id, self.taken_at, self.audit_seq, self.audit_hash, self.exchange_seq, self.exchange_hash,
                  self.exchange_legacy_seq, self.prev_mac]
        return json.dumps(values, separators=(",", ":")).encode("utf-8")

    def expected_mac(self) -> str:
        return hmac.new(derived_key("checkpoint"), self.payload(), hashlib.sha256).hexdigest()

    def genuine(self) -> bool:
        return hmac.compare_digest(self.mac, self.expected_mac())

    def line(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @property
    def taken(self) -> dt.datetime:
        return dt.datetime.strptime(self.taken_at, "%Y-%m-%dT%H:%M:%S.%fZ")


def _from_row(row: LogCheckpoint) -> Checkpoint:
    return Checkpoint(id=row.id, taken_at=row.taken_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), audit_seq=row.audit_seq,
                      audit_hash=row.audit_hash, exchange_seq=row.exchange_seq, exchange_hash=row.exchange_hash,
                      exchange_legacy_seq=row.exchange_legacy_seq, prev_mac=row.prev_mac, mac=row.mac)


def checkpoint_dir() -> Path:
    return Path(get_settings().checkpoint_dir)


def _read_files(directory: Path) -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint line in the directory's files; the second list names lines that do not parse."""
    found: list[Checkpoint] = []
    bad: list[str] = []
    if not directory.is_dir():
        return found, bad
    for path in sorted(directory.glob(_FILE_GLOB)):
        with path.open(encoding="utf-8") as fh:
            for n, raw in enumerate(fh, start=1):
                raw = raw.strip()
                if not raw:
                    continue
                try:
                    found.append(Checkpoint(**json.loads(raw)))
                except (ValueError, TypeError):
                    bad.append(f"{path.name} 第 {n} 行")
    return found, bad


def take(session: Session) -> Checkpoint:
    """Record both chain heads now: a row in `log_checkpoints`, then — once that row has committed — a line
    in this month's file.

    A use-case. As the outermost scope (`tongban log checkpoint`) the row commits when `_record` returns
    and the line is appended before `take` returns. Nested in another use-case (the seal job runs inside
    the job's scope) the row commits with that use-case, and the line is appended right after that commit;
    if the outer use-case rolls back, neither the row nor the line exists. Row first, then the line: a
    crash between the two leaves a row without its line, which `latest` reports (the operator re-runs the
    checkpoint); never a line for a checkpoint the database does not hold.
    """
    now = utcnow()
    cp = _record(session=session, now=now)
    if in_use_case(session):
        _append_after_commit(session, cp, now)
    else:
        _append(cp, now)
    return cp


@use_case
def _record(*, session: Session, now: dt.datetime) -> Checkpoint:
    audit = session.execute(select(AuditChainHead.last_seq, AuditChainHead.last_hash)
                            .where(AuditChainHead.id == 1)).first()
    # Read by name: the audit layer does not import the exchange domain.
    exchange = session.execute(text("SELECT last_seq, last_hash, legacy_seq FROM exchange_log_head WHERE id = 1")
                               ).first()
    last = session.execute(select(LogCheckpoint).order_by(LogCheckpoint.id.desc()).limit(1)).scalar_one_or_none()
    files, _ = _read_files(checkpoint_dir())
    # Number after the newest checkpoint in either place, so a row deleted from the table or a
    # file restored from an old copy never makes two checkpoints with one number.
    previous = max([c for c in files if c.genuine()] + ([_from_row(last)] if last is not None else []),
                   key=lambda c: c.id, default=None)
    cp = Checkpoint(id=(previous.id + 1) if previous else 1, taken_at=now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    audit_seq=int(audit[0]) if audit else 0, audit_hash=str(audit[1]) if audit else GENESIS_HASH,
                    exchange_seq=int(exchange[0]) if exchange else 0,
                    exchange_hash=str(exchange[1]) if exchange else GENESIS_HASH,
                    exchange_legacy_seq=int(exchange[2]) if exchange else 0,
                    prev_mac=previous.mac if previous else GENESIS_HASH)
    cp = Checkpoint(**{**asdict(cp), "mac": cp.expected_mac()})
    session.add(LogCheckpoint(id=cp.id, taken_at=now, audit_seq=cp.audit_seq, audit_hash=cp.audit_hash,
                              exchange_seq=cp.exchange_seq, exchange_hash=cp.exchange_hash,
                              exchange_legacy_seq=cp.exchange_legacy_seq, prev_mac=cp.prev_mac, mac=cp.mac))
    session.flush()
    return cp


def _append(cp: Checkpoint, now: dt.datetime) -> None:
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"checkpoints-{now:%Y-%m}.jsonl"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(cp.line() + "\n")
        fh.flush()
        os.fsync(fh.fileno())


_PENDING = "tongban.checkpoint_lines"


def _append_after_commit(session: Session, cp: Checkpoint, now: dt.datetime) -> None:
    """Append the line when the outermost transaction commits; forget it when the transaction (or the
    savepoint) that holds its row rolls back."""
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        # Registered once per session; listeners must not be removed while the event is dispatched.
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_soft_rollback", _rolled_back)
    pending.append((session.get_nested_transaction() or session.get_transaction(), cp, now))


def _committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the rows are not durable yet
        return
    pending = session.info.get(_PENDING) or []
    lines = list(pending)
    pending.clear()
    for _, cp, now in lines:
        _append(cp, now)


def _rolled_back(session: Session, transaction: SessionTransaction) -> None:
    def inside(tx: SessionTransaction | None) -> bool:
        while tx is not None:
            if tx is transaction:
                return True
            tx = tx.parent
        return False

    pending = session.info.get(_PENDING) or []
    pending[:] = [entry for entry in pending if not inside(entry[0])]


@dataclass
class Anchor:
    """The newest genuine checkpoint, or why the checkpoints themselves cannot be trusted."""

    checkpoint: Checkpoint | None
    problem: str = ""  # Chinese message; empty when the checkpoints are consistent


def latest(session: Session, extra: list[Checkpoint] | None = None) -> Anchor:
    """The newest checkpoint in the table, the checkpoint files and `extra` (e.g. an off-host copy)."""
    directory = checkpoint_dir()
    files, unreadable = _read_files(directory)
    rows = [_from_row(r) for r in session.execute(select(LogCheckpoint).order_by(LogCheckpoint.id)).scalars()]
    if unreadable:
        return Anchor(None, f"检查点文件中有无法解析的行（{unreadable[0]}）：检查点文件被改动。")
    for where, cps in (("检查点文件", files), ("数据库检查点表", rows), ("所给检查点", extra or [])):
        forged = next((c for c in cps if not c.genuine()), None)
        if forged is not None:
            return Anchor(None, f"{where}中第 {forged.id} 号检查点的签名不符：检查点被伪造或改动。")
    by_id: dict[int, Checkpoint] = {}
    for c in [*files, *rows, *(extra or [])]:
        if c.id in by_id and by_id[c.id] != c:
            return Anchor(None, f"第 {c.id} 号检查点在不同位置内容不同：检查点被替换。")
        by_id[c.id] = c
    # The local checkpoints (table and files) run without gaps; an off-host copy may hold only some.
    local = sorted({c.id for c in [*files, *rows]})
    for a, b in itertools.pairwise(local):
        if b != a + 1 or by_id[b].prev_mac != by_id[a].mac:
            return Anchor(None, f"第 {a} 号之后的检查点缺失或不衔接（下一个为第 {b} 号）：检查点被删除。")
    ids = sorted(by_id)
    file_max = max((c.id for c in files), default=0)
    row_max = max((c.id for c in rows), default=0)
    if file_max < row_max:
        return Anchor(None, f"检查点目录 {directory} 中缺少第 {file_max + 1} 号起的检查点"
                            f"（数据库中已有第 {row_max} 号）：检查点文件被删除、被旧副本替换，或目录配置有误。")
    if row_max < file_max:
        return Anchor(None, f"数据库检查点表缺少第 {row_max + 1} 号起的检查点（检查点文件中已有第 {file_max} 号）："
                            "数据库中的检查点被删除。")
    return Anchor(by_id[ids[-1]] if ids else None)


def parse_lines(lines: list[str]) -> list[Checkpoint]:
    """Checkpoints from lines printed by `tongban log checkpoint` (an off-host copy)."""
    out = []
    for raw in lines:
        raw = raw.strip()
        if raw:
            out.append(Checkpoint(**json.loads(raw)))
    return out


def count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(LogCheckpoint)).scalar_one())


def describe(cp: Checkpoint) -> str:
    """“第 N 号检查点（北京时间 …）” for messages."""
    beijing = cp.taken.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    return f"第 {cp.id} 号检查点（北京时间 {beijing:%Y-%m-%d %H:%M:%S}）"


def detail_of(row: Any) -> dict[str, Any]:
    """Column values of a row for an audit entry's detail (times as ISO text)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        out[key] = value.isoformat() if isinstance(value, dt.datetime) else value
    return out
