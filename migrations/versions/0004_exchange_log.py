"""Exchange log: every exchange call, and the subjects (persons, enterprises) whose data it touched.

Why: every use of shared data must be traceable to a system, a department, a person served, a
purpose and a case, and a citizen must be able to see who used their records. A call's entry is
written in the call's own transaction before the answer is sent (no entry, no answer). Hashing is
batched: a sealer chains the entries afterwards, in the order it seals them, so calls do not queue on one
lock. The subjects table indexes entries by resident ID or credit code for “who used my data”.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 10:33:36.619166
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exchange_log',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('consumer_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('resource_id', sa.Integer(), nullable=True),
    sa.Column('resource_code', sa.String(length=32), nullable=False),
    sa.Column('operation', sa.String(length=16), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('record_keys', sa.Text(), nullable=False),
    sa.Column('record_count', sa.Integer(), nullable=False),
    sa.Column('end_user', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=255), nullable=False),
    sa.Column('case_number', sa.String(length=64), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('latency_ms', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.Boolean(), nullable=False),
    sa.Column('chain_no', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_exchange_log')),
    sa.UniqueConstraint('chain_no', name=op.f('uq_exchange_log_chain_no'))
    )
    with op.batch_alter_table('exchange_log', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_log_client_time', ['client_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_exchange_log_resource_time', ['resource_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_exchange_log_unsealed', ['sealed'], unique=False)

    op.create_table('exchange_log_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_log_head'))
    )
    op.create_table('exchange_log_subjects',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('subject', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('seq', 'subject', name=op.f('pk_exchange_log_subjects'))
    )
    with op.batch_alter_table('exchange_log_subjects', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_log_subjects_subject', ['subject', 'seq'], unique=False)



    op.execute("INSERT INTO exchange_log_head (id, last_seq, last_hash) VALUES (1, 0, '" + "0" * 64 + "')")


def downgrade() -> None:
    with op.batch_alter_table('exchange_log_subjects', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_log_subjects_subject')

    op.drop_table('exchange_log_subjects')
    op.drop_table('exchange_log_head')
    with op.batch_alter_table('exchange_log', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_log_unsealed')
        batch_op.drop_index('ix_exchange_log_resource_time')
        batch_op.drop_index('ix_exchange_log_client_time')

    op.drop_table('exchange_log')
