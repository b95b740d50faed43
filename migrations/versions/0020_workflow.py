"""Workflow engine (流程引擎): BPMN process versions, running instances, ready user tasks.

Why: applications (办件, issue 14) are handled along BPMN 2.0 processes run by SpiffWorkflow — 即办件,
承诺件 with 补正, 联合审批 in parallel. Process definitions are data and versioned
(`workflow_processes`: key, version, the BPMN document and its SHA-256; a case stays on the version it
started on). An instance keeps SpiffWorkflow's serialized state with its format version and a version
counter for optimistic locking (`workflow_instances`). The ready user tasks are projected into an indexed
table (`workflow_tasks`: role, department, due date) so that a department's task list is one index scan
at a million cases instead of a scan of serialized states.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "workflow_processes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("bpmn", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_processes")),
        sa.UniqueConstraint("key", "version", name="uq_workflow_processes_key_version"),
        sa.UniqueConstraint("key", "sha256", name="uq_workflow_processes_key_sha256"),
    )
    op.create_table(
        "workflow_instances",
        sa.Column("id", _BIG, autoincrement=True, nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=40), nullable=False),
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("lanes", sa.JSON(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("end_event", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["process_id"], ["workflow_processes.id"],
                                name=op.f("fk_workflow_instances_process_id_workflow_processes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_instances")),
    )
    op.create_index("ix_workflow_instances_subject", "workflow_instances", ["subject_kind", "subject_ref"])
    op.create_index(op.f("ix_workflow_instances_process_id"), "workflow_instances", ["process_id"])
    op.create_table(
        "workflow_tasks",
        sa.Column("id", _BIG, autoincrement=True, nullable=False),
        sa.Column("instance_id", _BIG, nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("lane", sa.String(length=40), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["workflow_instances.id"], ondelete="CASCADE",
                                name=op.f("fk_workflow_tasks_instance_id_workflow_instances")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_workflow_tasks_department_id_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_tasks")),
        sa.UniqueConstraint("instance_id", "task_id", name="uq_workflow_tasks_instance_task"),
    )
    op.create_index(op.f("ix_workflow_tasks_instance_id"), "workflow_tasks", ["instance_id"])
    op.create_index("ix_workflow_tasks_department_role_due", "workflow_tasks", ["department_id", "role", "due_date"])


def downgrade() -> None:
    op.drop_table("workflow_tasks")
    op.drop_table("workflow_instances")
    op.drop_table("workflow_processes")
