"""Quotas of the exchange: calls per minute and per day on each grant, and the counters.

Why: a provider's registry must not be drained or overloaded by one consumer system. Each grant
carries a per-minute and a per-day limit (NULL: the platform default from settings; 0: unlimited).
Calls are counted per client and resource in minute and day windows with one upsert per call,
so the count holds across worker processes; old windows are pruned by `tongban exchange seal`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sharing_grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calls_per_minute', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('calls_per_day', sa.Integer(), nullable=True))
    op.create_table('exchange_quota_usage',
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('span', sa.String(length=1), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('client_id', 'resource_id', 'span', 'window_start', name=op.f('pk_exchange_quota_usage'))
    )


def downgrade() -> None:
    op.drop_table('exchange_quota_usage')
    with op.batch_alter_table('sharing_grants', schema=None) as batch_op:
        batch_op.drop_column('calls_per_day')
        batch_op.drop_column('calls_per_minute')
