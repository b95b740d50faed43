"""The exchange log's batched hash chain: sealed entries verify; alteration and removal are found."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tongban.audit.service import verify as audit_verify
from tongban.authz import Actor
from tongban.exchange import access, sealing

CLIENT = Actor(kind="client", id=1, name="测试系统", department_id=1, client_id=1, client_ip="127.0.0.1")


def _calls(session: Session, n: int) -> None:
    for i in range(n):
        access.log_call(session, CLIENT, access.CallContext(purpose=f"核验{i}"), operation="get", resource=None,
                     code="101/000001", items=["id_number"], records=[], keys=[str(i)], result="ok", status=200)
        session.commit()


def test_seal_and_verify(session: Session, database_url: str) -> None:
    _calls(session, 7)
    assert sealing.seal(session) == 7
    _calls(session, 3)
    assert sealing.seal(session) == 3 and sealing.seal(session) == 0
    result = sealing.verify(session)
    assert result.ok and result.checked == 10
    env = {**os.environ, "TONGBAN_DATABASE_URL": database_url}
    proc = subprocess.run([sys.executable, "-m", "tongban.cli", "exchange", "verify"], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0 and "共校验 10 条" in proc.stdout


def test_altered_and_removed_entries_are_found(session: Session, engine: Engine) -> None:
    _calls(session, 6)
    sealing.seal(session)
    with engine.begin() as conn:
        conn.execute(text("UPDATE exchange_log SET purpose = '掩盖' WHERE chain_no = 3"))
    result = sealing.verify(session)
    assert not result.ok and result.problem == "altered" and result.first_bad_seq == 3
    with engine.begin() as conn:
        conn.execute(text("UPDATE exchange_log SET purpose = '核验2' WHERE chain_no = 3"))
        conn.execute(text("DELETE FROM exchange_log WHERE chain_no = 5"))
    result = sealing.verify(session)
    assert not result.ok and result.problem == "removed" and result.first_bad_seq == 5


# --- Anchoring, row MACs and subjects (issue 11, item 6): tampering by SQL, as someone with database access would.

PERSON_A, PERSON_B = "612421198310275284", "610902199001011234"


def _call_with_subjects(session: Session, subjects: list[str]) -> int:
    seq = access.log_call(session, CLIENT, access.CallContext(purpose="核验身份"), operation="query", resource=None,
                          code="101/000001", items=["id_number"], records=[{"id_number": s} for s in subjects],
                          keys=subjects, result="ok", status=200, subject_types={"id_number": "resident_id"})
    session.commit()
    return seq


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TONGBAN_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "tongban.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def _rewind_head(engine: Engine, to: int) -> None:
    """Delete the sealed entries after `to` and set the head back, as an attacker would."""
    with engine.begin() as conn:
        last = conn.execute(text("SELECT hash FROM exchange_log WHERE chain_no = :n"), {"n": to}).scalar_one()
        conn.execute(text("DELETE FROM exchange_log_subjects WHERE seq IN "
                          "(SELECT seq FROM exchange_log WHERE chain_no > :n)"), {"n": to})
        conn.execute(text("DELETE FROM exchange_log WHERE chain_no > :n"), {"n": to})
        conn.execute(text("UPDATE exchange_log_head SET last_seq = :n, last_hash = :h"), {"n": to, "h": last})


def test_deleted_tail_with_rewound_head_is_found_by_the_checkpoint(session: Session, engine: Engine,
                                                                   database_url: str) -> None:
    _calls(session, 6)
    proc = _cli(database_url, "exchange", "seal")  # seals and writes the checkpoint, as cron does
    assert proc.returncode == 0, proc.stderr
    assert "第 1 号检查点" in proc.stdout
    _rewind_head(engine, 4)
    result = sealing.verify(session)
    assert not result.ok and result.problem == "truncated" and result.first_bad_seq == 5
    assert "第 5 条至第 6 条被删除" in result.message
    proc = _cli(database_url, "log", "verify")
    assert proc.returncode == 1 and "交换日志校验失败" in proc.stderr and "第 5 条" in proc.stderr
    # New genuine calls after the rewind make the chain long again, but not the same chain.
    _calls(session, 3)
    sealing.seal(session)
    result = sealing.verify(session)
    assert not result.ok and result.problem == "rewritten" and result.first_bad_seq == 6


def test_row_inserted_unsealed_is_refused_by_the_sealer(session: Session, engine: Engine) -> None:
    _calls(session, 3)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO exchange_log (occurred_at, client_id, consumer_id, resource_code, operation, items, "
            "record_keys, record_count, end_user, purpose, case_number, result, status_code, latency_ms, sealed) "
            "VALUES ('2026-11-01 08:00:00', 1, 1, '101/000001', 'get', '[]', '[]', 0, '', '伪造的调用', '', 'ok', "
            "200, 1, false)"))
        forged = conn.execute(text("SELECT max(seq) FROM exchange_log")).scalar_one()
        conn.execute(text("INSERT INTO exchange_log_subjects (seq, subject) VALUES (:s, :p)"),
                     {"s": forged, "p": PERSON_A})
    _calls(session, 1)
    rejected: list[int] = []
    assert sealing.seal(session, rejected_out=rejected) == 4
    assert forged in rejected
    assert session.execute(text("SELECT count(*) FROM exchange_log WHERE seq = :s"), {"s": forged}).scalar_one() == 0
    assert session.execute(text("SELECT count(*) FROM exchange_log_subjects")).scalar_one() == 0
    evidence = session.execute(text("SELECT detail FROM audit_log WHERE action = 'exchange_log.reject' "
                                    "AND object_id = :s"), {"s": str(forged)}).scalar_one()
    assert "伪造的调用" in evidence and PERSON_A in evidence
    assert sealing.verify(session).ok
    assert audit_verify(session).ok


def test_unsealed_row_changed_or_copied_by_sql_is_not_chained(session: Session, engine: Engine) -> None:
    genuine = _call_with_subjects(session, [PERSON_A])
    changed = _call_with_subjects(session, [PERSON_B])
    with engine.begin() as conn:
        conn.execute(text("UPDATE exchange_log SET purpose = '掩盖' WHERE seq = :s"), {"s": changed})
        # A copy of a genuine row (with its row MAC) is refused by the database itself.
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(text(
                "INSERT INTO exchange_log (occurred_at, client_id, consumer_id, resource_code, operation, items, "
                "record_keys, record_count, end_user, purpose, case_number, result, status_code, latency_ms, "
                "sealed, row_mac) SELECT occurred_at, client_id, consumer_id, resource_code, operation, items, "
                "record_keys, record_count, end_user, purpose, case_number, result, status_code, latency_ms, "
                "sealed, row_mac FROM exchange_log WHERE seq = :s"), {"s": genuine})
    rejected: list[int] = []
    assert sealing.seal(session, rejected_out=rejected) == 1
    assert rejected == [changed]
    assert sealing.verify(session).ok


def test_unsealed_subject_deleted_by_sql_is_refused(session: Session, engine: Engine) -> None:
    seq = _call_with_subjects(session, [PERSON_A, PERSON_B])
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM exchange_log_subjects WHERE seq = :s AND subject = :p"),
                     {"s": seq, "p": PERSON_B})
    rejected: list[int] = []
    assert sealing.seal(session, rejected_out=rejected) == 0 and rejected == [seq]


def test_subjects_are_covered_by_the_chain(session: Session, engine: Engine) -> None:
    _call_with_subjects(session, [PERSON_A])
    seq = _call_with_subjects(session, [PERSON_A, PERSON_B])
    _call_with_subjects(session, [PERSON_B])
    sealing.seal(session)
    assert sealing.verify(session).ok
    chain_no = session.execute(text("SELECT chain_no FROM exchange_log WHERE seq = :s"), {"s": seq}).scalar_one()
    # Deleting “who used my data” rows of a sealed call breaks the chain at that call.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM exchange_log_subjects WHERE seq = :s AND subject = :p"),
                     {"s": seq, "p": PERSON_B})
    result = sealing.verify(session)
    assert not result.ok and result.problem == "altered" and result.first_bad_seq == chain_no
    assert "涉及对象" in result.message
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO exchange_log_subjects (seq, subject, chain_no) VALUES (:s, :p, :c)"),
                     {"s": seq, "p": PERSON_B, "c": chain_no})
    assert sealing.verify(session).ok
    # A subject row slipped in later (with or without a chain number) does not pass either.
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO exchange_log_subjects (seq, subject, chain_no) VALUES (:s, :p, :c)"),
                     {"s": seq, "p": "110101199003070011", "c": chain_no})
    result = sealing.verify(session)
    assert not result.ok and result.first_bad_seq == chain_no
    with engine.begin() as conn:
        conn.execute(text("UPDATE exchange_log_subjects SET chain_no = NULL WHERE subject = '110101199003070011'"))
    rejected: list[int] = []
    sealing.seal(session, rejected_out=rejected)
    assert rejected == [seq] and sealing.verify(session).ok


def test_subjects_added_after_sealing_are_sealed_with_the_next_pass(session: Session, engine: Engine) -> None:
    """A bulk export logs its subjects while it streams, usually after its entry was sealed."""
    seq = _call_with_subjects(session, [])
    sealing.seal(session)
    session.execute(text("INSERT INTO exchange_log_subjects (seq, subject, mac) VALUES (:s, :p, :m)"),
                    {"s": seq, "p": PERSON_A, "m": sealing.subject_mac(seq, PERSON_A)})
    session.commit()
    _calls(session, 1)
    sealing.seal(session)
    assert session.execute(text("SELECT count(*) FROM exchange_log_subjects WHERE chain_no IS NULL")).scalar_one() == 0
    assert sealing.verify(session).ok
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM exchange_log_subjects WHERE seq = :s"), {"s": seq})
    assert not sealing.verify(session).ok


def test_seal_command_warns_about_refused_rows(session: Session, engine: Engine, database_url: str) -> None:
    _calls(session, 1)
    with engine.begin() as conn:
        conn.execute(text("UPDATE exchange_log SET purpose = '掩盖'"))
    proc = _cli(database_url, "exchange", "seal")
    assert proc.returncode == 2 and "拒绝封存" in proc.stderr and "调用序号 1" in proc.stderr


def test_the_row_payload_is_the_bytes_entries_were_macd_with_before() -> None:
    """The payload a row's MAC covers is made with orjson; entries written before were MAC'd over
    `json.dumps(..., ensure_ascii=False, separators=(",", ":"))` and must verify the same: for values of every kind a
    row holds, and strings holding every Unicode code point, the bytes are equal."""
    import datetime as dt
    import json

    chunks = ["".join(chr(c) for c in range(start, min(start + 4096, 0x110000)) if not 0xD800 <= c <= 0xDFFF)
              for start in range(0, 0x110000, 4096)]
    base = {"occurred_at": dt.datetime(2026, 12, 5, 8, 30, 1, 123456), "client_id": 7, "consumer_id": 3,
            "provider_id": None, "resource_id": 12, "resource_code": "101/000003", "operation": "get",
            "items": '["name","id_number"]', "record_keys": '["110101199003071234"]', "record_count": 1,
            "end_user": "", "purpose": "一网通办办件时核验申请人身份", "case_number": "BENCH0001", "result": "ok",
            "status_code": 200, "latency_ms": 0}
    for chunk in chunks:
        values = {**base, "purpose": chunk, "end_user": chunk[::-1]}
        nonce = "0123456789abcdef01234567"
        subjects = [chunk[:50], "91110000600037341L"]
        row = [values[f] for f in sealing._ROW_FIELDS]
        row[0] = row[0].strftime(sealing._TS)
        before = json.dumps([nonce, *row, sorted(subjects)], ensure_ascii=False, separators=(",", ":")).encode()
        assert sealing._row_payload(values, nonce, subjects) == before
