"""Numbers people read from one counter table; file content out of the database into the file store.

Why numbers: sharing requests (GX…) and disputes (JC…) took `max(number) + 1`, so two submitted at
once got the same number and one failed on the unique index; licences had a counter table of their
own. `number_counters` holds one row per (series, period) for all of them (numbering.py). The rows
are seeded from the numbers already issued, so the next number of today follows the last one.
`licence_counters` moves into it (series `licence:<department id>:<type id>`) and is dropped.

Why files: dispute evidence and signed licence PDFs were blobs in `data_dispute_attachments.content`
and `licence_versions.pdf`, which made every backup, replica and table scan carry megabytes that
the database never queries. Each blob is written to the file store (files.py, TONGBAN_FILES_DIR)
under its SHA-256, checked against the hash the row already keeps (`sha256`, `pdf_sha256`), and the
blob column is dropped. Run it where the application's file store is mounted; from now on the
database and the file store are backed up together (docs/operations.md).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:45:00.000000
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_CHUNK = 100  # blobs read per query: bounded memory on a large licence library


def _blobs(conn: sa.Connection, table: str, blob: str, digest: str) -> Iterator[tuple[int, str, bytes]]:
    query = f"SELECT id, {digest}, {blob} FROM {table} WHERE id > :last ORDER BY id LIMIT {_CHUNK}"  # noqa: S608
    last = 0
    while True:
        rows = conn.execute(sa.text(query), {"last": last}).all()
        if not rows:
            return
        for row_id, sha256, content in rows:
            yield int(row_id), str(sha256), bytes(content)
            last = int(row_id)


def _move_out(conn: sa.Connection, table: str, blob: str, digest: str) -> None:
    from tongban.files import get_store

    store = get_store()
    for row_id, sha256, content in _blobs(conn, table, blob, digest):
        actual = hashlib.sha256(content).hexdigest()
        if actual != sha256:
            raise RuntimeError(f"{table} row {row_id}: the stored content does not match its SHA-256 "
                               f"({sha256}, content {actual}); the row was altered — investigate before migrating")
        store.put(content)


def _seed_daily(conn: sa.Connection, table: str, prefix: str, series: str) -> list[dict[str, Any]]:
    last: dict[str, int] = {}
    for (number,) in conn.execute(sa.text(f"SELECT number FROM {table}")):  # noqa: S608 - own names
        if number.startswith(prefix) and number[len(prefix):].isdigit() and len(number) > len(prefix) + 8:
            day, seq = number[len(prefix):len(prefix) + 8], int(number[len(prefix) + 8:])
            last[day] = max(last.get(day, 0), seq)
    return [{"series": series, "period": day, "last": n} for day, n in last.items()]


def upgrade() -> None:
    counters = op.create_table(
        'number_counters',
        sa.Column('series', sa.String(length=64), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('series', 'period', name=op.f('pk_number_counters')),
    )
    conn = op.get_bind()
    rows = _seed_daily(conn, "sharing_requests", "GX", "sharing_request")
    rows += _seed_daily(conn, "data_disputes", "JC", "data_dispute")
    for dept, type_id, day, n in conn.execute(sa.text(
            "SELECT issuer_department_id, type_id, day, last FROM licence_counters")):
        day_text = day.strftime("%Y%m%d") if hasattr(day, "strftime") else str(day).replace("-", "")
        rows.append({"series": f"licence:{dept}:{type_id}", "period": day_text, "last": int(n)})
    if rows:
        op.bulk_insert(counters, rows)
    op.drop_table('licence_counters')

    _move_out(conn, "data_dispute_attachments", "content", "sha256")
    _move_out(conn, "licence_versions", "pdf", "pdf_sha256")
    with op.batch_alter_table('data_dispute_attachments', schema=None) as batch_op:
        batch_op.drop_column('content')
    with op.batch_alter_table('licence_versions', schema=None) as batch_op:
        batch_op.drop_column('pdf')


def _move_in(conn: sa.Connection, table: str, blob: str, digest: str) -> None:
    from tongban.files import get_store

    store = get_store()
    for row_id, sha256 in conn.execute(sa.text(f"SELECT id, {digest} FROM {table}")).all():  # noqa: S608
        conn.execute(sa.text(f"UPDATE {table} SET {blob} = :b WHERE id = :id"),  # noqa: S608 - own names
                     {"b": store.read_blob(sha256), "id": row_id})


def downgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table('licence_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('data_dispute_attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content', sa.LargeBinary(), nullable=True))
    _move_in(conn, "licence_versions", "pdf", "pdf_sha256")
    _move_in(conn, "data_dispute_attachments", "content", "sha256")
    with op.batch_alter_table('licence_versions', schema=None) as batch_op:
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=False)
    with op.batch_alter_table('data_dispute_attachments', schema=None) as batch_op:
        batch_op.alter_column('content', existing_type=sa.LargeBinary(), nullable=False)

    licence_counters = op.create_table(
        'licence_counters',
        sa.Column('issuer_department_id', sa.Integer(), nullable=False),
        sa.Column('type_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['issuer_department_id'], ['departments.id'],
                                name=op.f('fk_licence_counters_issuer_department_id_departments')),
        sa.ForeignKeyConstraint(['type_id'], ['licence_types.id'], name=op.f('fk_licence_counters_type_id_licence_types')),
        sa.PrimaryKeyConstraint('issuer_department_id', 'type_id', 'day', name=op.f('pk_licence_counters')),
    )
    rows = []
    for series, period, n in conn.execute(sa.text(
            "SELECT series, period, last FROM number_counters WHERE series LIKE 'licence:%'")):
        _, dept, type_id = series.split(":")
        rows.append({"issuer_department_id": int(dept), "type_id": int(type_id),
                     "day": dt.date(int(period[:4]), int(period[4:6]), int(period[6:])), "last": int(n)})
    for row in rows:
        conn.execute(licence_counters.insert().values(**row))
    op.drop_table('number_counters')
