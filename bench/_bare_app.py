"""The platform's app plus one bench-only route: the bare lookup of a record through the same HTTP
stack (middleware, session, JSON) without API key, grant, item filter, masking, quota or log.

Served only by benchmarks: `uvicorn --factory _bare_app:create` with bench/ on the path.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from tongban.deps import DbSession, public_router
from tongban.main import create_app


def create() -> FastAPI:
    app = create_app()
    bare = public_router()

    @bare.get("/bench/bare/{classification}/{seq}/records/{key}")
    def lookup(classification: str, seq: str, key: str, session: DbSession) -> dict[str, Any]:
        row = session.execute(text(
            "SELECT r.data FROM registry_records r JOIN catalog_resources c ON c.id = r.resource_id "
            "WHERE c.code = :c AND r.record_key = :k AND NOT r.deleted"),
            {"c": f"{classification}/{seq}", "k": key}).first()
        if row is None:
            return {"data": None}
        return {"data": json.loads(row[0]) if isinstance(row[0], str) else row[0]}

    app.include_router(bare)
    return app
