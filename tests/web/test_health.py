"""`/healthz` in front of the app (web/health.py): the same answer as its OpenAPI route, security headers, a shared
check for concurrent requests, and 503 when the database does not answer."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from tests.factories import in_own_thread
from tongban.main import create_app
from tongban.web import health


def test_health_answers_with_the_security_headers_and_no_cache(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["database"] == "reachable"
    assert r.headers["x-content-type-options"] == "nosniff" and "frame-ancestors" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    head = client.head("/healthz")
    assert head.status_code == 200 and head.content == b""
    assert client.post("/healthz").status_code == 405  # other methods reach the app, which refuses them


def test_the_route_answers_the_same_where_the_middleware_is_absent(database_url: str) -> None:
    app = create_app()
    assert "/healthz" in app.openapi()["paths"]  # described in the OpenAPI

    without = create_app()
    without.user_middleware = [m for m in without.user_middleware if m.cls is not health.Health]
    with TestClient(without) as bare, TestClient(app) as full:
        assert bare.get("/healthz").json() == full.get("/healthz").json() == {
            "status": "ok", "database": "reachable", "dialect": app.state.engine.dialect.name,
            "version": health.__version__}
    app.state.engine.dispose()
    without.state.engine.dispose()


def test_an_unreachable_database_is_503(tmp_path) -> None:  # type: ignore[no-untyped-def]
    gone = create_engine(f"sqlite:///{tmp_path}/missing/dir/x.db")
    status, body = health.answer(health.check(gone), "sqlite")
    assert status == 503 and body["database"] == "unreachable"


@pytest.mark.parametrize("callers", [20])
def test_concurrent_requests_share_one_check(database_url: str, callers: int) -> None:
    app = create_app()
    checks = 0
    real = health.check

    def counting(engine):  # type: ignore[no-untyped-def]
        nonlocal checks
        checks += 1
        return real(engine)

    middleware = health.Health(app, app.state.engine, [])
    health_check, health.check = health.check, counting
    try:
        sent: list[int] = []

        async def one() -> None:
            async def receive() -> dict[str, object]:
                return {"type": "http.request", "body": b""}

            async def send(message: dict[str, object]) -> None:
                if message["type"] == "http.response.start":
                    sent.append(int(message["status"]))  # type: ignore[call-overload]

            await middleware({"type": "http", "path": "/healthz", "method": "GET"}, receive, send)

        async def main() -> None:
            await asyncio.gather(*(one() for _ in range(callers)))

        in_own_thread(lambda: asyncio.run(main()))
    finally:
        health.check = health_check
        app.state.engine.dispose()
    assert sent == [200] * callers and 1 <= checks < callers
