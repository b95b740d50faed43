"""Data-quality disputes (数据疑义/纠错): a consumer flags a shared record as wrong, with evidence.

Why: departments that use shared data are the first to see where it is wrong, and the provider is the
only one who may change it. A dispute names the record and its items, carries the evidence (PDF/JPEG/PNG
files kept in the database with their SHA-256, so what was shown cannot drift), and gives the provider a
deadline in working days (TONGBAN_DISPUTE_ANSWER_DAYS); a rejection can be escalated to the platform
(数据局) for coordination. The exchange shows a record as disputed while a dispute on it is open or
escalated, so the composite index on (resource_id, record_key, status) serves that lookup on every call.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('data_disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('consumer_id', sa.Integer(), nullable=False),
    sa.Column('raised_by', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('record_key', sa.String(length=255), nullable=False),
    sa.Column('record_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('proposed', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('stage_started_on', sa.Date(), nullable=False),
    sa.Column('stage_days', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('due_assumed', sa.Boolean(), nullable=False),
    sa.Column('overdue_flagged_at', sa.DateTime(), nullable=True),
    sa.Column('answer_note', sa.Text(), nullable=False),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('escalation_note', sa.Text(), nullable=False),
    sa.Column('escalated_by', sa.Integer(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.Column('coordination_note', sa.Text(), nullable=False),
    sa.Column('coordinated_by', sa.Integer(), nullable=True),
    sa.Column('coordinated_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_by', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by'], ['users.id'], name=op.f('fk_data_disputes_answered_by_users')),
    sa.ForeignKeyConstraint(['client_id'], ['app_clients.id'], name=op.f('fk_data_disputes_client_id_app_clients')),
    sa.ForeignKeyConstraint(['consumer_id'], ['departments.id'],
                            name=op.f('fk_data_disputes_consumer_id_departments')),
    sa.ForeignKeyConstraint(['coordinated_by'], ['users.id'], name=op.f('fk_data_disputes_coordinated_by_users')),
    sa.ForeignKeyConstraint(['escalated_by'], ['users.id'], name=op.f('fk_data_disputes_escalated_by_users')),
    sa.ForeignKeyConstraint(['provider_id'], ['departments.id'],
                            name=op.f('fk_data_disputes_provider_id_departments')),
    sa.ForeignKeyConstraint(['raised_by'], ['users.id'], name=op.f('fk_data_disputes_raised_by_users')),
    sa.ForeignKeyConstraint(['withdrawn_by'], ['users.id'], name=op.f('fk_data_disputes_withdrawn_by_users')),
    sa.ForeignKeyConstraint(['resource_id'], ['catalog_resources.id'],
                            name=op.f('fk_data_disputes_resource_id_catalog_resources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_disputes')),
    sa.UniqueConstraint('number', name=op.f('uq_data_disputes_number'))
    )
    with op.batch_alter_table('data_disputes', schema=None) as batch_op:
        batch_op.create_index('ix_data_disputes_consumer_status', ['consumer_id', 'status'], unique=False)
        batch_op.create_index('ix_data_disputes_provider_status', ['provider_id', 'status'], unique=False)
        batch_op.create_index('ix_data_disputes_resource_key_status', ['resource_id', 'record_key', 'status'],
                              unique=False)
        batch_op.create_index('ix_data_disputes_status_due', ['status', 'due_on'], unique=False)

    op.create_table('data_dispute_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_client_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['data_disputes.id'],
                            name=op.f('fk_data_dispute_attachments_dispute_id_data_disputes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'],
                            name=op.f('fk_data_dispute_attachments_uploaded_by_users')),
    sa.ForeignKeyConstraint(['uploaded_client_id'], ['app_clients.id'],
                            name=op.f('fk_data_dispute_attachments_uploaded_client_id_app_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_dispute_attachments'))
    )
    with op.batch_alter_table('data_dispute_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_dispute_attachments_dispute_id'), ['dispute_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('data_dispute_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_dispute_attachments_dispute_id'))

    op.drop_table('data_dispute_attachments')
    with op.batch_alter_table('data_disputes', schema=None) as batch_op:
        batch_op.drop_index('ix_data_disputes_status_due')
        batch_op.drop_index('ix_data_disputes_resource_key_status')
        batch_op.drop_index('ix_data_disputes_provider_status')
        batch_op.drop_index('ix_data_disputes_consumer_status')

    op.drop_table('data_disputes')
