"""Ratings (好差评): the overdue-rectification warning and indexes for the public figures.

Why: issue 15 §2 — a rectification whose working-day deadline passed is warned once, to the department head
and then to the supervisor, by a working-morning job that must not warn twice: `rating_follow_ups.overdue_on`
(the morning it was found overdue) and `overdue_step` (0 none, 1 department head told, 2 supervisor told)
make the job idempotent, and `ix_rating_follow_ups_status_due` finds the rectifying follow-ups past their
deadline without a scan. The public figures (好评率 and the counts per level, per department and per item, as
the 好差评 rules require them published) are grouped queries over valid ratings: the two covering indexes
`(department_id, status, level)` and `(item_code, status, level)` answer them from the index alone.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 23:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rating_follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overdue_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('overdue_step', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_rating_follow_ups_status_due', ['status', 'rectify_due_on'], unique=False)
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index('ix_ratings_department_status_level', ['department_id', 'status', 'level'],
                              unique=False)
        batch_op.create_index('ix_ratings_item_status_level', ['item_code', 'status', 'level'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_ratings_item_status_level')
        batch_op.drop_index('ix_ratings_department_status_level')
    with op.batch_alter_table('rating_follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_follow_ups_status_due')
        batch_op.drop_column('overdue_step')
        batch_op.drop_column('overdue_on')
