"""Notifications: versioned templates, messages per channel with delivery status, in-site inbox (filled in by the notifications work of issue 12).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:45:00.000000
"""

from __future__ import annotations

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
