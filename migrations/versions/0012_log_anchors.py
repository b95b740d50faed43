"""Log anchors: checkpoints of both hash chains, row MACs and sealed subjects in the exchange log.

Why: someone with write access to the database could delete the newest entries of the audit log
or the exchange log and rewind the chain head (verification passed), insert an unsealed row into
the exchange log that the sealer then chained as genuine, and delete “who used my data” subject
rows, which no hash covered. Now:

- `log_checkpoints` keeps every signed checkpoint (HMAC under a key derived from the audit key)
  of both chain heads; the same lines are appended to files outside the database, and
  verification compares the chains with the newest checkpoint it finds in either place.
- `exchange_log.row_mac` is written with each call (a random nonce and an HMAC the database
  cannot compute); the sealer removes rows whose MAC is missing or wrong instead of chaining them.
  Unique, so a copied row cannot be inserted a second time.
- `exchange_log_subjects.chain_no` names the chain entry whose hash covers the subject row;
  `mac` authenticates subject rows added after their call (the stream of a bulk export).
  Rows that exist before this migration are marked 0 (legacy: not covered).
- `exchange_log_head.legacy_seq` is the last call written before this migration: older rows
  without a row MAC are still sealed (with the old digest), newer ones without are refused.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('log_checkpoints',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('audit_seq', _BIG, nullable=False),
    sa.Column('audit_hash', sa.String(length=64), nullable=False),
    sa.Column('exchange_seq', _BIG, nullable=False),
    sa.Column('exchange_hash', sa.String(length=64), nullable=False),
    sa.Column('exchange_legacy_seq', _BIG, nullable=False),
    sa.Column('prev_mac', sa.String(length=64), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_checkpoints'))
    )
    with op.batch_alter_table('exchange_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('row_mac', sa.String(length=96), nullable=True))
        batch_op.create_index('ix_exchange_log_row_mac', ['row_mac'], unique=True)
    with op.batch_alter_table('exchange_log_subjects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('chain_no', _BIG, nullable=True))
        batch_op.create_index('ix_exchange_log_subjects_chain_no', ['chain_no'], unique=False)
    with op.batch_alter_table('exchange_log_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legacy_seq', _BIG, nullable=False, server_default='0'))
    op.execute("UPDATE exchange_log_subjects SET chain_no = 0")
    op.execute("UPDATE exchange_log_head SET legacy_seq = (SELECT COALESCE(MAX(seq), 0) FROM exchange_log)")


def downgrade() -> None:
    with op.batch_alter_table('exchange_log_head', schema=None) as batch_op:
        batch_op.drop_column('legacy_seq')
    with op.batch_alter_table('exchange_log_subjects', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_log_subjects_chain_no')
        batch_op.drop_column('chain_no')
        batch_op.drop_column('mac')
    with op.batch_alter_table('exchange_log', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_log_row_mac')
        batch_op.drop_column('row_mac')
    op.drop_table('log_checkpoints')
