"""Cases (办件): applications, their materials and their timeline.

Why: issue 14 — citizens and enterprises apply for service items and bundles; departments accept, ask for
补正, refuse, review and decide along BPMN processes against legal clocks (行政许可法 Art. 32, 42, 44, 45).
`cases` keeps the applicant, the implementation with its published snapshot at submission (a later revision
of the guide does not change a running case), the department, status, channel (网上/窗口), the form data,
the bundle parent of a sub-case, the workflow instance, the clock due days mirrored for sorting, the one
补正 notice and the decision. It is indexed for the window clerk's queue (department, status, submitted)
and the applicant's list at a million cases; the reviewer's list is the workflow task projection.
`case_materials` says how each material was provided (uploaded file hash, fetched licence, shared data,
waived) and whether the applicant confirmed it; `case_events` is the timeline.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", _BIG, autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=24), nullable=True),
        sa.Column("check_hash", sa.String(length=64), nullable=True),
        sa.Column("applicant_user_id", sa.Integer(), nullable=False),
        sa.Column("applicant_kind", sa.String(length=12), nullable=False),
        sa.Column("applicant_name", sa.String(length=128), nullable=False),
        sa.Column("applicant_code", sa.String(length=32), nullable=False),
        sa.Column("applicant_code_type", sa.String(length=16), nullable=False),
        sa.Column("implementation_id", sa.Integer(), nullable=True),
        sa.Column("implementation_version", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=32), nullable=False),
        sa.Column("item_name", sa.String(length=128), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("bundle_code", sa.String(length=32), nullable=True),
        sa.Column("parent_id", _BIG, nullable=True),
        sa.Column("lane", sa.String(length=16), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("form_data", sa.JSON(), nullable=False),
        sa.Column("process_key", sa.String(length=16), nullable=True),
        sa.Column("workflow_instance_id", _BIG, nullable=True),
        sa.Column("accept_due_on", sa.Date(), nullable=True),
        sa.Column("legal_due_on", sa.Date(), nullable=True),
        sa.Column("promised_due_on", sa.Date(), nullable=True),
        sa.Column("suspended_reason", sa.String(length=16), nullable=True),
        sa.Column("supplement_notice", sa.JSON(), nullable=True),
        sa.Column("supplement_notified_at", sa.DateTime(), nullable=True),
        sa.Column("deemed_accepted", sa.Boolean(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("remedies", sa.Text(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["applicant_user_id"], ["users.id"], name=op.f("fk_cases_applicant_user_id_users")),
        sa.ForeignKeyConstraint(["implementation_id"], ["item_implementations.id"],
                                name=op.f("fk_cases_implementation_id_item_implementations")),
        sa.ForeignKeyConstraint(["parent_id"], ["cases.id"], name=op.f("fk_cases_parent_id_cases")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"], name=op.f("fk_cases_department_id_departments")),
        sa.ForeignKeyConstraint(["entered_by"], ["users.id"], name=op.f("fk_cases_entered_by_users")),
        sa.ForeignKeyConstraint(["licence_id"], ["licences.id"], name=op.f("fk_cases_licence_id_licences")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_cases_number")),
    )
    op.create_index("ix_cases_department_status_submitted", "cases", ["department_id", "status", "submitted_at"])
    op.create_index("ix_cases_applicant_created", "cases", ["applicant_user_id", "created_at"])
    op.create_index("ix_cases_status_accept_due", "cases", ["status", "accept_due_on"])
    op.create_index(op.f("ix_cases_implementation_id"), "cases", ["implementation_id"])
    op.create_index(op.f("ix_cases_parent_id"), "cases", ["parent_id"])
    op.create_table(
        "case_materials",
        sa.Column("id", _BIG, autoincrement=True, nullable=False),
        sa.Column("case_id", _BIG, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=512), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("provided", sa.String(length=12), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("file_kind", sa.String(length=8), nullable=True),
        sa.Column("licence_identifier", sa.String(length=128), nullable=True),
        sa.Column("shared_ref", sa.String(length=128), nullable=True),
        sa.Column("confirmed_by_applicant", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_case_materials_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_materials")),
    )
    op.create_index(op.f("ix_case_materials_case_id"), "case_materials", ["case_id"])
    op.create_table(
        "case_events",
        sa.Column("id", _BIG, autoincrement=True, nullable=False),
        sa.Column("case_id", _BIG, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_case_events_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"])


def downgrade() -> None:
    op.drop_table("case_events")
    op.drop_table("case_materials")
    op.drop_table("cases")
