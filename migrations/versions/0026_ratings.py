"""Ratings (好差评): the applicant's rating of a case and the follow-up of every named bad rating.

Why: issue 15 §2 — after a case's result the applicant rates it on the five standard levels (国办发〔2019〕51号,
GB/T 39734/39735), one rating per case and channel (一事一评 online, 一次一评 at the window: unique
case_id + channel), with an addition once (补充评价), a default rating by a daily job where local rules set one,
and voiding on appeal. Every named bad rating gets a follow-up row (rating_follow_ups): call-back, verification,
rectification with a working-day deadline or an explanation, the notice to the applicant, and the appeal.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 20:55:58.554275
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ratings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_number', sa.String(length=24), nullable=False),
    sa.Column('item_code', sa.String(length=32), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('applicant_user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('tag_version', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('addition', sa.Text(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('void_reason', sa.Text(), nullable=False),
    sa.Column('voided_by', sa.Integer(), nullable=True),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_user_id'], ['users.id'], name=op.f('fk_ratings_applicant_user_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ratings_case_id_cases')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_ratings_department_id_departments')),
    sa.ForeignKeyConstraint(['voided_by'], ['users.id'], name=op.f('fk_ratings_voided_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('case_id', 'channel', name='uq_ratings_case_channel'),
    sa.UniqueConstraint('number', name=op.f('uq_ratings_number'))
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratings_applicant_user_id'), ['applicant_user_id'], unique=False)
        batch_op.create_index('ix_ratings_department_created', ['department_id', 'created_at'], unique=False)

    op.create_table('rating_follow_ups',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('rating_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('callback_at', sa.DateTime(), nullable=True),
    sa.Column('callback_note', sa.Text(), nullable=False),
    sa.Column('callback_by', sa.Integer(), nullable=True),
    sa.Column('verification_note', sa.Text(), nullable=False),
    sa.Column('verified_by', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('rectify_days', sa.Integer(), nullable=True),
    sa.Column('rectify_due_on', sa.Date(), nullable=True),
    sa.Column('rectify_plan', sa.Text(), nullable=False),
    sa.Column('rectification_note', sa.Text(), nullable=False),
    sa.Column('rectified_at', sa.DateTime(), nullable=True),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('notice_text', sa.Text(), nullable=False),
    sa.Column('notified_at', sa.DateTime(), nullable=True),
    sa.Column('appeal_reason', sa.Text(), nullable=False),
    sa.Column('appeal_from', sa.String(length=16), nullable=True),
    sa.Column('appealed_by', sa.Integer(), nullable=True),
    sa.Column('appealed_at', sa.DateTime(), nullable=True),
    sa.Column('appeal_decision', sa.String(length=8), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['appealed_by'], ['users.id'], name=op.f('fk_rating_follow_ups_appealed_by_users')),
    sa.ForeignKeyConstraint(['callback_by'], ['users.id'], name=op.f('fk_rating_follow_ups_callback_by_users')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_rating_follow_ups_decided_by_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_rating_follow_ups_department_id_departments')),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_rating_follow_ups_rating_id_ratings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by'], ['users.id'], name=op.f('fk_rating_follow_ups_verified_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_follow_ups')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_rating_follow_ups_rating_id'))
    )
    with op.batch_alter_table('rating_follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_rating_follow_ups_department_status', ['department_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rating_follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_follow_ups_department_status')

    op.drop_table('rating_follow_ups')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_ratings_department_created')
        batch_op.drop_index(batch_op.f('ix_ratings_applicant_user_id'))

    op.drop_table('ratings')
