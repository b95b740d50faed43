"""`GET /healthz`: whether this process can reach its database, answered in front of the application.

Load balancers ask it every few seconds per process and monitoring more often; through the framework it cost a
thread and a pool connection per request (bench/request_path.py). Here it is answered by a plain ASGI middleware
outside the others (with the security headers built into its answers, as static files are), and the database check
(`SELECT 1` on a pooled connection, in a worker thread) is shared: requests that arrive while a check is running
wait for that check's result instead of starting their own. Every answer therefore comes from a check that was
running or started when the request arrived — never from a remembered result.

The route of the same path in main.py stays as the OpenAPI description and answers the same way where this
middleware is not installed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import anyio.to_thread
import orjson
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from tongban import __version__

log = logging.getLogger("tongban")
PATH = "/healthz"


def check(engine: Engine) -> bool:
    """`SELECT 1` on a pooled connection: True if the database answered."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as exc:
        log.warning("health check failed: %s", exc)
        return False


def answer(ok: bool, dialect: str) -> tuple[int, dict[str, Any]]:
    """The status code and body of a health answer."""
    return (200 if ok else 503), {"status": "ok" if ok else "error", "database": "reachable" if ok else "unreachable",
                                  "dialect": dialect, "version": __version__}


class Health:
    """Middleware: `GET`/`HEAD /healthz` answered here with a shared database check; anything else passes on."""

    def __init__(self, app: ASGIApp, engine: Engine, headers: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.engine = engine
        self.headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store"), *headers]
        self.running: asyncio.Future[bool] | None = None

    async def _check(self) -> bool:
        if self.running is None or self.running.done():
            self.running = asyncio.ensure_future(anyio.to_thread.run_sync(check, self.engine))
        return await asyncio.shield(self.running)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        status, body = answer(await self._check(), self.engine.dialect.name)
        encoded = orjson.dumps(body)
        await send({"type": "http.response.start", "status": status,
                    "headers": [*self.headers, (b"content-length", str(len(encoded)).encode())]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else encoded})
