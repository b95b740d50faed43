"""Search documents get the other names they are asked by (aliases) and a ranking boost.

Why: people ask for a service by what it gives them — 营业执照, 出生医学证明 — more than by the item's
official name (个体工商户设立登记). The result an item issues was indexed in its abstract among the
conditions, and FTS5's bm25 normalizes by the whole row's length, so the many items that only take a
营业执照 as a material outranked the two that issue one (bench/search_quality.py). `aliases` is indexed
with the name (FTS5 column `name`, tsvector weight A) but never shown as the name. `boost` (0 by default)
scales a document's relevance: the portal's high-frequency items (高频事项) come first among equally good
matches. Existing documents keep working unchanged (empty aliases, no boost) until `search.reindex`.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 16:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("search_documents") as batch:
        batch.add_column(sa.Column("aliases", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("boost", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("search_documents") as batch:
        batch.drop_column("boost")
        batch.drop_column("aliases")
