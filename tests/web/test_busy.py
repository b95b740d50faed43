"""A process whose database connections are all taken answers 503 "busy" (not 500) and stays up; the pool is
sized for two connections per request thread, which the settings check."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from tongban.config import Settings, get_settings
from tongban.main import create_app


def test_the_pool_must_hold_two_connections_per_request_thread(database_url: str) -> None:
    with pytest.raises(ValidationError, match="两倍"):
        Settings(db_pool_size=4, db_max_overflow=3, request_threads=4)
    assert Settings(db_pool_size=4, db_max_overflow=4, request_threads=4).request_threads == 4


def test_an_exhausted_pool_answers_busy(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's file engine has no connection pool limit to exhaust")
    monkeypatch.setenv("TONGBAN_DB_POOL_SIZE", "2")
    monkeypatch.setenv("TONGBAN_DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("TONGBAN_REQUEST_THREADS", "1")
    monkeypatch.setenv("TONGBAN_DB_POOL_TIMEOUT_SECONDS", "0.2")
    get_settings.cache_clear()
    app = create_app(get_settings())
    held = [app.state.engine.connect() for _ in range(2)]  # every connection of the process taken
    try:
        with TestClient(app) as client:
            r = client.get("/api/v1/catalog/resources")
            assert r.status_code == 503 and r.json()["code"] == "busy" and r.headers["Retry-After"] == "5"
            assert "稍后重试" in r.json()["message"]
            page = client.get("/catalog", headers={"Accept": "text/html"})
            assert page.status_code == 503 and "系统繁忙" in page.text
        for conn in held:
            conn.close()
        with TestClient(app) as client:  # connections back: the same process answers again
            assert client.get("/healthz").status_code == 200
    finally:
        for conn in held:
            conn.close()
        app.state.engine.dispose()
        get_settings.cache_clear()


def test_requests_beyond_the_limit_wait_their_turn_then_answer_busy(database_url: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONGBAN_REQUEST_THREADS", "1")
    monkeypatch.setenv("TONGBAN_REQUEST_WAIT_SECONDS", "0.2")
    get_settings.cache_clear()
    app = create_app(get_settings())
    try:
        with TestClient(app) as client:
            assert client.get("/api/v1/me").status_code == 401  # a free turn: admitted
            gate = app.state.admission
            client.portal.call(gate.acquire)  # the one turn taken (as by a long request)
            r = client.get("/api/v1/me")
            assert r.status_code == 503 and r.json()["code"] == "busy"
            assert client.get("/static/favicon.svg").status_code == 200  # static files do not queue
            assert client.get("/healthz").status_code == 200  # nor does the health check (web/health.py)
            client.portal.call(gate.release)
            assert client.get("/api/v1/me").status_code == 401
    finally:
        app.state.engine.dispose()
        get_settings.cache_clear()
