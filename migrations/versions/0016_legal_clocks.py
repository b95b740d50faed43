"""Legal clocks (法定时限): one working-day clock for everything with a deadline, with its history.

Why: sharing requests and data-quality disputes each counted their own deadline on their own row, the
holiday calendar had to import both to recount them, and nothing could stop a clock — which cases need
(补正, 听证, 检测检验, 专家评审 do not count toward the legal time limit, 行政许可法 Art. 45) as well as
extensions (延长) with who approved them. `legal_clocks` holds one row per timed step of an owner (domain
object type + id): start, limit, extensions, state, and the stored due and warn days, indexed with the
state so the sweep finds overdue and near-due clocks by index scans; `legal_clock_events` is its history
(starts, suspensions with their reason, resumptions, extensions, stops, recounts, flags).

The open deadlines of existing sharing requests and disputes are carried over as running clocks (their due
day as it stands, warn day one working day earlier by Monday–Friday, already-flagged ones stay flagged), so
the sweep keeps seeing them after the upgrade; the next calendar change recounts them exactly.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 10:45:00.000000
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('legal_clocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_type', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('extended_days', sa.Integer(), nullable=False),
    sa.Column('warn_days', sa.Integer(), nullable=False),
    sa.Column('used_days', sa.Integer(), nullable=False),
    sa.Column('suspended_since', sa.Date(), nullable=True),
    sa.Column('suspension_reason', sa.String(length=32), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('warn_on', sa.Date(), nullable=True),
    sa.Column('assumed', sa.Boolean(), nullable=False),
    sa.Column('warned_at', sa.DateTime(), nullable=True),
    sa.Column('overdue_at', sa.DateTime(), nullable=True),
    sa.Column('stopped_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_clocks')),
    sa.UniqueConstraint('owner_type', 'owner_id', 'name', name='uq_legal_clocks_owner')
    )
    op.create_index('ix_legal_clocks_state_due', 'legal_clocks', ['state', 'due_on'], unique=False)
    op.create_index('ix_legal_clocks_state_warn', 'legal_clocks', ['state', 'warn_on'], unique=False)
    op.create_table('legal_clock_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clock_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('on_day', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('approved_by', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['clock_id'], ['legal_clocks.id'], name=op.f('fk_legal_clock_events_clock_id_legal_clocks'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_clock_events'))
    )
    op.create_index('ix_legal_clock_events_clock', 'legal_clock_events', ['clock_id', 'id'], unique=False)
    _carry_over()


# States whose deadline someone owed at the upgrade (as in exchange/deadlines.py and disputes/deadlines.py).
_OWED = {'sharing_requests': ('sharing_request', ('submitted', 'pending_provider', 'objected')),
         'data_disputes': ('data_dispute', ('open', 'escalated'))}


def _carry_over() -> None:
    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    date, text, integer, flag, stamp = sa.Date, sa.String, sa.Integer, sa.Boolean, sa.DateTime
    clocks = sa.table('legal_clocks', sa.column('id', integer), sa.column('owner_type', text),
                      sa.column('owner_id', integer), sa.column('name', text), sa.column('stage', text),
                      sa.column('state', text), sa.column('started_on', date), sa.column('days', integer),
                      sa.column('extended_days', integer), sa.column('warn_days', integer),
                      sa.column('used_days', integer), sa.column('due_on', date), sa.column('warn_on', date),
                      sa.column('assumed', flag), sa.column('warned_at', stamp), sa.column('overdue_at', stamp),
                      sa.column('created_at', stamp), sa.column('updated_at', stamp))
    events = sa.table('legal_clock_events', sa.column('clock_id', integer), sa.column('kind', text),
                      sa.column('on_day', date), sa.column('at', stamp), sa.column('reason', text),
                      sa.column('days', integer), sa.column('due_on', date), sa.column('approved_by', text),
                      sa.column('note', text))
    for table, (owner_type, owed) in _OWED.items():
        t = sa.table(table, sa.column('id', integer), sa.column('status', text), sa.column('stage_started_on', date),
                     sa.column('stage_days', integer), sa.column('due_on', date), sa.column('due_assumed', flag),
                     sa.column('overdue_flagged_at', stamp))
        rows = bind.execute(sa.select(t).where(t.c.status.in_(owed), t.c.due_on.is_not(None))).all()
        for r in rows:
            warn = r.due_on - dt.timedelta(days=1)
            while warn.weekday() >= 5 and warn > r.stage_started_on:
                warn -= dt.timedelta(days=1)
            warn = max(warn, r.stage_started_on)
            clock_id = bind.execute(sa.insert(clocks).values(
                owner_type=owner_type, owner_id=r.id, name='main', stage=r.status, state='running',
                started_on=r.stage_started_on, days=r.stage_days, extended_days=0, warn_days=1, used_days=0,
                due_on=r.due_on, warn_on=warn, assumed=bool(r.due_assumed),
                # Already flagged stays flagged; a warning day already passed does not send a late notice.
                overdue_at=r.overdue_flagged_at, warned_at=now if warn < now.date() else None,
                created_at=now, updated_at=now).returning(clocks.c.id)).scalar_one()
            bind.execute(sa.insert(events).values(
                clock_id=clock_id, kind='start', on_day=r.stage_started_on, at=now, reason='', days=r.stage_days,
                due_on=r.due_on, approved_by='', note='0016: carried over'))


def downgrade() -> None:
    op.drop_index('ix_legal_clock_events_clock', table_name='legal_clock_events')
    op.drop_table('legal_clock_events')
    op.drop_index('ix_legal_clocks_state_warn', table_name='legal_clocks')
    op.drop_index('ix_legal_clocks_state_due', table_name='legal_clocks')
    op.drop_table('legal_clocks')
