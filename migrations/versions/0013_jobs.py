"""Job runner: the transactional outbox, periodic schedules and the run history (filled in by the jobs work of issue 12).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 10:45:00.000000
"""

from __future__ import annotations

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
