"""Index supervision_alerts.closed_at.

Why: an alert ends when the supervisor closes it (closed_at) or, if not closed, when the sweep clears it; the
indicators' rollup counts its closure on that day and its incremental pass finds the days changed since its last
look by these timestamps (raised_at and cleared_at are indexed by 0031).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 01:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_supervision_alerts_closed_at", "supervision_alerts", ["closed_at"])


def downgrade() -> None:
    op.drop_index("ix_supervision_alerts_closed_at", table_name="supervision_alerts")
