"""Legal clocks: one working-day clock for everything with a deadline (filled in by issue 12 §3).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 10:45:00.000000
"""

from __future__ import annotations

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
