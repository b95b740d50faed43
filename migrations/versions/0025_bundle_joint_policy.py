"""Items: a bundle (一件事) says what one department's refusal does to its joint case.

Why: issue 14 §3 — "one department's refusal decides the joint case as the item says". Until now every
joint case ran under the policy any_refusal (the first refusal refuses the whole case). `item_bundles.
joint_policy` is the bundle's choice: "any_refusal" (one refusal refuses the whole case, the other
departments' tasks are withdrawn) or "all_must_decide" (every department decides its own sub-case; the
approved members are granted with their licences, the refused ones refused). Existing bundles keep the
behaviour they had (server default any_refusal).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("item_bundles") as batch:
        batch.add_column(sa.Column("joint_policy", sa.String(length=16), nullable=False,
                                   server_default="any_refusal"))


def downgrade() -> None:
    with op.batch_alter_table("item_bundles") as batch:
        batch.drop_column("joint_policy")
