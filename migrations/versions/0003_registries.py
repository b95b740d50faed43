"""Registries: records of 库表 resources held in the hub.

Why: the exchange serves base-registry data (population, legal entities, credit …) that departments
load into the hub. A load is first staged and validated row by row; only a complete load is
merged into the records, in one transaction, so an interrupted or failed load leaves the
published data as it was. Each record keeps the resource's change sequence number of its last
change, which subscribers use as a cursor. Record data is JSON (JSONB on PostgreSQL).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:09:54.467814
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('registry_heads',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_load_id', sa.Integer(), nullable=True),
    sa.Column('records', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['catalog_resources.id'], name=op.f('fk_registry_heads_resource_id_catalog_resources')),
    sa.PrimaryKeyConstraint('resource_id', name=op.f('pk_registry_heads'))
    )
    op.create_table('registry_loads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=False),
    sa.Column('rows_read', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rows_rejected', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rows_changed', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('started_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['resource_id'], ['catalog_resources.id'], name=op.f('fk_registry_loads_resource_id_catalog_resources')),
    sa.ForeignKeyConstraint(['started_by'], ['users.id'], name=op.f('fk_registry_loads_started_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_loads'))
    )
    with op.batch_alter_table('registry_loads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_loads_resource_id'), ['resource_id'], unique=False)

    op.create_table('registry_records',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('record_key', sa.String(length=255), nullable=False),
    sa.Column('checksum', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['catalog_resources.id'], name=op.f('fk_registry_records_resource_id_catalog_resources')),
    sa.PrimaryKeyConstraint('resource_id', 'record_key', name=op.f('pk_registry_records'))
    )
    with op.batch_alter_table('registry_records', schema=None) as batch_op:
        batch_op.create_index('ix_registry_records_resource_seq', ['resource_id', 'seq'], unique=False)

    op.create_table('registry_staging',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('record_key', sa.String(length=255), nullable=False),
    sa.Column('checksum', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['load_id'], ['registry_loads.id'], name=op.f('fk_registry_staging_load_id_registry_loads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('load_id', 'row_no', name=op.f('pk_registry_staging'))
    )
    with op.batch_alter_table('registry_staging', schema=None) as batch_op:
        batch_op.create_index('ix_registry_staging_load_key', ['load_id', 'record_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('registry_staging', schema=None) as batch_op:
        batch_op.drop_index('ix_registry_staging_load_key')

    op.drop_table('registry_staging')
    with op.batch_alter_table('registry_records', schema=None) as batch_op:
        batch_op.drop_index('ix_registry_records_resource_seq')

    op.drop_table('registry_records')
    with op.batch_alter_table('registry_loads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_loads_resource_id'))

    op.drop_table('registry_loads')
    op.drop_table('registry_heads')
