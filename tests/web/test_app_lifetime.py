"""An application object is freed once nothing uses it. FastAPI keeps endpoint functions in module-level caches
(callable classification, 4,096 entries), so an endpoint defined as a closure over `app` kept every app ever
created alive: the test suite, which makes one app per test, grew by about 100 MB a minute and spent minutes
freeing them at exit. Endpoints reach the app through `request.app` instead."""

from __future__ import annotations

import gc
import time
import weakref

from fastapi.testclient import TestClient

from tongban.config import Settings
from tongban.main import create_app, freeze_startup_objects


def test_an_app_is_freed_after_use(settings: Settings) -> None:
    # The process's first start freezes what exists then (main.freeze_startup_objects: in a server, its one app);
    # done before this app exists, so that it is this app's own references under test.
    freeze_startup_objects()
    app = create_app(settings)
    with TestClient(app) as client:
        for path in ("/healthz", "/docs", "/openapi.json", "/login", "/services", "/static/favicon.svg"):
            client.get(path)
    app.state.engine.dispose()
    ref = weakref.ref(app)
    del app, client
    # A request's last references (a worker thread's finished call, a callback to the test client's closed loop)
    # may outlive the response by a moment: collected again until nothing holds the app, or it is a leak.
    for _ in range(50):
        gc.collect()
        if ref() is None:
            break
        time.sleep(0.1)
    held = ref()
    holders = [] if held is None else [f"{type(r).__name__}: {str(r)[:200]}" for r in gc.get_referrers(held)]
    del held
    assert ref() is None, f"something outside the app still holds it (a closure over `app` in an endpoint?): {holders}"


def test_fastapis_own_telemetry_is_off_unless_asked_for(settings: Settings) -> None:
    """FastAPI instruments every request with OpenTelemetry when a provider is configured, and asks whether one is on
    every request (~6 µs of CPU even with none): the platform turns that off unless TONGBAN_OTEL_TELEMETRY asks."""
    for asked, expected in ((False, False), (True, True)):
        app = create_app(settings.model_copy(update={"otel_telemetry": asked}))
        config = app._telemetry  # FastAPI's own record of what it was given
        assert (config["tracing"], config["metrics"], config["logs"]) == (expected,) * 3
        app.state.engine.dispose()
