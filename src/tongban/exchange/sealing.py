"""Batched hash chain of the exchange log: seal new entries, verify the chain (`tongban exchange verify`).

Calls write their entries unsealed (no lock, no chain hashing on the request path), each with a
row MAC (`row_mac`: a random nonce and an HMAC over the row and its subjects under a key derived
from TONGBAN_AUDIT_KEY, which the database does not hold). The sealer takes the entries committed
since the last run in sequence order and chains only those whose row MAC it can recompute: a row
inserted or changed by SQL is removed from the log and recorded in the audit chain instead
(`exchange_log.reject`), never chained as genuine. Each chain hash covers the entry, its row MAC
and the subject rows (“who used my data”) the sealer assigned to it: the entry's own, and those a
bulk export added after its entry was sealed (each with its own MAC). Verification also compares
the chain with the newest checkpoint (audit/anchors.py), so a deleted tail is found.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections import defaultdict
from typing import Any

import orjson
from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.orm import Session

from tongban.audit import anchors
from tongban.audit import service as audit
from tongban.audit.service import VerifyResult
from tongban.authz import SYSTEM
from tongban.config import get_settings
from tongban.db import Base
from tongban.exchange import hooks
from tongban.exchange.log_models import ExchangeLogEntry, ExchangeLogHead, ExchangeLogSubject
from tongban.transactions import use_case

_FIELDS = ("seq", "occurred_at", "client_id", "consumer_id", "provider_id", "resource_id", "resource_code",
           "operation", "items", "record_keys", "record_count", "end_user", "purpose", "case_number", "result",
           "status_code", "latency_ms")
# What the row MAC covers: every field the call writes but `seq`, which the database assigns.
_ROW_FIELDS = _FIELDS[1:]
_TS = "%Y-%m-%dT%H:%M:%S.%f"


def _row_payload(values: dict[str, Any] | ExchangeLogEntry, nonce: str, subjects: list[str]) -> bytes:
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    row: list[Any] = [get(f) for f in _ROW_FIELDS]
    row[0] = row[0].strftime(_TS)
    # orjson gives the bytes `json.dumps(..., ensure_ascii=False, separators=(",", ":"))` gave for these values (every
    # code point checked in tests/exchange/test_sealing.py), so entries MAC'd before verify the same.
    return orjson.dumps([nonce, *row, sorted(subjects)])


def row_mac(entry: dict[str, Any], subjects: list[str] | set[str]) -> str:
    """The row MAC a call writes with its entry (`access.log_call`): "nonce.hmac"; one HMAC per call.

    The nonce makes each row's MAC its own (two calls alike never share one, and the unique index refuses a copied
    row); it need not be secret, only unique: the time in nanoseconds and four random bytes. In time order, the
    unique index on the MACs grows at its end — the entries of a group commit share its last page — where a random
    nonce put each call's entry on a page of its own, written and synced with the commit (bench/request_path.py)."""
    nonce = f"{time.time_ns():016x}{secrets.token_hex(4)}"
    mac = hmac.new(anchors.derived_key("exchange-row"), _row_payload(entry, nonce, list(subjects)), hashlib.sha256)
    return f"{nonce}.{mac.hexdigest()}"


def subject_mac(seq: int, subject: str) -> str:
    """MAC of a subject row added after its entry was written (a bulk export's stream)."""
    return hmac.new(anchors.derived_key("exchange-subject"), f"{seq}|{subject}".encode(), hashlib.sha256).hexdigest()


def restamp(session: Session, seq: int) -> None:
    """Recompute the row MAC of an unsealed entry from what it holds now (test fixtures that backdate calls).

    Needs the audit key like every MAC here; someone with only database access cannot do this.
    """
    entry = session.get(ExchangeLogEntry, seq)
    if entry is None or entry.sealed:
        return
    session.refresh(entry)
    subjects = list(session.execute(select(ExchangeLogSubject.subject).where(
        ExchangeLogSubject.seq == seq, ExchangeLogSubject.mac.is_(None))).scalars())
    entry.row_mac = row_mac({f: getattr(entry, f) for f in _ROW_FIELDS}, subjects)
    session.flush()


