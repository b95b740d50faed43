"""What the exchange remembers between calls (tongban/versioned.py) is never served after a change, whoever made it,
and the group commit (exchange/log_writer.py) writes every call's count and log entry before its answer."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from tests.exchange.conftest import IDS, call_headers
from tongban import clock
from tongban.db import utcnow
from tongban.disputes.models import DataDispute
from tongban.exchange import log_writer, quotas
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.exchange.models import QuotaUsage
from tongban.sharing.limits import Limits
from tongban.versioned import ConfigVersion


def _url(world, key: str = IDS[0]) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/exchange/{world['resource'].code}/records/{key}"


def _version(session: Session) -> int:
    session.rollback()
    return session.execute(select(ConfigVersion.version).where(ConfigVersion.name == "exchange")).scalar_one()


def test_a_key_revoked_by_plain_sql_stops_working_at_the_next_call(client: TestClient, engine: Engine,
                                                                   world) -> None:  # type: ignore[no-untyped-def]
    assert client.get(_url(world), headers=call_headers(world)).status_code == 200  # cached in the app's process
    with engine.begin() as conn:  # not through the platform at all
        conn.execute(text("UPDATE api_keys SET revoked_at = :t WHERE client_id = :c"),
                     {"t": utcnow(), "c": world["client"].id})
    r = client.get(_url(world), headers=call_headers(world))
    assert r.status_code == 401 and r.json()["code"] == "api_key_revoked"


def test_grant_items_and_catalog_changes_reach_the_next_call(client: TestClient, session: Session,
                                                             world) -> None:  # type: ignore[no-untyped-def]
    assert set(client.get(_url(world), headers=call_headers(world)).json()["data"]) == {"id_number", "name",
                                                                                        "address"}
    world["grant"].items = ["id_number"]  # narrowed by the provider
    session.commit()
    assert set(client.get(_url(world), headers=call_headers(world)).json()["data"]) == {"id_number"}
    session.execute(text("UPDATE catalog_items SET sensitivity = 'public' WHERE resource_id = :r AND key = 'id_number'"),
                    {"r": world["resource"].id})
    session.commit()
    assert client.get(_url(world), headers=call_headers(world)).json()["data"]["id_number"] == IDS[0]  # unmasked now
    session.execute(text("UPDATE catalog_resources SET status = 'withdrawn' WHERE id = :r"), {"r": world["resource"].id})
    session.commit()
    assert client.get(_url(world), headers=call_headers(world)).json()["code"] == "resource_unknown"


def test_a_dispute_and_a_new_load_show_in_the_next_answer(client: TestClient, session: Session, world,
                                                          city) -> None:  # type: ignore[no-untyped-def]
    first = client.get(_url(world), headers=call_headers(world)).json()
    assert first["disputed"] is False
    amr = city.users["amr_data"]
    session.add(DataDispute(number="SY-CACHE-1", resource_id=world["resource"].id,
                            provider_id=world["resource"].provider_id, consumer_id=amr.department_id,
                            raised_by=amr.id, record_key=IDS[0], record_seq=1, items=["name"],
                            description="姓名有误", status="open", stage_started_on=clock.today(), stage_days=5,
                            due_on=clock.today()))
    session.execute(text("UPDATE registry_heads SET version = version + 1 WHERE resource_id = :r"),
                    {"r": world["resource"].id})
    session.commit()
    second = client.get(_url(world), headers=call_headers(world)).json()
    assert second["disputed"] is True and second["disputes"][0]["number"] == "SY-CACHE-1"
    assert second["provenance"]["data_version"] == first["provenance"]["data_version"] + 1


def test_writing_a_keys_last_use_does_not_empty_the_caches(client: TestClient, session: Session,
                                                           world) -> None:  # type: ignore[no-untyped-def]
    before = _version(session)
    assert client.get(_url(world), headers=call_headers(world)).status_code == 200  # writes last_used_at
    assert session.execute(text("SELECT last_used_at FROM api_keys WHERE client_id = :c"),
                           {"c": world["client"].id}).scalar() is not None
    assert _version(session) == before


def test_concurrent_calls_each_have_their_count_and_entry_before_their_answer(
        client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    calls = 24

    def call(n: int) -> int:
        r = client.get(_url(world, IDS[n % len(IDS)]), headers=call_headers(world))
        # The answer is out: its entry must already be committed (read on another connection).
        assert r.status_code == 200, r.text
        return r.status_code

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(call, range(calls))) == [200] * calls
    session.rollback()
    assert session.execute(select(func.count()).select_from(ExchangeLogEntry).where(
        ExchangeLogEntry.result == "ok")).scalar_one() == calls
    minute = session.execute(select(func.sum(QuotaUsage.calls)).where(QuotaUsage.span == "m")).scalar_one()
    assert minute == calls


def test_quota_refusals_still_hold_with_the_group_commit(client: TestClient, session: Session,
                                                         world) -> None:  # type: ignore[no-untyped-def]
    world["grant"].calls_per_minute = 2
    session.commit()
    codes = [client.get(_url(world), headers=call_headers(world)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    session.rollback()
    results = session.execute(select(ExchangeLogEntry.result).order_by(ExchangeLogEntry.seq)).scalars().all()
    assert results == ["ok", "ok", "denied"]


def test_calls_counted_together_are_judged_by_their_place_in_the_count(engine: Engine, session: Session,
                                                                       world) -> None:  # type: ignore[no-untyped-def]
    """A group commit counts a batch's calls of one client to one resource with one upsert: with 3 calls left in
    the minute, the first 3 of 5 go on and the last 2 are refused, as if they had come one after another; another
    client's and an unlimited call in the same batch are judged apart."""
    client_id, resource_id = world["client"].id, world["resource"].id
    five, other, free = Limits(per_minute=3, per_day=0), Limits(per_minute=1, per_day=100), Limits(0, 0)
    with engine.begin() as conn:
        verdicts = quotas.count_many(conn, [(client_id, resource_id, five)] * 2 + [(client_id + 1000, resource_id,
                                            other), None, (client_id, resource_id, free)]
                                     + [(client_id, resource_id, five)] * 3)
    assert [v is None for v in verdicts] == [True, True, True, True, True, True, False, False]
    assert {v.code for v in verdicts if v is not None} == {"quota_minute_exceeded"}
    with engine.begin() as conn:  # counted, refused ones too: the next call is over as well
        assert quotas.count_many(conn, [(client_id, resource_id, five)])[0] is not None
    session.rollback()
    assert session.execute(select(QuotaUsage.calls).where(QuotaUsage.client_id == client_id,
                                                          QuotaUsage.span == "m")).scalar_one() == 6


