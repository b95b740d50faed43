"""Seal codes (印章编码) from the numbering service.

Why: a seal's code ended in `count(seals) + 1`, so two seals made at once got the same code and one of
them failed on the unique index (and a deleted row would make the next code repeat an old one). Codes
now come from the gapless, race-safe counter `seal` of tongban.numbering, like every other number people
read. The counter starts after the highest sequence already issued (the last eight digits of es_id).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    codes = [row[0] for row in bind.execute(sa.text("SELECT es_id FROM seals"))]
    highest = max((int(code[-8:]) for code in codes if code[-8:].isdigit()), default=0)
    if highest:
        bind.execute(sa.text("INSERT INTO number_counters (series, period, last) VALUES ('seal', '', :n)"),
                     {"n": highest})


def downgrade() -> None:
    op.get_bind().execute(sa.text("DELETE FROM number_counters WHERE series = 'seal'"))