def _row_genuine(entry: ExchangeLogEntry, subjects: list[str]) -> bool:
    nonce, _, mac = (entry.row_mac or "").partition(".")
    if not nonce or not mac:
        return False
    expected = hmac.new(anchors.derived_key("exchange-row"), _row_payload(entry, nonce, subjects), hashlib.sha256)
    return hmac.compare_digest(mac, expected.hexdigest())


def digest(entry: ExchangeLogEntry, chain_no: int, prev_hash: str, key: bytes,
           subjects: list[tuple[int, str]] | None = None) -> str:
    """The chain hash. Entries from before row MACs (no `row_mac`) keep the original encoding."""
    values: list[Any] = [getattr(entry, f) for f in _FIELDS]
    values[1] = values[1].strftime(_TS)
    parts: list[Any] = [chain_no, prev_hash, *values]
    if entry.row_mac is not None:
        parts += [entry.row_mac, sorted([int(s), str(x)] for s, x in (subjects or []))]
    payload = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _key() -> bytes:
    return get_settings().audit_key.encode("utf-8")


def _evidence(entry: ExchangeLogEntry) -> dict[str, Any]:
    row = {f: getattr(entry, f) for f in (*_FIELDS, "row_mac")}
    return anchors.detail_of(row)


@use_case
def seal(session: Session, *, batch: int = 50_000, rejected_out: list[int] | None = None) -> int:
    """Chain every committed unsealed entry (up to `batch`) whose row MAC holds; returns how many were sealed.

    Entries and subject rows that fail their MAC are deleted from the log and recorded, with their
    content, in the audit chain (`exchange_log.reject`, `exchange_log.reject_subject`); the call
    sequence numbers of rejected rows are appended to `rejected_out`.

    One use-case per batch: the chain, the head, the rejections' audit rows and monitoring's rollup of
    the sealed entries (hooks.sealed) commit together — or, inside the seal job's scope, with the job.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE exchange_log_head SET id = id WHERE id = 1"))
    head = session.execute(select(ExchangeLogHead).where(ExchangeLogHead.id == 1).with_for_update()).scalar_one()
    entries = session.execute(select(ExchangeLogEntry).where(ExchangeLogEntry.sealed.is_(False))
                              .order_by(ExchangeLogEntry.seq).limit(batch)).scalars().all()
    by_seq = {e.seq: e for e in entries}
    s = ExchangeLogSubject
    pending = select(s.seq, s.subject, s.mac).where(s.chain_no.is_(None))
    if entries:
        # Subjects of unsealed entries beyond this batch wait for their entry.
        pending = pending.where(s.seq <= entries[-1].seq)
    written: dict[int, list[str]] = defaultdict(list)  # written with their entry, covered by its row MAC
    late: dict[int, list[str]] = defaultdict(list)  # added afterwards with their own MAC
    forged_subjects: list[tuple[int, str, str]] = []
    orphans: list[tuple[int, str]] = []
    for seq, subject, mac in session.execute(pending).all():
        if mac is None and seq in by_seq:
            written[seq].append(subject)
        elif mac is None:
            orphans.append((seq, subject))
        elif hmac.compare_digest(mac, subject_mac(seq, subject)):
            late[seq].append(subject)
        else:
            forged_subjects.append((seq, subject, "校验值不符"))
    if orphans:
        # A subject written with its entry is sealed with it. Without a MAC and outside this batch it
        # is forged, unless its entry committed after the batch was read (it then waits).
        waiting = set(session.execute(select(ExchangeLogEntry.seq).where(
            ExchangeLogEntry.seq.in_({q for q, _ in orphans}), ExchangeLogEntry.sealed.is_(False))).scalars())
        forged_subjects += [(q, x, "没有校验值") for q, x in orphans if q not in waiting]
    last_v2 = max((i for i, e in enumerate(entries) if e.row_mac is not None), default=-1)
    key = _key()
    chain_no, prev = head.last_seq, head.last_hash
    updates: list[dict[str, Any]] = []
    covered: list[dict[str, Any]] = []
    sealed: list[ExchangeLogEntry] = []
    rejected: list[ExchangeLogEntry] = []
    for position, entry in enumerate(entries):
        if entry.row_mac is None:
            genuine = entry.seq <= head.legacy_seq  # written before row MACs existed (migration 0012)
        else:
            genuine = _row_genuine(entry, written.get(entry.seq, []))
        if not genuine:
            rejected.append(entry)
            continue
        chain_no += 1
        mine = [(entry.seq, x) for x in written.pop(entry.seq, []) + late.pop(entry.seq, [])]
        if position == last_v2:
            # Subjects a bulk export added after its entry was sealed ride on the pass's last entry.
            mine += [(q, x) for q, xs in late.items() for x in xs]
            late.clear()
        subjects = mine if entry.row_mac is not None else []
        h = digest(entry, chain_no, prev, key, subjects)
        updates.append({"s": entry.seq, "c": chain_no, "p": prev, "h": h})
        covered += [{"q": q, "x": x, "c": chain_no} for q, x in subjects]
        sealed.append(entry)
        prev = h
    for entry in rejected:
        reason = "没有行校验值" if entry.row_mac is None else "行校验值不符（记录或其涉及对象在写入后被改动，或为伪造）"
        audit.record(session, actor=SYSTEM, action="exchange_log.reject", object_type="exchange_log",
                     object_id=entry.seq, result="failed",
                     detail={"reason": reason, "row": _evidence(entry),
                             "subjects": written.pop(entry.seq, []) + late.pop(entry.seq, [])})
        forged_subjects = [f for f in forged_subjects if f[0] != entry.seq]
    for seq, subject, reason in forged_subjects:
        audit.record(session, actor=SYSTEM, action="exchange_log.reject_subject", object_type="exchange_log",
                     object_id=seq, result="failed", detail={"reason": reason, "subject": subject})
    if rejected_out is not None:
        rejected_out += [e.seq for e in rejected] + [q for q, _, _ in forged_subjects]
    if rejected:
        gone = [e.seq for e in rejected]
        session.execute(delete(ExchangeLogSubject).where(ExchangeLogSubject.seq.in_(gone)))
        session.execute(delete(ExchangeLogEntry).where(ExchangeLogEntry.seq.in_(gone)))
    for seq, subject, _ in forged_subjects:
        session.execute(delete(ExchangeLogSubject).where(ExchangeLogSubject.seq == seq,
                                                         ExchangeLogSubject.subject == subject))
    if updates:
        log = Base.metadata.tables["exchange_log"]
        subjects_table = Base.metadata.tables["exchange_log_subjects"]
        session.connection().execute(
            update(log).where(log.c.seq == bindparam("s"))
            .values(sealed=True, chain_no=bindparam("c"), prev_hash=bindparam("p"), hash=bindparam("h")), updates)
        if covered:
            session.connection().execute(
                update(subjects_table).where(subjects_table.c.seq == bindparam("q"),
                                             subjects_table.c.subject == bindparam("x"))
                .values(chain_no=bindparam("c")), covered)
        head.last_seq, head.last_hash = chain_no, prev
        # Whoever registered (monitoring's rollup) sees each entry once, in the transaction that seals it.
        hooks.sealed(session, sealed)
    return len(updates)


def verify(session: Session, *, batch: int = 20_000,
           extra_checkpoints: list[anchors.Checkpoint] | None = None) -> VerifyResult:
    """Walk the sealed chain; name the first altered, removed or inserted entry; compare with the checkpoint."""
    anchor = anchors.latest(session, extra_checkpoints)
    if anchor.problem:
        return VerifyResult(False, 0, None, "checkpoint", anchor.problem)
    cp = anchor.checkpoint
    hash_at_cp: str | None = None
    key = _key()
    s = ExchangeLogSubject
    expected, prev, checked = 1, "0" * 64, 0
    while True:
        rows = session.execute(select(ExchangeLogEntry).where(ExchangeLogEntry.chain_no >= expected)
                               .order_by(ExchangeLogEntry.chain_no).limit(batch)).scalars().all()
        if not rows:
            break
        subjects: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for seq, subject, chain_no in session.execute(select(s.seq, s.subject, s.chain_no).where(
                s.chain_no >= rows[0].chain_no, s.chain_no <= rows[-1].chain_no)).all():
            subjects[int(chain_no or 0)].append((int(seq), subject))
        for e in rows:
            if e.chain_no != expected:
                return VerifyResult(False, checked, expected, "removed",
                                    f"交换日志链第 {expected} 条至第 {(e.chain_no or 0) - 1} 条缺失（已被删除）。")
            if e.prev_hash != prev:
                return VerifyResult(False, checked, e.chain_no, "inserted",
                                    f"交换日志链第 {e.chain_no} 条与前一条不衔接：其前有记录被插入、删除或替换。")
            mine = subjects.get(expected, [])
            if (e.row_mac is None and mine) or digest(e, expected, prev, key, mine) != e.hash:
                return VerifyResult(False, checked, e.chain_no, "altered",
                                    f"交换日志链第 {e.chain_no} 条（调用序号 {e.seq}）的内容或其涉及对象"
                                    "（“谁用了我的数据”）被篡改、删除或插入。")
            if cp is not None and expected == cp.exchange_seq:
                hash_at_cp = e.hash
            prev, expected, checked = e.hash or "", expected + 1, checked + 1
        session.expunge_all()
    head = session.get(ExchangeLogHead, 1)
    if head is not None and (head.last_seq != checked or head.last_hash != prev):
        return VerifyResult(False, checked, checked + 1, "removed",
                            f"交换日志链应有 {head.last_seq} 条已封存记录，实际 {checked} 条：末尾记录被删除。")
    stray = session.execute(select(func.min(s.seq)).where(
        (s.chain_no > checked) | (s.chain_no < 0)
        | ((s.chain_no == 0) & (s.seq > (head.legacy_seq if head is not None else 0))))).scalar_one()
    if stray is not None:
        return VerifyResult(False, checked, None, "inserted",
                            f"调用序号 {stray} 的涉及对象记录不在交换日志链中：疑似伪造插入（“谁用了我的数据”）。")
    outside = session.execute(select(func.min(ExchangeLogEntry.seq)).where(
        ExchangeLogEntry.sealed.is_(True), ExchangeLogEntry.chain_no.is_(None))).scalar_one()
    if outside is not None:
        return VerifyResult(False, checked, None, "inserted",
                            f"调用序号 {outside} 的交换日志记录标为已封存却不在哈希链中：疑似伪造插入。")
    if cp is None:
        return VerifyResult(True, checked, message=f"交换日志链完整，共校验 {checked} 条已封存记录。"
                            "（尚无检查点，无法发现末尾被删除；请定时执行 tongban log checkpoint。）")
    where = anchors.describe(cp)
    if head is not None and head.legacy_seq != cp.exchange_legacy_seq:
        return VerifyResult(False, checked, None, "altered",
                            f"交换日志链头的旧记录界限（{head.legacy_seq}）与{where}（{cp.exchange_legacy_seq}）不符：链头被改动。")
    if checked < cp.exchange_seq:
        return VerifyResult(False, checked, checked + 1, "truncated",
                            f"交换日志链只到第 {checked} 条，但{where}记录已有 {cp.exchange_seq} 条："
                            f"第 {checked + 1} 条至第 {cp.exchange_seq} 条被删除，链头被回退。")
    if cp.exchange_seq and hash_at_cp != cp.exchange_hash:
        return VerifyResult(False, checked, cp.exchange_seq, "rewritten",
                            f"交换日志链第 {cp.exchange_seq} 条与{where}不符：该条或其之前的记录在检查点之后被删除，"
                            "链头被回退后又续写了新记录。")
    return VerifyResult(True, checked, message=f"交换日志链完整，共校验 {checked} 条已封存记录，与{where}一致。")
