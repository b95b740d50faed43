"""deps.get_db and deps.RequestSessions: a request's session is opened by its first user and ended once the request
has been answered — what it left uncommitted rolled back, its connection back in the pool — a streamed answer
reading through it to its last chunk; without the middleware, get_db refuses rather than leak a connection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from tongban.config import get_settings
from tongban.deps import DbSession, public_router
from tongban.main import create_app
from tongban.versioned import ConfigVersion


def _app() -> FastAPI:
    app = create_app()
    router = public_router()

    @router.get("/t/leave-uncommitted")
    def leave(session: DbSession) -> dict[str, int]:
        session.execute(text("INSERT INTO config_versions (name, version) VALUES ('left-behind', 1)"))
        return {"seen": session.execute(select(func.count()).select_from(ConfigVersion).where(
            ConfigVersion.name == "left-behind")).scalar_one()}

    @router.get("/t/stream")
    def stream(session: DbSession) -> StreamingResponse:
        def rows() -> Iterator[str]:
            for n in range(3):  # the session still answers while the body streams
                yield f"{n}:{session.execute(text('SELECT 1')).scalar_one()}\n"

        return StreamingResponse(rows(), media_type="text/plain")

    @router.get("/t/same")
    def same(a: DbSession, b: DbSession) -> dict[str, bool]:
        return {"same": a is b}

    app.include_router(router)
    return app


def test_the_session_ends_after_the_answer_with_its_leftovers_rolled_back(database_url: str) -> None:
    app = _app()
    engine = app.state.engine
    try:
        with TestClient(app) as client:
            assert client.get("/t/leave-uncommitted").json() == {"seen": 1}  # visible inside its own transaction
            assert engine.pool.checkedout() == 0  # the connection is back in the pool
            assert client.get("/t/same").json() == {"same": True}  # one session per request
            with engine.connect() as conn:
                assert conn.execute(select(func.count()).select_from(ConfigVersion).where(
                    ConfigVersion.name == "left-behind")).scalar_one() == 0  # rolled back, not committed
            r = client.get("/t/stream")
            assert r.status_code == 200 and r.text == "0:1\n1:1\n2:1\n"
            assert engine.pool.checkedout() == 0
    finally:
        engine.dispose()


def test_get_db_without_the_middleware_refuses() -> None:
    app = FastAPI()
    app.state.settings = get_settings()  # the actor's resolution (before the handler's session) reads them
    router = public_router()

    @router.get("/t")
    def handler(session: DbSession) -> dict[str, str]:
        return {}

    app.include_router(router)
    with TestClient(app) as client, pytest.raises(RuntimeError, match="RequestSessions"):
        client.get("/t")
