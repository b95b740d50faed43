"""Exchange monitoring: hourly and daily rollups of the exchange log (共享交换监测).

Why: monitoring pages show calls, error rates, latency percentiles and top consumers per resource,
department and hour over days or months. Aggregating the raw exchange log on each page view does not
scale to the tens of millions of calls a province logs, so the sealer, which reads every new entry
once, adds it, in the transaction that seals it, to one row per hour and one row per Beijing calendar
day for each resource, application system, consumer and provider department. Hourly charts read the
hourly table; tables, totals and daily charts read the daily one (24 times fewer rows, so a quarter
stays fast). Latency is kept as a fixed histogram (1 ms … 10 s, roughly log-spaced, plus one bucket
above) so that p50/p95/p99 can be estimated for any grouping. Keys start with the time, so a date
range is one index range. Existing sealed entries are counted with `tongban monitoring rebuild`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_BUCKETS = ('le_1ms', 'le_2ms', 'le_3ms', 'le_5ms', 'le_10ms', 'le_20ms', 'le_30ms', 'le_50ms', 'le_100ms',
            'le_200ms', 'le_300ms', 'le_500ms', 'le_1000ms', 'le_2000ms', 'le_3000ms', 'le_5000ms', 'le_10000ms',
            'gt_10000ms')


def _counts() -> list[sa.Column]:
    return [
        sa.Column('calls', sa.Integer(), nullable=False),
        sa.Column('ok', sa.Integer(), nullable=False),
        sa.Column('denied', sa.Integer(), nullable=False),
        sa.Column('not_found', sa.Integer(), nullable=False),
        sa.Column('errors', sa.Integer(), nullable=False),
        sa.Column('latency_sum_ms', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('latency_max_ms', sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _BUCKETS),
    ]


def _keys() -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False)
            for name in ('resource_id', 'client_id', 'consumer_id', 'provider_id')]


def upgrade() -> None:
    op.create_table('exchange_stats_hourly',
    sa.Column('hour', sa.DateTime(), nullable=False),
    *_keys(), *_counts(),
    sa.PrimaryKeyConstraint('hour', 'resource_id', 'client_id', 'consumer_id', 'provider_id',
                            name=op.f('pk_exchange_stats_hourly'))
    )
    op.create_table('exchange_stats_daily',
    sa.Column('day', sa.Date(), nullable=False),
    *_keys(), *_counts(),
    sa.PrimaryKeyConstraint('day', 'resource_id', 'client_id', 'consumer_id', 'provider_id',
                            name=op.f('pk_exchange_stats_daily'))
    )


def downgrade() -> None:
    op.drop_table('exchange_stats_daily')
    op.drop_table('exchange_stats_hourly')
