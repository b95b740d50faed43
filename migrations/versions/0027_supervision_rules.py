"""电子监察: supervision rules as data and the alerts the sweep raises on cases.

Why: issue 15 §1 — the cities' 电子监察 applies rules an administrator edits, not code: scope (全市, 部门,
事项), type (时效 near/past the promised deadline, past the legal deadline; 流程; 收费; 材料), level (提醒,
预警, 报警), a condition in working days or a share of the time limit, the action and the recipients in
escalation order. `supervision_rules` holds them; `supervision_alerts` one row per case and rule (unique),
raised, cleared and raised again on the same row, with how far it has escalated, indexed by state for the
case lights and the sweep.

The default rule set is seeded here, not by the demo: every deployment needs working rules from its first
sweep (the supervisor then edits or deactivates them), so they are reference data like the holiday calendar.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 13:00:00.000000
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

_CHAIN = ['handler', 'dept_admin', 'supervisor']
DEFAULT_RULES = [
    dict(code='promised-half', name='承诺时限过半提醒', kind='promised_near', level='remind', days=None, share=80,
         action='record', recipients=[], escalate_days=1),
    dict(code='promised-near', name='临近承诺期限预警', kind='promised_near', level='yellow', days=2, share=None,
         action='notify', recipients=_CHAIN, escalate_days=1),
    dict(code='promised-overdue', name='超过承诺期限报警', kind='promised_overdue', level='red', days=0, share=None,
         action='notify', recipients=_CHAIN, escalate_days=1),
    dict(code='legal-overdue', name='超过法定期限报警', kind='legal_overdue', level='red', days=0, share=None,
         action='notify', recipients=['dept_admin', 'supervisor'], escalate_days=1),
]


def upgrade() -> None:
    rules = op.create_table('supervision_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('item_code', sa.String(length=32), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('share', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('escalate_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                            name=op.f('fk_supervision_rules_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_rules')),
    sa.UniqueConstraint('code', name=op.f('uq_supervision_rules_code'))
    )
    op.create_table('supervision_alerts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('notified_on', sa.Date(), nullable=True),
    sa.Column('cleared_at', sa.DateTime(), nullable=True),
    sa.Column('clear_reason', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_supervision_alerts_case_id_cases'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['supervision_rules.id'],
                            name=op.f('fk_supervision_alerts_rule_id_supervision_rules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_alerts')),
    sa.UniqueConstraint('case_id', 'rule_id', name='uq_supervision_alerts_case_rule')
    )
    op.create_index('ix_supervision_alerts_state_case', 'supervision_alerts', ['state', 'case_id'], unique=False)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    op.bulk_insert(rules, [dict(r, scope='city', department_id=None, item_code=None, active=True, created_at=now,
                                updated_at=now) for r in DEFAULT_RULES])


def downgrade() -> None:
    op.drop_index('ix_supervision_alerts_state_case', table_name='supervision_alerts')
    op.drop_table('supervision_alerts')
    op.drop_table('supervision_rules')
