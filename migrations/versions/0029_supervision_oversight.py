"""placeholder: reserved for the supervisor's board, 督办 and closing alerts (issue 15 §1); filled in by that part.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 23:40:00.000000
"""

from __future__ import annotations

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
