"""电子监察: the supervisor closes alerts with an outcome, and 督办 (supervision orders) to departments.

Why: issue 15 §1 — the supervisor's board closes an alert with its outcome (已督促办结, 已说明理由, 误报, 其他 +
text): `supervision_alerts` gains the outcome, its note, who closed it and when (state `closed`, which the sweep
neither reopens nor escalates while the condition holds). A 督办 orders the case's department to explain by a
deadline in working days; the department answers (late answers are recorded as 逾期答复), the supervisor
concludes it or sends it back. `supervision_orders` holds them, numbered DB + date + sequence, indexed by
department and state (the department's list) and by state and deadline (the board's overdue orders).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 23:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('supervision_alerts') as batch:
        batch.add_column(sa.Column('outcome', sa.String(length=16), nullable=False, server_default=''))
        batch.add_column(sa.Column('outcome_note', sa.String(length=500), nullable=False, server_default=''))
        batch.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_supervision_alerts_closed_by_id_users'), 'users', ['closed_by_id'],
                                 ['id'])
    with op.batch_alter_table('supervision_alerts') as batch:
        batch.alter_column('outcome', server_default=None)
        batch.alter_column('outcome_note', server_default=None)
    op.create_table('supervision_orders',
    sa.Column('id', _BIG, autoincrement=True, nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('case_id', _BIG, nullable=False),
    sa.Column('alert_id', _BIG, nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('requirement', sa.String(length=1000), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.String(length=2000), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('returns', sa.Integer(), nullable=False),
    sa.Column('review_note', sa.String(length=500), nullable=False),
    sa.Column('concluded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['supervision_alerts.id'],
                            name=op.f('fk_supervision_orders_alert_id_supervision_alerts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_supervision_orders_answered_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_supervision_orders_case_id_cases'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                            name=op.f('fk_supervision_orders_department_id_departments')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_supervision_orders_issued_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_supervision_orders_number'))
    )
    op.create_index(op.f('ix_supervision_orders_case_id'), 'supervision_orders', ['case_id'], unique=False)
    op.create_index('ix_supervision_orders_department_state', 'supervision_orders',
                    ['department_id', 'state', 'due_on'], unique=False)
    op.create_index('ix_supervision_orders_state_due', 'supervision_orders', ['state', 'due_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_supervision_orders_state_due', table_name='supervision_orders')
    op.drop_index('ix_supervision_orders_department_state', table_name='supervision_orders')
    op.drop_index(op.f('ix_supervision_orders_case_id'), table_name='supervision_orders')
    op.drop_table('supervision_orders')
    with op.batch_alter_table('supervision_alerts') as batch:
        batch.drop_constraint(op.f('fk_supervision_alerts_closed_by_id_users'), type_='foreignkey')
        batch.drop_column('closed_by_id')
        batch.drop_column('closed_at')
        batch.drop_column('outcome_note')
        batch.drop_column('outcome')
