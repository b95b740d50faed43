"""Helpers of the migration tests: a row with placeholders in every required column, foreign keys off."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa


def filler(col: sa.Column[Any]) -> Any:
    t = col.type
    if isinstance(t, sa.Boolean):
        return False
    if isinstance(t, sa.DateTime):
        return dt.datetime(2026, 12, 1, 8, 0)
    if isinstance(t, sa.Date):
        return dt.date(2026, 12, 1)
    if isinstance(t, sa.Integer):
        return 1
    if isinstance(t, sa.JSON):
        return []
    if isinstance(t, sa.LargeBinary):
        return b""
    return "x"


def insert_row(conn: sa.Connection, table: str, **values: Any) -> None:
    """A row with the given values and a placeholder in every other required column (foreign keys are off)."""
    t = sa.Table(table, sa.MetaData(), autoload_with=conn)
    row = {c.name: filler(c) for c in t.columns if not c.nullable and c.name != "id" and c.name not in values}
    conn.execute(t.insert().values(**row, **values))


def foreign_keys_off(conn: sa.Connection) -> None:
    """Rows of a half-built world for one migration: the referenced rows are not there."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SET session_replication_role = replica"))
    else:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
