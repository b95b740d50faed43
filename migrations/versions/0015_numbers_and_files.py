"""Numbering counters for every human-readable number, and the content-addressed file store (filled in by issue 12 §4, §5).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:45:00.000000
"""

from __future__ import annotations

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
