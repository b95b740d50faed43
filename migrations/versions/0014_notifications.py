"""Notifications: versioned message templates and messages with a delivery status.

Why: the platform must tell people things — a provider's data officers that a sharing request for their
data arrived or that its deadline nears, both sides of a data-quality dispute when it is raised or answered,
and soon applicants about their cases. A message is made inside the use-case's transaction (it exists if and
only if the use-case committed) and delivered afterwards by a job, as GOV.UK Notify does:

- `notification_templates` holds every version of every template per channel (站内信, e-mail, SMS); a row
  is never changed, a new wording is a new version, so a message can always be shown with its exact words.
- `notification_messages` is one message to one recipient on one channel: template id + version +
  personalisation + reference (the business number) + status (created, sending, delivered, failed), the
  attempts and the next one (capped retries with backoff), the failure reason (rate-limited, refused,
  retries exhausted) and, for 站内信, when it was read. Indexed for the unread badge every page shows and
  for the per-recipient rate limits.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_templates'))
    )
    op.create_index('ix_notification_templates_code_version_channel', 'notification_templates',
                    ['code', 'version', 'channel'], unique=True)
    op.create_table('notification_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient_user_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=128), nullable=False),
    sa.Column('personalisation', sa.JSON(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('link', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('failure_reason', sa.String(length=32), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('provider_reference', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('failed_at', sa.DateTime(), nullable=True),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['template_id'], ['notification_templates.id'],
                            name=op.f('fk_notification_messages_template_id_notification_templates')),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], ondelete='CASCADE',
                            name=op.f('fk_notification_messages_recipient_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_messages'))
    )
    op.create_index('ix_notification_messages_inbox', 'notification_messages',
                    ['recipient_user_id', 'channel', 'read_at'], unique=False)
    op.create_index('ix_notification_messages_address_delivered', 'notification_messages',
                    ['channel', 'address', 'delivered_at'], unique=False)
    op.create_index('ix_notification_messages_status', 'notification_messages', ['status'], unique=False)
    op.create_index('ix_notification_messages_reference', 'notification_messages', ['reference'], unique=False)


def downgrade() -> None:
    op.drop_table('notification_messages')
    op.drop_table('notification_templates')
