"""Cases: index the workflow instance of a case.

Why: issue 14's performance target — the reviewer's task list (cases.queries.task_list) at a million cases.
It starts from the department's ready tasks (ix_workflow_tasks_department_role_due) and joins each task's
case by `cases.workflow_instance_id`, which had no index: PostgreSQL hashed or scanned all the cases, and
SQLite's planner started from every open case of every department instead (bench/cases.py, EXPLAIN plans in
docs/benchmarks.md). With the index each task finds its case in one index probe.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 12:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_workflow_instance_id", "cases", ["workflow_instance_id"])


def downgrade() -> None:
    op.drop_index("ix_cases_workflow_instance_id", table_name="cases")
