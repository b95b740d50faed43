"""Cases: fee standards and fee records; indexes for 电子监察's 流程 and 收费 checks.

Why: issue 15 §1 — a 收费 rule flags a fee different from the implementation list, and a 流程 rule a step
skipped or done out of order. An implementation had only its fee as free text and a case recorded no fee at
all, so neither could be checked:

- `item_implementations.fee_amount_fen`: the fee standard in fen (0 不收费, N a fixed amount, NULL as the text
  says — not one fixed amount). Existing rows whose text is exactly 不收费 get 0; every other text stays NULL
  until its department states the amount. The published guide (and so each case's snapshot) carries it.
- `case_fees`: what the department took (收费) or refunded (退费, stored negative) on a case, with the receipt
  number, who recorded it and when; never updated (a wrong charge is corrected by a refund). Indexed by case
  and by time: the 收费 check starts from the recent records, not from all the cases.
- `cases.decided_at` and `(deemed_accepted, accepted_at)`: the 流程 checks look at the recently decided cases
  (受理/审查/决定 by the same person) and the recent deemed acceptances, by index, not by scanning the cases.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 23:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.add_column('item_implementations', sa.Column('fee_amount_fen', sa.Integer(), nullable=True))
    op.execute("UPDATE item_implementations SET fee_amount_fen = 0 WHERE TRIM(fee) = '不收费'")
    op.create_table(
        'case_fees',
        sa.Column('id', _BIG, primary_key=True, autoincrement=True),
        sa.Column('case_id', _BIG, sa.ForeignKey('cases.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('amount_fen', _BIG, nullable=False),
        sa.Column('receipt_number', sa.String(length=64), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('recorded_by', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('recorded_by_name', sa.String(length=64), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_case_fees_case_id', 'case_fees', ['case_id', 'id'])
    op.create_index('ix_case_fees_recorded_at', 'case_fees', ['recorded_at'])
    op.create_index('ix_cases_decided_at', 'cases', ['decided_at'])
    op.create_index('ix_cases_deemed_accepted_at', 'cases', ['deemed_accepted', 'accepted_at'])


def downgrade() -> None:
    op.drop_index('ix_cases_deemed_accepted_at', table_name='cases')
    op.drop_index('ix_cases_decided_at', table_name='cases')
    op.drop_index('ix_case_fees_recorded_at', table_name='case_fees')
    op.drop_index('ix_case_fees_case_id', table_name='case_fees')
    op.drop_table('case_fees')
    with op.batch_alter_table('item_implementations') as batch:
        batch.drop_column('fee_amount_fen')
