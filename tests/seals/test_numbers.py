"""Seal codes (印章编码) come from the gapless counter: continuing after the codes already issued."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of
from tests.migration_support import foreign_keys_off, insert_row
from tongban import numbering
from tongban.cli import alembic_config
from tongban.db import make_engine
from tongban.seals import service as seals


def test_migration_starts_the_counter_after_the_codes_issued(fresh_url: str) -> None:
    cfg = alembic_config(fresh_url)
    command.upgrade(cfg, "0016")
    engine = make_engine(fresh_url)
    with engine.begin() as conn:
        foreign_keys_off(conn)
        for code in ("61090200000001", "61090200000007", "61090200000003"):
            insert_row(conn, "seals", es_id=code)
    command.upgrade(cfg, "0017")
    with engine.connect() as conn:
        last = conn.execute(sa.text("SELECT last FROM number_counters WHERE series = 'seal'")).scalar_one()
    engine.dispose()
    assert last == 7


def test_a_new_seal_takes_the_next_number_of_the_counter(session: Session, city: SmallCity) -> None:
    admin = actor_of(city.users["admin"])
    taken = numbering.allocate(session, numbering.SEAL)
    session.commit()
    seal = seals.create_seal(session=session, actor=admin, seal_in=seals.SealCreate(
        department_id=city.amr.id, kind="approval"))
    assert seal.es_id == f"{city.amr.region_code[:6]}{taken + 1:08d}"
