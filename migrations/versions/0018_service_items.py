"""Service items (政务服务事项): placeholder reserved for issue 13 (basic catalog, implementation lists, materials, bundles).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
