"""Batched hash chain of the exchange log: seal new entries, verify the chain (`tongban exchange verify`).

Calls write their entries unsealed (no lock, no hashing on the request path). The sealer takes
the entries committed since the last run in sequence order, gives them consecutive chain numbers
and an HMAC-SHA256 each over the canonical encoding and the previous hash, in one transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from tongban.audit.service import VerifyResult
from tongban.config import get_settings
from tongban.db import Base
from tongban.exchange.log_models import ExchangeLogEntry, ExchangeLogHead
from tongban.monitoring.rollup import rollup

_FIELDS = ("seq", "occurred_at", "client_id", "consumer_id", "provider_id", "resource_id", "resource_code",
           "operation", "items", "record_keys", "record_count", "end_user", "purpose", "case_number", "result",
           "status_code", "latency_ms")


def digest(entry: ExchangeLogEntry, chain_no: int, prev_hash: str, key: bytes) -> str:
    values: list[Any] = [getattr(entry, f) for f in _FIELDS]
    values[1] = values[1].strftime("%Y-%m-%dT%H:%M:%S.%f")
    payload = json.dumps([chain_no, prev_hash, *values], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _key() -> bytes:
    return get_settings().audit_key.encode("utf-8")


def seal(session: Session, *, batch: int = 50_000) -> int:
    """Chain every committed unsealed entry (up to `batch`); returns how many were sealed."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE exchange_log_head SET id = id WHERE id = 1"))
    head = session.execute(select(ExchangeLogHead).where(ExchangeLogHead.id == 1).with_for_update()).scalar_one()
    entries = session.execute(select(ExchangeLogEntry).where(ExchangeLogEntry.sealed.is_(False))
                              .order_by(ExchangeLogEntry.seq).limit(batch)).scalars().all()
    key = _key()
    chain_no, prev = head.last_seq, head.last_hash
    updates = []
    for entry in entries:
        chain_no += 1
        h = digest(entry, chain_no, prev, key)
        updates.append({"s": entry.seq, "c": chain_no, "p": prev, "h": h})
        prev = h
    if updates:
        log = Base.metadata.tables["exchange_log"]
        session.connection().execute(
            update(log).where(log.c.seq == bindparam("s"))
            .values(sealed=True, chain_no=bindparam("c"), prev_hash=bindparam("p"), hash=bindparam("h")), updates)
        head.last_seq, head.last_hash = chain_no, prev
        rollup(session, entries)  # monitoring counts each entry once, in the transaction that seals it
    session.commit()
    return len(updates)


def verify(session: Session, *, batch: int = 20_000) -> VerifyResult:
    """Walk the sealed chain; name the first altered, removed or inserted entry."""
    key = _key()
    expected, prev, checked = 1, "0" * 64, 0
    while True:
        rows = session.execute(select(ExchangeLogEntry).where(ExchangeLogEntry.chain_no >= expected)
                               .order_by(ExchangeLogEntry.chain_no).limit(batch)).scalars().all()
        if not rows:
            break
        for e in rows:
            if e.chain_no != expected:
                return VerifyResult(False, checked, expected, "removed",
                                    f"交换日志链第 {expected} 条至第 {(e.chain_no or 0) - 1} 条缺失（已被删除）。")
            if e.prev_hash != prev:
                return VerifyResult(False, checked, e.chain_no, "inserted",
                                    f"交换日志链第 {e.chain_no} 条与前一条不衔接：其前有记录被插入、删除或替换。")
            if digest(e, expected, prev, key) != e.hash:
                return VerifyResult(False, checked, e.chain_no, "altered",
                                    f"交换日志链第 {e.chain_no} 条（调用序号 {e.seq}）内容被篡改。")
            prev, expected, checked = e.hash or "", expected + 1, checked + 1
        session.expunge_all()
    head = session.get(ExchangeLogHead, 1)
    if head is not None and (head.last_seq != checked or head.last_hash != prev):
        return VerifyResult(False, checked, checked + 1, "removed",
                            f"交换日志链应有 {head.last_seq} 条已封存记录，实际 {checked} 条：末尾记录被删除。")
    return VerifyResult(True, checked, message=f"交换日志链完整，共校验 {checked} 条已封存记录。")
