"""The audit hash chain: `tongban audit verify` passes on an intact log and names the first bad entry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tongban.audit import anchors
from tongban.audit import service as audit
from tongban.authz import Actor
from tongban.db import make_session_factory

ACTOR = Actor(kind="staff", id=7, name="测试员", department_id=1, roles=frozenset({"platform_admin"}),
              client_ip="127.0.0.1")


def _fill(session: Session, n: int = 10) -> None:
    for i in range(n):
        audit.record(session, actor=ACTOR, action="user.update", object_type="user", object_id=i,
                     purpose="测试", detail={"i": i, "名称": "张三"})
    session.commit()


def _cli_verify(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TONGBAN_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "tongban.cli", "audit", "verify"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def _drop_append_only_guard(engine: Engine) -> None:
    """What an attacker with DDL rights would do first."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_log_no_update ON audit_log"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))


def test_intact_log_verifies_and_cli_exits_zero(session: Session, database_url: str) -> None:
    _fill(session)
    result = audit.verify(session)
    assert result.ok and result.checked == 10
    proc = _cli_verify(database_url)
    assert proc.returncode == 0, proc.stderr
    assert "审计链完整，共校验 10 条记录" in proc.stdout


def test_log_is_append_only_in_the_database(session: Session, engine: Engine) -> None:
    _fill(session, 2)
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET purpose = 'x' WHERE seq = 1"))
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 1"))


