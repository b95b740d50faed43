"""config_versions: one number per cached area that triggers raise on every change of the rows cached.

Why: every exchange call read the caller's API key and client, the resource and its items, the grants, the register's
head and the record's open disputes with a query each (about 1.4 ms a call on SQLite, bench/request_path.py). Each app
process now keeps them in memory (tongban/versioned.py) for as long as the number of the area "exchange" is unchanged;
the triggers below add one to it in the same transaction as any insert, update or delete of those rows, so no write
path (a page, the API, a job, the command line or plain SQL) can leave a process serving what was changed. An API
key's `last_used_at` is left out: it is written every five minutes of use and is not cached.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

# table → the columns whose update matters (None: every update)
WATCHED: dict[str, tuple[str, ...] | None] = {
    "api_keys": ("client_id", "key_hash", "expires_at", "revoked_at"),
    "app_clients": None,
    "departments": None,
    "catalog_resources": None,
    "catalog_items": None,
    "sharing_grants": None,
    "registry_heads": None,
    "data_disputes": None,
}
BUMP = "UPDATE config_versions SET version = version + 1 WHERE name = 'exchange'"


def upgrade() -> None:
    op.create_table(
        "config_versions",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_config_versions"),
    )
    op.execute("INSERT INTO config_versions (name, version) VALUES ('exchange', 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION bump_exchange_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {BUMP}; RETURN NULL; END $$")
        for table, columns in WATCHED.items():
            update = "UPDATE" + (f" OF {', '.join(columns)}" if columns else "")
            op.execute(f"CREATE TRIGGER {table}_bump_exchange AFTER INSERT OR DELETE OR {update} ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION bump_exchange_version()")
        return
    for table, columns in WATCHED.items():
        for event in ("INSERT", "DELETE", "UPDATE" + (f" OF {', '.join(columns)}" if columns else "")):
            name = f"{table}_bump_exchange_{event.split()[0].lower()}"
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER {table}_bump_exchange ON {table}")
        op.execute("DROP FUNCTION bump_exchange_version()")
    else:
        for table in WATCHED:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_bump_exchange_{event}")
    op.drop_table("config_versions")
