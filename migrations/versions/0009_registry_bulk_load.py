"""Registries: cheaper bulk loads (staging unlogged on PostgreSQL, no per-row foreign-key check on records).

Why: a population register is millions of rows, and every row is written twice, first to staging and
then to the records. Staging rows are transient by design (a load that does not reach its merge is
failed and its staging rows dropped), so on PostgreSQL the staging table is UNLOGGED: no WAL for it,
and after a crash it comes back empty, which is exactly what a failed load needs. The records'
foreign key to the catalog checked the same resource once per row (about a fifth of the merge time);
a record's resource is already guaranteed by its `registry_heads` row, which keeps the foreign key,
and catalog resources are never deleted (they are retired).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 12:30:00
"""

from __future__ import annotations

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registry_records', schema=None) as batch_op:
        batch_op.drop_constraint('fk_registry_records_resource_id_catalog_resources', type_='foreignkey')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE registry_staging SET UNLOGGED')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE registry_staging SET LOGGED')
    with op.batch_alter_table('registry_records', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_registry_records_resource_id_catalog_resources', 'catalog_resources',
                                    ['resource_id'], ['id'])

