"""The platform's app plus bench-only routes: the bare lookup of a record through the same HTTP stack (middleware,
actor, CSRF check, JSON) without API key, grant, item filter, masking, quota or log.

- `/bench/bare/…`: as the platform's hot read paths do it (an `async def` handler reading on the event loop through
  tongban/loop_reads.py: the portal search's version, …).
- `/bench/bare-session/…`: as an ordinary synchronous handler does it (in a request thread, through the request's
  ORM session): what the bare lookup cost before loop reads.

Served only by benchmarks: `uvicorn --factory _bare_app:create` with bench/ on the path.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel
from sqlalchemy import text

from tongban.deps import DbSession, public_router
from tongban.loop_reads import reader
from tongban.main import create_app
from tongban.web import route_index

LOOKUP = ("SELECT r.data FROM registry_records r JOIN catalog_resources c ON c.id = r.resource_id "
          "WHERE c.code = :c AND r.record_key = :k AND NOT r.deleted")


class BareRecord(BaseModel):
    data: dict[str, Any] | None


def create() -> FastAPI:
    app = create_app()
    bare = public_router()

    @bare.get("/bench/bare/{classification}/{seq}/records/{key}", response_model=BareRecord)
    async def lookup(classification: str, seq: str, key: str, request: Request) -> Response:
        # Answered as the exchange's keyed read answers (its lane): the JSON by orjson, not FastAPI's encoder and
        # the response model's check (the model describes the answer in the OpenAPI).
        row = await reader(request.app.state.engine).one(LOOKUP, {"c": f"{classification}/{seq}", "k": key})
        data = None if row is None else orjson.loads(row[0]) if isinstance(row[0], str) else row[0]
        return Response(orjson.dumps({"data": data}), media_type="application/json")

    @bare.get("/bench/bare-session/{classification}/{seq}/records/{key}")
    def lookup_in_session(classification: str, seq: str, key: str, session: DbSession) -> dict[str, Any]:
        row = session.execute(text(LOOKUP), {"c": f"{classification}/{seq}", "k": key}).first()
        if row is None:
            return {"data": None}
        return {"data": json.loads(row[0]) if isinstance(row[0], str) else row[0]}

    app.include_router(bare)
    route_index.install(app)  # the app's dispatch again, with these routes (main.create_app built it without)
    return app
