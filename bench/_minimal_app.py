"""The physical limit of bench/request_path.py: the least a Python ASGI app can do to answer the same lookup.

A raw ASGI callable (no framework, no middleware, no session, no pool): it reads the register's record of one
person by its key with the database driver directly (sqlite3, or psycopg on PostgreSQL), one connection per
worker process, and answers it with orjson. The platform's paths are measured as a share of what this does on
the same server (uvicorn, same workers) in the same run.

    uvicorn --factory _minimal_app:create   (bench/ on the path; BENCH_DATABASE_URL and BENCH_RESOURCE_ID set)

`create_fastapi` and `create_fastapi_sync` are the framework's own ceiling for the same lookup: a bare FastAPI app
(no middleware, no dependency, no session) with one route doing it with the driver, `async def` (on the event loop)
or `def` (in FastAPI's thread pool, as the platform's synchronous handlers run). What the platform adds to FastAPI
is the distance between these rows and its own.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

import orjson
from fastapi import FastAPI

QUERY = "SELECT data FROM registry_records WHERE resource_id = {p} AND record_key = {p} AND NOT deleted"


def _connect(url: str) -> tuple[Any, str]:
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1], check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        return conn, QUERY.format(p="?")
    import psycopg

    pg: Any = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    return pg, QUERY.format(p="%s")


def create() -> Any:
    conn, query = _connect(os.environ["BENCH_DATABASE_URL"])
    resource_id = int(os.environ["BENCH_RESOURCE_ID"])
    headers = [(b"content-type", b"application/json")]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # lifespan: nothing to set up
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
                await receive()
                await send({"type": "lifespan.shutdown.complete"})
            return
        key = scope["path"].rsplit("/", 1)[-1]
        row = conn.execute(query, (resource_id, key)).fetchone()
        data = row[0] if row else None
        body = orjson.dumps({"data": orjson.loads(data) if isinstance(data, str) else data})
        await send({"type": "http.response.start", "status": 200 if row else 404,
                    "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return app


def _fastapi(sync: bool) -> FastAPI:
    url = os.environ["BENCH_DATABASE_URL"]
    resource_id = int(os.environ["BENCH_RESOURCE_ID"])
    app = FastAPI()
    local = threading.local()  # a connection per thread: the pool's threads run lookups at once

    def lookup(key: str) -> dict[str, Any]:
        if not hasattr(local, "conn"):
            local.conn, local.query = _connect(url)
        row = local.conn.execute(local.query, (resource_id, key)).fetchone()
        data = row[0] if row else None
        return {"data": orjson.loads(data) if isinstance(data, str) else data}

    if sync:
        app.get("/p/{key}")(lookup)
    else:
        @app.get("/p/{key}")
        async def lookup_async(key: str) -> dict[str, Any]:
            return lookup(key)

    return app


def create_fastapi() -> FastAPI:
    return _fastapi(sync=False)


def create_fastapi_sync() -> FastAPI:
    return _fastapi(sync=True)
