"""A provider department's own system (公安人口库 in miniature), run as a separate process by the proxy tests.

`GET /population?item=value…` answers `{"items": [...]}` with every item it holds (the hub must strip
the ones not granted); a keyed lookup of an unknown resident ID answers 404. `/broken` answers 500,
`/not-json` an HTML page, `/wrong-shape` JSON without `items`, `/nested` JSON nested 100,000 levels
deep. `/_seen` tells which headers each call arrived with, by the hub's call id. A provider that never
finishes its answer is `trickle_server.py`.

Run: `python -m uvicorn tests.exchange.provider_app:app --port 8765`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from tongban.demo.city import resident_id

NAMES = ["王建华", "李秀英", "张伟"]
RECORDS: list[dict[str, Any]] = [
    {"id_number": resident_id("610902", dt.date(1979, 5, 4) + dt.timedelta(days=n * 400), 20 + n, n % 2 == 1),
     "name": NAMES[n], "gender": "女" if n % 2 else "男", "address": f"陕西省安康市汉滨区江北街道巴山路{n + 7}号",
     "phone": f"1391234{5670 + n}"}
    for n in range(3)
]

app = FastAPI(title="提供部门业务系统（测试）")
_seen: list[dict[str, str]] = []


def _remember(request: Request) -> None:
    h = request.headers
    _seen.append({
        "call_id": h.get("x-tongban-call-id", ""), "purpose": unquote(h.get("x-purpose", "")),
        "end_user": unquote(h.get("x-end-user", "")), "case_number": unquote(h.get("x-case-number", "")),
        "consumer_department": unquote(h.get("x-consumer-department", "")),
        "consumer_system": unquote(h.get("x-consumer-system", "")), "query": str(request.url.query),
        "health_check": h.get("x-tongban-health-check", ""),
    })


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/_seen")
def seen(call_id: str = "") -> list[dict[str, str]]:
    return [s for s in _seen if not call_id or s["call_id"] == call_id]


@app.get("/population")
def population(request: Request) -> JSONResponse:
    _remember(request)
    params = dict(request.query_params)
    if not params:
        return JSONResponse({"items": []})  # no condition, no data: the hub's connection test lands here
    unknown = [k for k in params if k not in RECORDS[0]]
    if unknown:
        return JSONResponse({"error": f"unknown items {unknown}"}, status_code=400)
    found = [r for r in RECORDS if all(r[k] == v for k, v in params.items())]
    if "id_number" in params and not found:
        return JSONResponse({"error": "no such resident"}, status_code=404)
    return JSONResponse({"items": found})


@app.get("/nested")
def nested(request: Request) -> Response:
    """Valid JSON nested far deeper than any parser's recursion limit."""
    _remember(request)
    depth = 100_000
    return Response(b'{"items": [{"name": ' + b"[" * depth + b"]" * depth + b"}]}", media_type="application/json")


@app.get("/broken")
def broken(request: Request) -> JSONResponse:
    _remember(request)
    return JSONResponse({"error": "database connection lost"}, status_code=500)


@app.get("/not-json")
def not_json(request: Request) -> HTMLResponse:
    _remember(request)
    return HTMLResponse("<html><body>系统维护中</body></html>")


@app.get("/wrong-shape")
def wrong_shape(request: Request) -> JSONResponse:
    _remember(request)
    return JSONResponse({"data": RECORDS[:1]})
