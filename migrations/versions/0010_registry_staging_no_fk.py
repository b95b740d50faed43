"""Registries: no per-row foreign-key check on staging rows.

Why: every staged row checked its load row (a trigger per row on PostgreSQL), which slowed the
staging of a 5-million-row reload by about a third. Staging rows belong to one load and are deleted
by the code that ends it (publish, failure, or the next load's clean-up of a crashed one); loads
are never deleted, so the cascade had nothing to do.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 14:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registry_staging', schema=None) as batch_op:
        batch_op.drop_constraint('fk_registry_staging_load_id_registry_loads', type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('registry_staging', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_registry_staging_load_id_registry_loads', 'registry_loads', ['load_id'], ['id'],
                                    ondelete='CASCADE')
