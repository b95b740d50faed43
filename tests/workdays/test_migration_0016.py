"""Migration 0016 carries the open deadlines of existing sharing requests and disputes over as running clocks."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from tongban.cli import alembic_config
from tongban.db import make_engine

PG_URL = os.environ.get("TONGBAN_TEST_DATABASE_URL", "")
D = dt.date


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (the migrations run step by step, not from the template at head)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    name = f"tongban_clocks_{os.getpid()}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _filler(col: sa.Column[Any]) -> Any:
    t = col.type
    if isinstance(t, sa.Boolean):
        return False
    if isinstance(t, sa.DateTime):
        return dt.datetime(2026, 12, 1, 8, 0)
    if isinstance(t, sa.Date):
        return D(2026, 12, 1)
    if isinstance(t, sa.Integer):
        return 1
    if isinstance(t, sa.JSON):
        return []
    return "x"


def _insert(conn: sa.Connection, table: str, **values: Any) -> None:
    """A row with the given values and a placeholder in every other required column (foreign keys are off)."""
    t = sa.Table(table, sa.MetaData(), autoload_with=conn)
    row = {c.name: _filler(c) for c in t.columns if not c.nullable and c.name != "id" and c.name not in values}
    conn.execute(t.insert().values(**row, **values))


def _day(value: object) -> dt.date:
    """A date column read back by plain SQL (SQLite gives text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def test_open_deadlines_become_running_clocks(fresh_url: str) -> None:
    cfg = alembic_config(fresh_url)
    command.upgrade(cfg, "0015")
    engine = make_engine(fresh_url)
    flagged = dt.datetime(2026, 12, 8, 0, 5)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SET session_replication_role = replica"))  # foreign keys off for these rows
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        _insert(conn, "sharing_requests", id=1, number="GX202612010001", status="pending_provider",
                stage_started_on=D(2026, 12, 1), stage_days=5, due_on=D(2026, 12, 8), due_assumed=False)
        _insert(conn, "sharing_requests", id=2, number="GX202612010002", status="granted", due_on=None)
        _insert(conn, "data_disputes", id=7, number="JC202612010001", status="open", stage_started_on=D(2026, 11, 27),
                stage_days=5, due_on=D(2026, 12, 4), due_assumed=False, overdue_flagged_at=flagged)
    command.upgrade(cfg, "0016")
    with engine.connect() as conn:
        clocks = conn.execute(sa.text(
            "SELECT owner_type, owner_id, stage, state, started_on, days, due_on, warn_on, overdue_at "
            "FROM legal_clocks ORDER BY owner_type")).all()
        events = conn.execute(sa.text("SELECT kind, due_on FROM legal_clock_events ORDER BY id")).all()
    rows = [(t, i, s, st, _day(a), n, _day(d), _day(w), o is not None) for t, i, s, st, a, n, d, w, o in clocks]
    assert rows == [
        # A dispute already flagged overdue stays flagged: no second flag after the upgrade.
        ("data_dispute", 7, "open", "running", D(2026, 11, 27), 5, D(2026, 12, 4), D(2026, 12, 3), True),
        # Warn day one working day before Tuesday 8 December; the granted request has no clock.
        ("sharing_request", 1, "pending_provider", "running", D(2026, 12, 1), 5, D(2026, 12, 8), D(2026, 12, 7),
         False),
    ]
    assert [e[0] for e in events] == ["start", "start"]
    command.downgrade(cfg, "0015")
    assert "legal_clocks" not in sa.inspect(engine).get_table_names()
    engine.dispose()
