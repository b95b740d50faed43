"""Search dictionary (检索词典): placeholder reserved for issue 13 (synonyms, abbreviations, department short names).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
