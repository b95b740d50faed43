"""Service items (政务服务事项): the basic catalog, implementation lists with their published versions and
materials, bundles (一件事一次办) and the life and business events that group items.

Why: a citizen comes to the platform for services, and the platform had none. Issue 13 §1–2: the basic
catalog (`item_basic`: 事项编码, 名称, 类型, 设定依据, 行使层级 — shared by province, city and county, 三级四同)
and each department's implementation of it (`item_implementations`: time limits, fee, conditions, steps,
visits, channels, place, hours, result …), reviewed and published like catalog resources — the row is the
working copy, `item_implementation_versions` keeps every published state whole, so the public keeps reading
the published version while a revision is in draft or review. `item_materials` records where each material
comes from (upload, e-licence, shared data, another item of a bundle, waived), which decides whether an
applicant must upload it and gives the once-only rate. `item_bundles` / `item_bundle_members` hold the
一件事 with the conditions on the applicant's answers that decide which members apply; `item_events` /
`item_event_items` group items by life and business event for the portal. No data is moved: the tables are new.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('item_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_events')),
    sa.UniqueConstraint('kind', 'name', name='uq_item_events_kind_name')
    )
    op.create_table('item_basic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('item_type', sa.String(length=16), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('high_frequency', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_item_basic_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_basic')),
    sa.UniqueConstraint('code', name=op.f('uq_item_basic_code'))
    )
    op.create_table('item_bundles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('event', sa.String(length=64), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('lead_department_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('guide', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_item_bundles_created_by_users')),
    sa.ForeignKeyConstraint(['lead_department_id'], ['departments.id'], name=op.f('fk_item_bundles_lead_department_id_departments')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_item_bundles_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_bundles')),
    sa.UniqueConstraint('code', name=op.f('uq_item_bundles_code'))
    )
    op.create_table('item_bundle_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('basic_item_id', sa.Integer(), nullable=False),
    sa.Column('condition_field', sa.String(length=64), nullable=True),
    sa.Column('condition_op', sa.String(length=4), nullable=True),
    sa.Column('condition_value', sa.JSON(), nullable=True),
    sa.Column('condition_label', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['basic_item_id'], ['item_basic.id'], name=op.f('fk_item_bundle_members_basic_item_id_item_basic')),
    sa.ForeignKeyConstraint(['bundle_id'], ['item_bundles.id'], name=op.f('fk_item_bundle_members_bundle_id_item_bundles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_bundle_members')),
    sa.UniqueConstraint('bundle_id', 'basic_item_id', name='uq_item_bundle_members_item')
    )
    op.create_index('ix_item_bundle_members_bundle_id', 'item_bundle_members', ['bundle_id'], unique=False)
    op.create_table('item_event_items',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('basic_item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['basic_item_id'], ['item_basic.id'], name=op.f('fk_item_event_items_basic_item_id_item_basic')),
    sa.ForeignKeyConstraint(['event_id'], ['item_events.id'], name=op.f('fk_item_event_items_event_id_item_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'basic_item_id', name=op.f('pk_item_event_items'))
    )
    op.create_index('ix_item_event_items_basic_item_id', 'item_event_items', ['basic_item_id'], unique=False)
    op.create_table('item_implementations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('basic_item_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('legal_days', sa.Integer(), nullable=False),
    sa.Column('promised_days', sa.Integer(), nullable=False),
    sa.Column('fee', sa.Text(), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('service_objects', sa.JSON(), nullable=False),
    sa.Column('consult_phone', sa.String(length=64), nullable=False),
    sa.Column('complaint_phone', sa.String(length=64), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('hours', sa.Text(), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('instant', sa.Boolean(), nullable=False),
    sa.Column('result_name', sa.String(length=128), nullable=False),
    sa.Column('licence_type', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('published_version', sa.Integer(), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['basic_item_id'], ['item_basic.id'], name=op.f('fk_item_implementations_basic_item_id_item_basic')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_item_implementations_created_by_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_item_implementations_department_id_departments')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_item_implementations_region_code_regions')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_item_implementations_reviewed_by_users')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_item_implementations_submitted_by_users')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_item_implementations_updated_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_implementations')),
    sa.UniqueConstraint('basic_item_id', 'department_id', name='uq_item_implementations_basic_department')
    )
    op.create_index('ix_item_implementations_basic_item_id', 'item_implementations', ['basic_item_id'], unique=False)
    op.create_index('ix_item_implementations_department_status', 'item_implementations', ['department_id', 'status'], unique=False)
    op.create_index('ix_item_implementations_region', 'item_implementations', ['region_code'], unique=False)
    op.create_table('item_implementation_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('implementation_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['implementation_id'], ['item_implementations.id'], name=op.f('fk_item_implementation_versions_implementation_id_item_implementations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by'], ['users.id'], name=op.f('fk_item_implementation_versions_published_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_implementation_versions')),
    sa.UniqueConstraint('implementation_id', 'version', name='uq_item_implementation_versions')
    )
    op.create_index('ix_item_implementation_versions_implementation_id', 'item_implementation_versions', ['implementation_id'], unique=False)
    op.create_table('item_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('implementation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('ref', sa.String(length=512), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['implementation_id'], ['item_implementations.id'], name=op.f('fk_item_materials_implementation_id_item_implementations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_materials')),
    sa.UniqueConstraint('implementation_id', 'position', name='uq_item_materials_position')
    )
    op.create_index('ix_item_materials_implementation_id', 'item_materials', ['implementation_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_item_materials_implementation_id', table_name='item_materials')
    op.drop_table('item_materials')
    op.drop_index('ix_item_implementation_versions_implementation_id', table_name='item_implementation_versions')
    op.drop_table('item_implementation_versions')
    op.drop_index('ix_item_implementations_region', table_name='item_implementations')
    op.drop_index('ix_item_implementations_department_status', table_name='item_implementations')
    op.drop_index('ix_item_implementations_basic_item_id', table_name='item_implementations')
    op.drop_table('item_implementations')
    op.drop_index('ix_item_event_items_basic_item_id', table_name='item_event_items')
    op.drop_table('item_event_items')
    op.drop_index('ix_item_bundle_members_bundle_id', table_name='item_bundle_members')
    op.drop_table('item_bundle_members')
    op.drop_table('item_bundles')
    op.drop_table('item_basic')
    op.drop_table('item_events')
