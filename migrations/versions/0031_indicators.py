"""Indicators (绩效指标): additive rollups per day and month, department, item and region.

Why: issue 15 §3 — the dashboards must stay fast over 10 million closed cases and 2 million ratings, so they
read rollups, never the cases: `indicator_daily` holds per Beijing day, department, item (事项编码) and region the
numerators and denominators of every indicator (never ratios, so any grouping sums rows), `indicator_monthly`
the same summed per month (a year reads twelve rows per group), `indicator_catalog_daily` the day's snapshot of
the published implementation lists (网上可办率, 全程网办率, 即办件占比, 承诺时限压缩比), and `indicator_marks` how
far the incremental pass has looked (its row is also the passes' lock). The rollup job finds the days to
recompute by the facts' timestamps: indexes on ratings.created_at, rating_follow_ups.updated_at and
supervision_alerts raised_at / cleared_at (cases.decided_at is indexed by 0028).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 00:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
COUNTERS = (
    ('cases_decided', sa.Integer()), ('cases_on_time', sa.Integer()), ('cases_timed', sa.Integer()),
    ('handling_days', _BIG), ('promised_days', _BIG), ('visits', _BIG), ('cases_zero_visit', sa.Integer()),
    ('materials_total', _BIG), ('materials_fetched', _BIG), ('ratings', sa.Integer()),
    ('ratings_good', sa.Integer()), ('ratings_bad', sa.Integer()), ('bad_called_back', sa.Integer()),
    ('bad_rectified', sa.Integer()), ('alerts_raised', sa.Integer()), ('alerts_yellow', sa.Integer()),
    ('alerts_red', sa.Integer()), ('alerts_cleared', sa.Integer()), ('alert_closure_seconds', _BIG),
)
CATALOG = ('items', 'items_online', 'items_full_online', 'items_instant', 'items_with_limit', 'legal_days',
           'promised_days')


def _key() -> list[sa.Column]:
    return [sa.Column('department_id', sa.Integer(), nullable=False),
            sa.Column('item_code', sa.String(length=32), nullable=False),
            sa.Column('region_code', sa.String(length=12), nullable=False)]


def upgrade() -> None:
    for table, when in (('indicator_daily', 'day'), ('indicator_monthly', 'month')):
        op.create_table(table, sa.Column(when, sa.Date(), nullable=False), *_key(),
                        *(sa.Column(name, type_, nullable=False) for name, type_ in COUNTERS),
                        sa.PrimaryKeyConstraint(when, 'department_id', 'item_code', 'region_code',
                                                name=op.f(f'pk_{table}')))
    op.create_table('indicator_catalog_daily', sa.Column('day', sa.Date(), nullable=False), *_key(),
                    *(sa.Column(name, sa.Integer(), nullable=False) for name in CATALOG),
                    sa.PrimaryKeyConstraint('day', 'department_id', 'item_code', 'region_code',
                                            name=op.f('pk_indicator_catalog_daily')))
    op.create_table('indicator_marks',
                    sa.Column('name', sa.String(length=32), nullable=False),
                    sa.Column('checked_at', sa.DateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('name', name=op.f('pk_indicator_marks')))
    op.create_index('ix_ratings_created_at', 'ratings', ['created_at'])
    op.create_index('ix_rating_follow_ups_updated_at', 'rating_follow_ups', ['updated_at'])
    op.create_index('ix_supervision_alerts_raised_at', 'supervision_alerts', ['raised_at'])
    op.create_index('ix_supervision_alerts_cleared_at', 'supervision_alerts', ['cleared_at'])


def downgrade() -> None:
    op.drop_index('ix_supervision_alerts_cleared_at', table_name='supervision_alerts')
    op.drop_index('ix_supervision_alerts_raised_at', table_name='supervision_alerts')
    op.drop_index('ix_rating_follow_ups_updated_at', table_name='rating_follow_ups')
    op.drop_index('ix_ratings_created_at', table_name='ratings')
    for table in ('indicator_marks', 'indicator_catalog_daily', 'indicator_monthly', 'indicator_daily'):
        op.drop_table(table)
