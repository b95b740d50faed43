"""The exchange log's batched hash chain: sealed entries verify; alteration and removal are found."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

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
