"""Documents (文书): the sealed notices and decisions of case handling.

Why: issue 14 §2 — 受理通知书, 不予受理决定书, 补正材料通知书, 准予 / 不予行政许可决定书 are PDFs sealed with the
department's e-seal like e-licences and verifiable the same way. `documents` keeps the 文号 (unique; its
sequence per department, kind and year comes from `number_counters`), the kind, the owner named by type and
id (no foreign key into the owning domain: documents sit below cases), the recipient (a person's ID stored
masked), the fields the PDF shows, the signed `document.json` (verification compares it), its SM3 hash, the
signed PDF's SHA-256 in the file store, the seal, and the status (issued / revoked).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 11:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('owner_type', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('recipient_name', sa.String(length=128), nullable=False),
    sa.Column('recipient_code', sa.String(length=32), nullable=False),
    sa.Column('recipient_code_type', sa.String(length=16), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('canonical', sa.LargeBinary(), nullable=False),
    sa.Column('data_hash', sa.String(length=64), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('seal_id', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_documents_created_by_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_documents_department_id_departments')),
    sa.ForeignKeyConstraint(['seal_id'], ['seals.id'], name=op.f('fk_documents_seal_id_seals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('number', name=op.f('uq_documents_number'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_owner', ['owner_type', 'owner_id'], unique=False)
        batch_op.create_index('ix_documents_department_kind_year', ['department_id', 'kind', 'year'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_department_kind_year')
        batch_op.drop_index('ix_documents_owner')
    op.drop_table('documents')
