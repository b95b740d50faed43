"""An SMS provider's HTTP gateway in miniature, run as a separate process by the notification tests.

`POST /sms` takes {"phone", "text", "reference"} with the key in `X-API-Key` (SMS_TEST_KEY) and answers
{"id", "status": "accepted"}; a wrong key is a 401. `POST /sms/unavailable` always answers 503 (a gateway that
is down), `POST /sms/refuse` answers 400 (a number the provider will not send to). `GET /_received` lists
every call that arrived, with its path.

Run: `python -m uvicorn tests.notifications.sms_gateway_app:app --port 8766`.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

KEY = os.environ.get("SMS_TEST_KEY", "test-sms-key")

app = FastAPI(title="短信网关（测试）")
_received: list[dict[str, Any]] = []


async def _remember(request: Request) -> dict[str, Any]:
    body = await request.json()
    entry = {"path": request.url.path, "key": request.headers.get("x-api-key", ""), **body}
    _received.append(entry)
    return entry


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/_received")
def received() -> list[dict[str, Any]]:
    return _received


@app.post("/sms")
async def send(request: Request) -> JSONResponse:
    entry = await _remember(request)
    if entry["key"] != KEY:
        return JSONResponse({"error": "bad api key"}, status_code=401)
    return JSONResponse({"id": f"sms-{len(_received)}", "status": "accepted"})


@app.post("/sms/unavailable")
async def unavailable(request: Request) -> JSONResponse:
    await _remember(request)
    return JSONResponse({"error": "service unavailable"}, status_code=503)


@app.post("/sms/refuse")
async def refuse(request: Request) -> JSONResponse:
    await _remember(request)
    return JSONResponse({"error": "number not allowed"}, status_code=400)
