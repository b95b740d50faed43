"""Exchange monitoring rollups.

(Placeholder written before the work started so that the revision chain stays whole; the owner of
this part replaces the body and this docstring.)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
