"""Licences: key store, certificate authority, electronic seals, licence types and licences.

Why: a decision that ends a case is delivered as an electronic licence (电子证照) stamped with
the issuing department's electronic seal (电子印章, GB/T 38540), and anyone must be able to tell a
genuine, current licence from a forged, altered or revoked one. Private keys are stored sealed
(SM4-GCM under a master key that is not in the database); every signed version of a licence is
kept (versions), every change of state is an event; issued licences are shared through a catalog
resource (licence_library) like any other registry.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 14:37:55.241852
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('licence_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('algorithm', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=128), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('sealed_private_key', sa.LargeBinary(), nullable=False),
    sa.Column('master_key_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_keys')),
    sa.UniqueConstraint('uid', name=op.f('uq_licence_keys_uid'))
    )
    op.create_table('licence_ca_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('algorithm', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('not_after', sa.DateTime(), nullable=False),
    sa.Column('der', sa.LargeBinary(), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['licence_keys.id'], name=op.f('fk_licence_ca_certificates_key_id_licence_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_ca_certificates')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_licence_ca_certificates_fingerprint'))
    )
    op.create_table('licence_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=21), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('defining_org_name', sa.String(length=128), nullable=False),
    sa.Column('defining_org_code', sa.String(length=18), nullable=False),
    sa.Column('holder_kind', sa.String(length=16), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('layout', sa.JSON(), nullable=False),
    sa.Column('validity_years', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_licence_types_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_types')),
    sa.UniqueConstraint('code', name=op.f('uq_licence_types_code')),
    sa.UniqueConstraint('name', name=op.f('uq_licence_types_name'))
    )
    op.create_table('seals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('es_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ca_source', sa.String(length=16), nullable=False),
    sa.Column('sm2_key_id', sa.Integer(), nullable=False),
    sa.Column('pdf_key_id', sa.Integer(), nullable=False),
    sa.Column('sm2_cert', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_cert', sa.LargeBinary(), nullable=True),
    sa.Column('seal_der', sa.LargeBinary(), nullable=True),
    sa.Column('picture_svg', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.DateTime(), nullable=False),
    sa.Column('valid_to', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(), nullable=True),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_seals_created_by_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_seals_department_id_departments')),
    sa.ForeignKeyConstraint(['pdf_key_id'], ['licence_keys.id'], name=op.f('fk_seals_pdf_key_id_licence_keys')),
    sa.ForeignKeyConstraint(['sm2_key_id'], ['licence_keys.id'], name=op.f('fk_seals_sm2_key_id_licence_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seals')),
    sa.UniqueConstraint('es_id', name=op.f('uq_seals_es_id'))
    )
    with op.batch_alter_table('seals', schema=None) as batch_op:
        batch_op.create_index('ix_seals_department_status', ['department_id', 'status'], unique=False)

    op.create_table('licence_counters',
    sa.Column('issuer_department_id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issuer_department_id'], ['departments.id'], name=op.f('fk_licence_counters_issuer_department_id_departments')),
    sa.ForeignKeyConstraint(['type_id'], ['licence_types.id'], name=op.f('fk_licence_counters_type_id_licence_types')),
    sa.PrimaryKeyConstraint('issuer_department_id', 'type_id', 'day', name=op.f('pk_licence_counters'))
    )
    op.create_table('licence_library',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['catalog_resources.id'], name=op.f('fk_licence_library_resource_id_catalog_resources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_library')),
    sa.UniqueConstraint('resource_id', name=op.f('uq_licence_library_resource_id'))
    )
    op.create_table('licence_type_issuers',
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_licence_type_issuers_department_id_departments')),
    sa.ForeignKeyConstraint(['type_id'], ['licence_types.id'], name=op.f('fk_licence_type_issuers_type_id_licence_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('type_id', 'department_id', name=op.f('pk_licence_type_issuers'))
    )
    op.create_table('licences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identifier', sa.String(length=128), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('issuer_department_id', sa.Integer(), nullable=False),
    sa.Column('issuer_code', sa.String(length=18), nullable=False),
    sa.Column('issuer_name', sa.String(length=128), nullable=False),
    sa.Column('holder_name', sa.String(length=128), nullable=False),
    sa.Column('holder_code', sa.String(length=18), nullable=False),
    sa.Column('holder_code_type', sa.String(length=16), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('service_item_code', sa.String(length=64), nullable=False),
    sa.Column('service_item_name', sa.String(length=128), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('seal_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_licences_created_by_users')),
    sa.ForeignKeyConstraint(['issuer_department_id'], ['departments.id'], name=op.f('fk_licences_issuer_department_id_departments')),
    sa.ForeignKeyConstraint(['seal_id'], ['seals.id'], name=op.f('fk_licences_seal_id_seals')),
    sa.ForeignKeyConstraint(['type_id'], ['licence_types.id'], name=op.f('fk_licences_type_id_licence_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licences')),
    sa.UniqueConstraint('identifier', name=op.f('uq_licences_identifier')),
    sa.UniqueConstraint('issuer_department_id', 'type_id', 'serial', name='uq_licences_issuer_type_serial')
    )
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.create_index('ix_licences_holder_type', ['holder_code', 'type_id'], unique=False)
        batch_op.create_index('ix_licences_issuer_issued', ['issuer_department_id', 'issued_on'], unique=False)

    op.create_table('licence_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('licence_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_licence_events_actor_id_users')),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_licence_events_licence_id_licences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_events'))
    )
    with op.batch_alter_table('licence_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_events_licence_id'), ['licence_id'], unique=False)

    op.create_table('licence_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('licence_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('identifier', sa.String(length=128), nullable=False),
    sa.Column('canonical', sa.LargeBinary(), nullable=False),
    sa.Column('data_hash', sa.String(length=64), nullable=False),
    sa.Column('seal_signature', sa.LargeBinary(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('annotation', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_licence_versions_created_by_users')),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_licence_versions_licence_id_licences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_versions')),
    sa.UniqueConstraint('identifier', name=op.f('uq_licence_versions_identifier')),
    sa.UniqueConstraint('licence_id', 'version', name='uq_licence_versions_version')
    )
    with op.batch_alter_table('licence_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_versions_licence_id'), ['licence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_licence_versions_pdf_sha256'), ['pdf_sha256'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('licence_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_versions_pdf_sha256'))
        batch_op.drop_index(batch_op.f('ix_licence_versions_licence_id'))

    op.drop_table('licence_versions')
    with op.batch_alter_table('licence_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_events_licence_id'))

    op.drop_table('licence_events')
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_index('ix_licences_issuer_issued')
        batch_op.drop_index('ix_licences_holder_type')

    op.drop_table('licences')
    op.drop_table('licence_type_issuers')
    op.drop_table('licence_library')
    op.drop_table('licence_counters')
    with op.batch_alter_table('seals', schema=None) as batch_op:
        batch_op.drop_index('ix_seals_department_status')

    op.drop_table('seals')
    op.drop_table('licence_types')
    op.drop_table('licence_ca_certificates')
    op.drop_table('licence_keys')
