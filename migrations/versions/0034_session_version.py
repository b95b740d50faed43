"""config_versions "sessions": raised by triggers on every change of web sessions, users and their roles.

Why: every page request resolved its actor from the session cookie with three statements (the session, the user with
its department, the roles); the data officer's home spent more on that than on its own figures (bench/request_path.py).
Each app process now remembers a session's actor (tongban/versioned.py, area "sessions") while this number is
unchanged; logging in or out, a password change, a disabled account or a changed role moves it in the same
transaction, so no process can act on a session that ended or a role that was taken away.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04 05:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

WATCHED = ("web_sessions", "users", "user_roles")
BUMP = "UPDATE config_versions SET version = version + 1 WHERE name = 'sessions'"


def upgrade() -> None:
    op.execute("INSERT INTO config_versions (name, version) VALUES ('sessions', 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION bump_sessions_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {BUMP}; RETURN NULL; END $$")
        for table in WATCHED:
            op.execute(f"CREATE TRIGGER {table}_bump_sessions AFTER INSERT OR DELETE OR UPDATE ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION bump_sessions_version()")
        return
    for table in WATCHED:
        for event in ("INSERT", "DELETE", "UPDATE"):
            op.execute(f"CREATE TRIGGER {table}_bump_sessions_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER {table}_bump_sessions ON {table}")
        op.execute("DROP FUNCTION bump_sessions_version()")
    else:
        for table in WATCHED:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_bump_sessions_{event}")
    op.execute("DELETE FROM config_versions WHERE name = 'sessions'")
