"""Migration 0016 carries the open deadlines of existing sharing requests and disputes over as running clocks."""

from __future__ import annotations

import datetime as dt
import os

import sqlalchemy as sa
from alembic import command

from tests.migration_support import foreign_keys_off, insert_row
from tongban.cli import alembic_config
from tongban.db import make_engine

PG_URL = os.environ.get("TONGBAN_TEST_DATABASE_URL", "")
D = dt.date


def _day(value: object) -> dt.date:
    """A date column read back by plain SQL (SQLite gives text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def test_open_deadlines_become_running_clocks(fresh_url: str) -> None:
    cfg = alembic_config(fresh_url)
    command.upgrade(cfg, "0015")
    engine = make_engine(fresh_url)
    flagged = dt.datetime(2026, 12, 8, 0, 5)
    with engine.begin() as conn:
        foreign_keys_off(conn)
        insert_row(conn, "sharing_requests", id=1, number="GX202612010001", status="pending_provider",
                stage_started_on=D(2026, 12, 1), stage_days=5, due_on=D(2026, 12, 8), due_assumed=False)
        insert_row(conn, "sharing_requests", id=2, number="GX202612010002", status="granted", due_on=None)
        insert_row(conn, "data_disputes", id=7, number="JC202612010001", status="open", stage_started_on=D(2026, 11, 27),
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