def test_altered_entry_is_found(session: Session, engine: Engine, database_url: str) -> None:
    _fill(session)
    _drop_append_only_guard(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET purpose = '掩盖' WHERE seq = 4"))
    result = audit.verify(session)
    assert not result.ok and result.first_bad_seq == 4 and result.problem == "altered"
    proc = _cli_verify(database_url)
    assert proc.returncode == 1
    assert "第 4 条" in proc.stderr


def test_deleted_entry_is_found(session: Session, engine: Engine, database_url: str) -> None:
    _fill(session)
    _drop_append_only_guard(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 6"))
    result = audit.verify(session)
    assert not result.ok and result.first_bad_seq == 6 and result.problem == "removed"
    proc = _cli_verify(database_url)
    assert proc.returncode == 1 and "第 6 条" in proc.stderr


def test_deleted_entry_renumbered_is_found(session: Session, engine: Engine) -> None:
    """Deleting an entry and shifting the later ones down breaks the chain at the shifted entry."""
    _fill(session)
    _drop_append_only_guard(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 6"))
        for seq in range(7, 11):
            conn.execute(text("UPDATE audit_log SET seq = :n WHERE seq = :o"), {"n": seq - 1, "o": seq})
    result = audit.verify(session)
    assert not result.ok and result.first_bad_seq == 6


def test_deleted_tail_is_found(session: Session, engine: Engine) -> None:
    _fill(session)
    _drop_append_only_guard(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq >= 9"))
    result = audit.verify(session)
    assert not result.ok and result.problem == "removed" and result.first_bad_seq == 9


def test_inserted_entry_is_found(session: Session, engine: Engine, database_url: str) -> None:
    _fill(session)
    _drop_append_only_guard(engine)
    with engine.begin() as conn:
        # Make room after entry 3 and slip in a forged entry that links to entry 3.
        for seq in range(10, 3, -1):
            conn.execute(text("UPDATE audit_log SET seq = :n WHERE seq = :o"), {"n": seq + 1, "o": seq})
        prev = conn.execute(text("SELECT hash FROM audit_log WHERE seq = 3")).scalar_one()
        conn.execute(text(
            "INSERT INTO audit_log (seq, occurred_at, actor_kind, actor_id, actor_name, department_id, action, "
            "object_type, object_id, purpose, result, client_ip, detail, prev_hash, hash) VALUES "
            "(4, '2026-01-01 00:00:00', 'staff', '1', '伪造者', 1, 'user.update', 'user', '1', '', 'success', "
            "'10.0.0.1', '{}', :prev, :h)"), {"prev": prev, "h": "f" * 64})
    result = audit.verify(session)
    assert not result.ok and result.first_bad_seq == 4
    proc = _cli_verify(database_url)
    assert proc.returncode == 1 and "第 4 条" in proc.stderr


def test_forged_entry_appended_without_key_is_found(session: Session, engine: Engine) -> None:
    _fill(session, 3)
    head = session.execute(text("SELECT last_hash FROM audit_chain_head")).scalar_one()
    import hashlib

    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_log (seq, occurred_at, actor_kind, actor_id, actor_name, department_id, action, "
            "object_type, object_id, purpose, result, client_ip, detail, prev_hash, hash) VALUES "
            "(4, '2026-01-01 00:00:00', 'staff', '1', '伪造者', 1, 'user.update', 'user', '1', '', 'success', "
            "'10.0.0.1', '{}', :prev, :h)"), {"prev": head, "h": hashlib.sha256(b"guess").hexdigest()})
    result = audit.verify(session)
    assert not result.ok and result.first_bad_seq == 4


def test_concurrent_writers_keep_one_chain(engine: Engine, session: Session) -> None:
    factory = make_session_factory(engine)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                s = factory()
                audit.record(s, actor=ACTOR, action="user.update", object_type="user", object_id=f"{n}-{i}")
                s.commit()
                s.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = audit.verify(session)
    assert result.ok and result.checked == 60


def test_one_session_across_transactions_keeps_the_chain(session: Session, engine: Engine) -> None:
    """A long-lived session must re-read the head in each transaction, not reuse a stale one."""
    other = make_session_factory(engine)()
    audit.record(session, actor=ACTOR, action="a", object_type="user", object_id=1)
    session.commit()
    audit.record(other, actor=ACTOR, action="b", object_type="user", object_id=2)
    other.commit()
    audit.record(session, actor=ACTOR, action="c", object_type="user", object_id=3)
    session.rollback()
    audit.record(other, actor=ACTOR, action="d", object_type="user", object_id=4)
    other.commit()
    audit.record(session, actor=ACTOR, action="e", object_type="user", object_id=5)
    session.commit()
    other.close()
    result = audit.verify(session)
    assert result.ok and result.checked == 4


# --- Checkpoints outside the database (issue 11, item 6) ---

def _rewind(engine: Engine, to: int) -> None:
    """Delete the entries after `to` and set the chain head back to it, as someone with database access could."""
    _drop_append_only_guard(engine)
    with engine.begin() as conn:
        last = conn.execute(text("SELECT hash FROM audit_log WHERE seq = :n"), {"n": to}).scalar_one()
        conn.execute(text("DELETE FROM audit_log WHERE seq > :n"), {"n": to})
        conn.execute(text("UPDATE audit_chain_head SET last_seq = :n, last_hash = :h"), {"n": to, "h": last})


def test_deleted_tail_with_rewound_head_is_found_by_the_checkpoint(session: Session, engine: Engine,
                                                                   database_url: str) -> None:
    _fill(session)
    proc = subprocess.run([sys.executable, "-m", "tongban.cli", "log", "checkpoint"],
                          env={**os.environ, "TONGBAN_DATABASE_URL": database_url}, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert '"audit_seq":10' in proc.stdout
    _rewind(engine, 7)
    result = audit.verify(session)
    assert not result.ok and result.problem == "truncated" and result.first_bad_seq == 8
    assert "第 8 条至第 10 条被删除" in result.message
    proc = _cli_verify(database_url)
    assert proc.returncode == 1 and "第 8 条" in proc.stderr
    # The application keeps writing after the rewind: the chain is long again, but not the anchored one.
    _fill(session, 5)
    result = audit.verify(session)
    assert not result.ok and result.problem == "rewritten" and result.first_bad_seq == 8


def test_without_a_checkpoint_the_rewind_passes_and_verify_says_so(session: Session, engine: Engine) -> None:
    """The gap this closes: with no checkpoint, a deleted tail plus a rewound head cannot be told apart."""
    _fill(session)
    _rewind(engine, 7)
    result = audit.verify(session)
    assert result.ok and "尚无检查点" in result.message


def test_checkpoints_removed_or_forged_are_found(session: Session, engine: Engine) -> None:
    _fill(session, 3)
    anchors.take(session)
    _fill(session, 3)
    anchors.take(session)
    assert audit.verify(session).ok
    # Deleted from the database only: the file still has them.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM log_checkpoints WHERE id = 2"))
    result = audit.verify(session)
    assert not result.ok and result.problem == "checkpoint" and "数据库检查点表缺少第 2 号" in result.message
    anchors.take(session)  # numbering continues after the file's newest
    path = next(anchors.checkpoint_dir().glob("checkpoints-*.jsonl"))
    lines = path.read_text(encoding="utf-8").splitlines()
    # A line changed to point at an earlier head does not carry a valid MAC.
    forged = json.loads(lines[-1])
    forged["audit_seq"] = 3
    path.write_text("\n".join([*lines[:-1], json.dumps(forged)]) + "\n", encoding="utf-8")
    result = audit.verify(session)
    assert not result.ok and "签名不符" in result.message
    # Files removed (or the directory restored from an old copy).
    path.unlink()
    result = audit.verify(session)
    assert not result.ok and result.problem == "checkpoint" and "检查点被删除" in result.message


def test_off_host_copy_of_checkpoints_catches_a_rollback_of_both_places(session: Session, engine: Engine,
                                                                        database_url: str, tmp_path) -> None:
    _fill(session, 5)
    copy = tmp_path / "offsite.jsonl"
    copy.write_text(anchors.take(session).line() + "\n", encoding="utf-8")
    _rewind(engine, 2)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM log_checkpoints"))
    for path in anchors.checkpoint_dir().glob("checkpoints-*.jsonl"):
        path.unlink()
    assert audit.verify(session).ok  # nothing local left to compare with
    proc = subprocess.run([sys.executable, "-m", "tongban.cli", "log", "verify", "--checkpoints", str(copy)],
                          env={**os.environ, "TONGBAN_DATABASE_URL": database_url}, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 1 and "审计链校验失败" in proc.stderr and "第 3 条至第 5 条被删除" in proc.stderr


def test_a_batch_appends_the_same_chain_as_single_records(session: Session) -> None:
    from sqlalchemy import select

    from tongban.audit.models import AuditEntry

    audit.record(session, actor=ACTOR, action="user.update", object_type="user", object_id="a", detail={"n": 0})
    objects = [(f"case-{i}", {"i": i, "名称": "张三"}) for i in range(2503)]  # more than one insert of 1,000
    assert audit.record_batch(session, actor=ACTOR, action="user.update", object_type="user", objects=objects) == 2503
    audit.record(session, actor=ACTOR, action="user.update", object_type="user", object_id="z")
    session.commit()
    assert audit.record_batch(session, actor=ACTOR, action="user.update", object_type="user", objects=[]) == 0
    result = audit.verify(session)
    assert result.ok and result.checked == 2505
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [r.object_id for r in rows[:3]] == ["a", "case-0", "case-1"] and rows[-1].object_id == "z"
    assert json.loads(rows[2].detail) == {"i": 1, "名称": "张三"}
