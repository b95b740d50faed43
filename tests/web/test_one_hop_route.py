"""deps.OneHopRoute: a synchronous handler still runs in the thread pool, never on the event loop, its answer is
still checked against its response model, and FastAPI still reads its parameters (the OpenAPI is unchanged)."""

from __future__ import annotations

import asyncio
import threading
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel

from tongban.deps import OneHopRoute, public_router, secure_router


class Shown(BaseModel):
    name: str


def test_a_sync_handler_runs_off_the_loop_with_its_parameters_and_its_answer_checked() -> None:
    assert public_router().route_class is OneHopRoute and secure_router().route_class is OneHopRoute
    seen: dict[str, object] = {}
    router = APIRouter(route_class=OneHopRoute)

    @router.get("/t/{n}", response_model=Shown)
    def handler(n: int, q: Annotated[str, Query(max_length=3)] = "x") -> dict[str, object]:
        try:
            asyncio.get_running_loop()
            seen["on_loop"] = True
        except RuntimeError:
            seen["on_loop"] = False
        seen["thread"] = threading.current_thread().name
        return {"name": f"{n}{q}", "secret": "dropped by the model"}

    app = FastAPI()
    app.include_router(router)
    route = next(r for r in router.routes if getattr(r, "path", "") == "/t/{n}")
    assert isinstance(route, OneHopRoute) and route.endpoint.__wrapped__ is handler  # type: ignore[attr-defined]
    with TestClient(app) as client:
        r = client.get("/t/7?q=ab")
        assert r.status_code == 200 and r.json() == {"name": "7ab"}  # the model still shapes the answer
        assert seen["on_loop"] is False  # in a worker thread, as FastAPI runs any sync handler
        assert client.get("/t/x").status_code == 422  # parameters still read from the handler's signature
        assert client.get("/t/1?q=toolong").status_code == 422
    params = {p["name"] for p in app.openapi()["paths"]["/t/{n}"]["get"]["parameters"]}
    assert params == {"n", "q"}
    assert app.openapi()["paths"]["/t/{n}"]["get"]["operationId"].startswith("handler")