def test_one_failing_write_does_not_fail_the_others_in_its_batch(engine: Engine, session: Session) -> None:
    barrier = threading.Barrier(6)

    def good(n: int) -> object:
        barrier.wait()
        return log_writer.write(engine, lambda conn: conn.execute(
            text("INSERT INTO config_versions (name, version) VALUES (:n, 1)"), {"n": f"t{n}"}).rowcount)

    def bad(conn: Connection) -> None:
        conn.execute(text("INSERT INTO no_such_table VALUES (1)"))

    def failing() -> None:
        barrier.wait()
        log_writer.write(engine, bad)

    with ThreadPoolExecutor(6) as pool:
        oks = [pool.submit(good, n) for n in range(5)]
        failed = pool.submit(failing)
        assert [f.result() for f in oks] == [1] * 5
        with pytest.raises(Exception, match="no_such_table"):
            failed.result()
    session.rollback()
    assert session.execute(select(func.count()).select_from(ConfigVersion).where(
        ConfigVersion.name.like("t%"))).scalar_one() == 5


def test_on_a_sqlite_file_a_group_commit_takes_its_turn_through_the_lock_file(engine: Engine,
                                                                            session: Session) -> None:
    """Another process's leader holds the turn (a second open of the lock file conflicts as another process's
    would): this process's commit waits for it and then commits; a failed commit gives the turn back."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        pytest.skip("the lock file is SQLite's, for a database in a file")
    import fcntl

    log_writer.write(engine, lambda conn: None)  # this process's group exists and has its lock file open
    other = os.open(f"{engine.url.database}-commit.lock", os.O_RDWR)
    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        writer = threading.Thread(target=lambda: log_writer.write(engine, lambda conn: conn.execute(
            text("INSERT INTO config_versions (name, version) VALUES ('turn', 1)"))))
        writer.start()
        writer.join(0.5)
        assert writer.is_alive()  # waiting for its turn, nothing written
        session.rollback()
        assert session.execute(select(func.count()).select_from(ConfigVersion).where(
            ConfigVersion.name == "turn")).scalar_one() == 0
        fcntl.flock(other, fcntl.LOCK_UN)
        writer.join(30)
        assert not writer.is_alive()
        session.rollback()
        assert session.execute(select(func.count()).select_from(ConfigVersion).where(
            ConfigVersion.name == "turn")).scalar_one() == 1

        with pytest.raises(Exception, match="no_such_table"):
            log_writer.write(engine, lambda conn: conn.execute(text("INSERT INTO no_such_table VALUES (1)")))
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the turn was given back: free at once
        fcntl.flock(other, fcntl.LOCK_UN)
    finally:
        os.close(other)


def test_on_sqlite_the_group_commit_syncs_the_wal_before_it_answers(engine: Engine, synced_files: list[int]) -> None:
    """WAL with synchronous=NORMAL survives a crash of the process, not of the machine: the batch commits with NORMAL
    (the process's turn at the write lock ends sooner), then the WAL file is synced, and only then is the write's
    caller answered. The real fsync runs; the test records which file it synced."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        pytest.skip("SQLite's WAL file")
    synced = synced_files

    def work(conn: Connection) -> int:
        assert synced == []  # nothing synced before the batch is written
        return int(conn.exec_driver_sql("PRAGMA synchronous").scalar_one())

    assert log_writer.write(engine, work) == 1  # NORMAL: the commit itself does not wait for the disk
    assert synced == [os.stat(f"{database}-wal").st_ino]  # the WAL was synced before the write returned


def test_a_batch_of_entries_is_numbered_after_the_last_and_keeps_each_its_subjects(
        client: TestClient, engine: Engine, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    """A group commit's entries go in together (on SQLite two statements, in as many pieces as SQLite takes
    variables for: here a limit of 40 forces two entries a statement),
    numbered after the log's last entry in their order, each with its own subjects and values."""
    from tongban.exchange import access

    assert client.get(_url(world), headers=call_headers(world)).status_code == 200
    session.rollback()
    last = session.execute(select(ExchangeLogEntry).order_by(ExchangeLogEntry.seq.desc())).scalars().first()
    assert last is not None
    template = {c: getattr(last, c) for c in access._LOG_COLUMNS}
    # One entry without subjects and one without a provider or resource (as a refused call's).
    rows = [({**template, "row_mac": f"test.{n}", "case_number": f"BATCH{n}",
              **({"provider_id": None, "resource_id": None} if n == 3 else {})},
             [] if n == 2 else [f"S{n}A", f"S{n}B"]) for n in range(5)]
    with engine.begin() as conn:
        driver = conn.connection.dbapi_connection
        if engine.dialect.name == "sqlite":
            import sqlite3

            before = driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 40)  # type: ignore[union-attr]
        try:
            seqs = access._insert_entries(conn, rows)
        finally:
            if engine.dialect.name == "sqlite":
                driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)  # type: ignore[union-attr]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5 and seqs[0] > last.seq
    if engine.dialect.name == "sqlite":
        assert seqs == list(range(last.seq + 1, last.seq + 6))  # as SQLite would have numbered them one by one
    session.rollback()
    written = {r.seq: (r.case_number, r.provider_id, r.occurred_at, r.row_mac) for r in session.execute(
        select(ExchangeLogEntry).where(ExchangeLogEntry.seq.in_(seqs))).scalars()}
    assert written == {seq: (f"BATCH{n}", None if n == 3 else template["provider_id"], template["occurred_at"],
                             f"test.{n}") for n, seq in enumerate(seqs)}
    subjects = session.execute(text("SELECT seq, subject FROM exchange_log_subjects WHERE seq >= :s ORDER BY seq, "
                                    "subject"), {"s": seqs[0]}).all()
    assert [tuple(r) for r in subjects] == [(seq, f"S{n}{x}") for n, seq in enumerate(seqs) if n != 2 for x in "AB"]


def test_entries_written_together_are_sealed_as_genuine(client: TestClient, session: Session,
                                                        world) -> None:  # type: ignore[no-untyped-def]
    """The entries of concurrent calls, written by the group commit in batches, carry row MACs the sealer recomputes:
    all are chained, none refused, and the chain verifies."""
    from tongban.exchange import sealing

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda n: client.get(_url(world, IDS[n % len(IDS)]),
                                                   headers=call_headers(world)).status_code, range(16)))
    assert codes == [200] * 16
    session.rollback()
    assert sealing.seal(session) == 16
    session.commit()
    result = sealing.verify(session)
    assert result.ok and result.checked == 16
