"""Test fixtures: a real, migrated database per test (SQLite file or PostgreSQL), real HTTP.

Set TONGBAN_TEST_DATABASE_URL to a PostgreSQL URL to run the suite on PostgreSQL (`make test`
does both). Each test gets an empty, migrated database: on SQLite a copy of a migrated
template file, on PostgreSQL the tables truncated.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

os.environ.setdefault("TONGBAN_ENV", "test")
os.environ.setdefault("TONGBAN_AUDIT_KEY", "test-audit-key-0123456789abcdef0123456789")
os.environ.setdefault("TONGBAN_SECRET_KEY", "test-secret-key-0123456789abcdef0123456789")
# Minimal argon2 cost for the thousands of test logins (refused outside TONGBAN_ENV=test; see config.py).
os.environ.setdefault("TONGBAN_ARGON2_COST", "test")

from tongban.cli import upgrade_database
from tongban.config import Settings, get_settings
from tongban.db import make_engine, make_session_factory
from tongban.demo.loader import DemoSummary
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
REFERENCE_TABLES = ("catalog_classifications", "calendar_years", "calendar_days", "exchange_log_head", "config_versions")
_reference_rows: dict[str, list[dict[str, object]]] = {}


def _checksums(conn: Connection, tables: Sequence[str]) -> dict[str, str]:
    """Each table's content as one md5 (its rows as text, in order), read in one statement."""
    query = " UNION ALL ".join(
        f"SELECT '{t}', md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM \"{t}\" r" for t in tables)
    return {name: digest for name, digest in conn.execute(text(query))}


_pg_state: dict[str, Any] = {}


