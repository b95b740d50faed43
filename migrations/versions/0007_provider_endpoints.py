"""Provider endpoints of 接口 resources: the provider's own system, to which the hub forwards queries.

Why: some departments keep their data in their own business system and share it by interface (共享方式
接口) rather than loading it into the hub. The provider registers its system's HTTP endpoint for such a
resource; the hub forwards a consumer's query there with the same grant, masking and exchange log as for
records held in the hub. One endpoint per resource; the timeout is bounded (200–30000 ms) so that a slow
provider cannot hold the hub's workers; the last connection test is kept so that both sides can see
whether the provider's system answers.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exchange_provider_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('timeout_ms', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('registered_by', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('last_check_at', sa.DateTime(), nullable=True),
    sa.Column('last_check_ok', sa.Boolean(), nullable=True),
    sa.Column('last_check_status', sa.Integer(), nullable=True),
    sa.Column('last_check_ms', sa.Integer(), nullable=True),
    sa.Column('last_check_message', sa.String(length=255), nullable=False),
    sa.CheckConstraint('timeout_ms BETWEEN 200 AND 30000', name=op.f('ck_exchange_provider_endpoints_timeout_range')),
    sa.ForeignKeyConstraint(['registered_by'], ['users.id'], name=op.f('fk_exchange_provider_endpoints_registered_by_users')),
    sa.ForeignKeyConstraint(['resource_id'], ['catalog_resources.id'], name=op.f('fk_exchange_provider_endpoints_resource_id_catalog_resources')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_exchange_provider_endpoints_updated_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_provider_endpoints')),
    sa.UniqueConstraint('resource_id', name=op.f('uq_exchange_provider_endpoints_resource_id'))
    )


def downgrade() -> None:
    op.drop_table('exchange_provider_endpoints')
