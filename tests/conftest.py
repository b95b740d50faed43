"""Test fixtures: a real, migrated database per test (SQLite file or PostgreSQL), real HTTP.

Set TONGBAN_TEST_DATABASE_URL to a PostgreSQL URL to run the suite on PostgreSQL (`make test`
does both). Each test gets an empty, migrated database: on SQLite a copy of a migrated
template file, on PostgreSQL the tables truncated.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

os.environ.setdefault("TONGBAN_ENV", "test")
os.environ.setdefault("TONGBAN_AUDIT_KEY", "test-audit-key-0123456789abcdef0123456789")
os.environ.setdefault("TONGBAN_SECRET_KEY", "test-secret-key-0123456789abcdef0123456789")

from tongban.cli import upgrade_database
from tongban.config import Settings, get_settings
from tongban.db import make_engine, make_session_factory
from tongban.main import create_app

PG_URL = os.environ.get("TONGBAN_TEST_DATABASE_URL", "")


def pytest_report_header(config: pytest.Config) -> str:
    return f"tongban database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (file per test)'}"


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run the migrations once per test session; tests start from a copy (SQLite) or a truncate (PG)."""
    if PG_URL:
        engine = make_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        upgrade_database(PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return str(path)


# Reference data the migrations seed (national classification, holiday calendar): kept across tests.
REFERENCE_TABLES = ("catalog_classifications", "calendar_years", "calendar_days", "exchange_log_head")
_reference_rows: dict[str, list[dict[str, object]]] = {}


def _truncate_pg(engine: Engine) -> None:
    with engine.begin() as conn:
        if not _reference_rows:
            for table in REFERENCE_TABLES:
                _reference_rows[table] = [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table}"))]
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        # Tamper tests drop the append-only trigger; put it back for the next test.
        conn.execute(text("CREATE OR REPLACE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log "
                          "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"))
        conn.execute(text("INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, :h)"),
                     {"h": "0" * 64})
        for table in REFERENCE_TABLES:
            rows = _reference_rows[table]
            if rows:
                cols = list(rows[0])
                conn.execute(text(f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
                                  f"({', '.join(':' + c for c in cols)})"), rows)


@pytest.fixture
def database_url(_migrated_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if PG_URL:
        engine = make_engine(PG_URL)
        _truncate_pg(engine)
        engine.dispose()
        url = PG_URL
    else:
        db = tmp_path / "tongban.db"
        shutil.copyfile(_migrated_template, db)
        url = f"sqlite:///{db}"
    monkeypatch.setenv("TONGBAN_DATABASE_URL", url)
    monkeypatch.setenv("TONGBAN_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))  # never the repo's var/
    monkeypatch.setenv("TONGBAN_FILES_DIR", str(tmp_path / "files"))  # each test its own file store
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return get_settings()


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def engine(app) -> Engine:  # type: ignore[no-untyped-def]
    return app.state.engine  # type: ignore[no-any-return]


@pytest.fixture
def session(app) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    factory = make_session_factory(app.state.engine)
    s = factory()
    yield s
    s.close()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def city(session: Session):  # type: ignore[no-untyped-def]
    """A small city: two departments with staff in every role, a citizen and an enterprise."""
    from tests.factories import small_city

    return small_city(session)


@pytest.fixture
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app served by uvicorn on loopback in this process (same database as the test's session)."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # startup wait only; nothing is asserted about time
        if not thread.is_alive():
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of its own, for tests that run migrations step by step (not the template at head)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    name = f"tongban_migrate_{os.getpid()}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
