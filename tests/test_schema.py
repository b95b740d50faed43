"""Migrations are the only source of the schema: the models must match what they build."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

import tongban.models  # noqa: F401
from tongban.db import Base


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
            return not (type_ == "table" and name and name.startswith(("catalog_fts", "catalog_search", "search_fts", "search_tsv")))

        ctx = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"