def _truncate_pg(engine: Engine) -> None:
    """Back to the migrated state: the tables a test wrote truncated, the reference rows as the migrations seeded
    them, every table's identity restarted. Only tables holding rows are truncated (TRUNCATE of all ~80 tables
    cost ~70 ms a test, for some 860 tests), and the reference tables are put back only when their rows changed."""
    with engine.begin() as conn:
        if not _pg_state:  # the first test: the schema is as the migrations left it
            for table in REFERENCE_TABLES:
                _reference_rows[table] = [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table}"))]
            _pg_state["reference"] = _checksums(conn, REFERENCE_TABLES)
        others = [r[0] for r in conn.execute(text(  # read each time: a test may have added or dropped one
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version' "
            "ORDER BY tablename")) if r[0] not in (*REFERENCE_TABLES, "audit_chain_head")]
        holding = [r[0] for r in conn.execute(text(" UNION ALL ".join(
            f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in others)))]
        if holding:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in holding) + " CASCADE"))
        # Tamper tests drop the append-only trigger; put it back for the next test.
        conn.execute(text("CREATE OR REPLACE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log "
                          "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"))
        conn.execute(text("DELETE FROM audit_chain_head WHERE NOT (id = 1 AND last_seq = 0 AND last_hash = :h)"),
                     {"h": "0" * 64})
        conn.execute(text("INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, :h) "
                          "ON CONFLICT (id) DO NOTHING"), {"h": "0" * 64})
        now = _checksums(conn, REFERENCE_TABLES)
        for table in REFERENCE_TABLES:
            rows = _reference_rows[table]
            if now[table] == _pg_state["reference"][table]:
                continue
            conn.execute(text(f"DELETE FROM {table}"))
            if rows:
                cols = list(rows[0])
                conn.execute(text(f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
                                  f"({', '.join(':' + c for c in cols)})"), rows)
        # Identities restart (as TRUNCATE … RESTART IDENTITY did for every table): the sequences owned by a column.
        conn.execute(text(
            "SELECT setval(s.oid, 1, false) FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
            "AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "WHERE s.relkind = 'S'"))


@pytest.fixture
def database_url(_migrated_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 request: pytest.FixtureRequest) -> Iterator[str]:
    """The test's database: empty and migrated, or — for a test that asks for `demo` — a copy of the demo city
    loaded once per session (`_demo_template`), with a copy of the files it stored."""
    demo: _DemoTemplate | None = request.getfixturevalue("_demo_template") if "demo" in request.fixturenames else None
    copy_name = ""
    if demo is not None:
        url, copy_name = copy_of_template(demo.location, demo.files_dir, tmp_path, "demo")
    elif PG_URL:
        engine = make_engine(PG_URL)
        _truncate_pg(engine)
        engine.dispose()
        url = PG_URL
    else:
        db = tmp_path / "tongban.db"
        shutil.copyfile(_migrated_template, db)
        url = f"sqlite:///{db}"
    settings_for(monkeypatch, url, tmp_path)
    yield url
    get_settings.cache_clear()
    if copy_name:
        _admin_sql(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')


def settings_for(mp: pytest.MonkeyPatch, url: str, where: Path) -> None:
    """The app's settings for a test's database: its URL, and a file store and checkpoint directory under `where`
    (never the repository's var/)."""
    mp.setenv("TONGBAN_DATABASE_URL", url)
    mp.setenv("TONGBAN_CHECKPOINT_DIR", str(where / "checkpoints"))
    mp.setenv("TONGBAN_FILES_DIR", str(where / "files"))
    get_settings.cache_clear()


def new_template(name: str, where: Path, migrated: str) -> tuple[str, str]:
    """A migrated, empty database to build a template in: its location (PostgreSQL: the database's name; SQLite: the
    file) and URL. Drop it with `drop_template`."""
    if PG_URL:
        location = f"tongban_{name}_{os.getpid()}"
        _admin_sql(f'DROP DATABASE IF EXISTS "{location}" WITH (FORCE)', f'CREATE DATABASE "{location}"')
        url = _pg_database(location)
        upgrade_database(url)
        return location, url
    location = str(where / f"{name}.db")
    shutil.copyfile(migrated, location)
    return location, f"sqlite:///{location}"


def drop_template(location: str) -> None:
    if PG_URL:
        _admin_sql(f'DROP DATABASE IF EXISTS "{location}" WITH (FORCE)')


def copy_of_template(location: str, files_dir: Path, tmp_path: Path, name: str) -> tuple[str, str]:
    """A test's copy of a template's database (SQLite: the file; PostgreSQL: CREATE DATABASE … TEMPLATE) and of its
    stored files (into tmp_path/files, where `settings_for` points the file store): the copy's URL, and on
    PostgreSQL the copy's name to drop after the test ("" on SQLite)."""
    shutil.copytree(files_dir, tmp_path / "files")
    if PG_URL:
        copy_name = f"tongban_{name}_copy_{os.getpid()}"
        _admin_sql(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)',
                   f'CREATE DATABASE "{copy_name}" TEMPLATE "{location}"')
        return _pg_database(copy_name), copy_name
    db = tmp_path / "tongban.db"
    shutil.copyfile(location, db)
    return f"sqlite:///{db}", ""


def _pg_database(name: str) -> str:
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def _admin_sql(*statements: str) -> None:
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


@dataclass(frozen=True)
class _DemoTemplate:
    location: str  # SQLite: the file; PostgreSQL: the template database's name
    files_dir: Path
    summary: DemoSummary


@pytest.fixture(scope="session")
def _demo_template(_migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[_DemoTemplate]:
    """The demo city, loaded once per test session by the real loader (tongban.demo.loader.load, the same code
    `make run` runs); each test asking for `demo` starts from a copy of it. Loading it per test cost about 10 s
    on PostgreSQL, for some 30 tests."""
    from tongban.demo import loader

    where = tmp_path_factory.mktemp("demo")
    location, url = new_template("demo", where, _migrated_template)
    with pytest.MonkeyPatch.context() as mp:
        settings_for(mp, url, where)
        engine = make_engine(url)
        session = make_session_factory(engine)()
        try:
            summary = loader.load(session)
            session.commit()
        finally:
            session.close()
            engine.dispose()
            get_settings.cache_clear()
    (where / "files").mkdir(exist_ok=True)
    yield _DemoTemplate(location, where / "files", summary)
    drop_template(location)


@pytest.fixture
def demo(_demo_template: _DemoTemplate, database_url: str) -> DemoSummary:
    """The demo city in this test's database (a copy; change it freely) and what the loader reported."""
    return _demo_template.summary


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
def as_user(app, session: Session) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """A logged-in HTTP client per user (session cookie, CSRF header on unsafe calls); a user made with a
    placeholder hash ("x") gets the test password first."""
    from tests.factories import PASSWORD, login
    from tongban.org.auth import hash_password

    opened: list[TestClient] = []

    def open_as(user: Any) -> TestClient:
        if user.password_hash == "x":
            user.password_hash = hash_password(PASSWORD)
            session.commit()
        c = TestClient(app, base_url="http://testserver")
        c.__enter__()
        opened.append(c)
        c.headers["X-CSRF-Token"] = login(c, str(user.username))
        return c

    yield open_as
    for c in opened:
        c.__exit__(None, None, None)


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
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    yield _pg_database(name)
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
