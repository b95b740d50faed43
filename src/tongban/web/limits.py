"""Request-body limits, enforced while the body streams in, before any of it is parsed or spooled.

Every request may send at most `TONGBAN_MAX_BODY_BYTES` (1 MiB: JSON and forms). The routes that take
files declare their own limit below: the file limit their domain enforces, plus room for the multipart
envelope, capped by `TONGBAN_MAX_UPLOAD_BYTES`. A `Content-Length` over the limit is refused before a
byte is read; a body without one (chunked) is counted as it arrives and refused at the first byte past
the limit, so a 1 GB anonymous upload costs at most the limit, not a gigabyte of disk.

A route may also declare a gate that runs when its body is first read, before any byte of it: the
public licence verification counts its per-address upload limit there, so a flood is refused
before its uploads are received.

The refusal is raised inside the application (from `receive`), where FastAPI passes an
`HTTPException` through its body parsing untouched; the handler installed here answers it with
the platform's error body (`{code, message, detail}`, Chinese, an error page for browsers).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tongban.config import Settings, get_settings
from tongban.errors import DomainError

MiB = 1024 * 1024
# Room for the multipart envelope and the form's other fields around the files.
ENVELOPE = 256 * 1024

Gate = Callable[[Request], None]


@dataclass(frozen=True)
class _Route:
    method: str
    path: re.Pattern[str]
    max_bytes: int
    what: str
    gate: str | None


@functools.cache
def _routes() -> tuple[_Route, ...]:
    """The upload routes the domains declared (`platform.add_upload_route` in their register()). Their
    domains check each file's own size; the limit here only keeps a request from being larger than any
    acceptable one."""
    from tongban.registry import platform

    return tuple(_Route(r.method, re.compile(r.pattern), r.max_bytes + ENVELOPE, r.what, r.gate)
                 for r in platform().upload_routes)


def _gate(target: str) -> Gate:
    from tongban.registry import resolve

    gate: Gate = resolve(target)
    return gate


def route_limit(method: str, path: str, settings: Settings) -> tuple[int, str, Gate | None]:
    """(byte limit, what the route takes, gate) of a request."""
    for route in _routes():
        if method == route.method and route.path.fullmatch(path):
            gate = _gate(route.gate) if route.gate else None
            return min(route.max_bytes, settings.max_upload_bytes), route.what, gate
    return settings.max_body_bytes, "", None


class BodyRefused(StarletteHTTPException):
    """A body refused while it was being received; carries the domain error to answer with.

    An HTTPException, because FastAPI turns any other exception raised while it reads a body into a
    400 "error parsing the body"; this one it passes on, and the handler below answers it.
    """

    def __init__(self, error: DomainError) -> None:
        super().__init__(status_code=error.status_code, detail=error.message)
        self.error = error


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


def _too_large(limit: int, what: str) -> BodyRefused:
    size = f"{limit / MiB:.1f} MB" if limit >= MiB else f"{limit // 1024} KB"
    hint = f"此处可上传{what}。" if what else "请缩小提交的内容，或分批提交。"
    return BodyRefused(PayloadTooLarge(f"提交的内容过大（超过 {size}），已拒绝接收。{hint}",
                                       detail={"max_bytes": limit}))


class BodyLimit:
    """ASGI middleware: per-route body limits and gates, checked as the body is received."""

    def __init__(self, app: ASGIApp, settings: Settings | None = None) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.settings or get_settings()
        limit, what, gate = route_limit(scope["method"], scope["path"], settings)
        try:
            declared: int | None = int(Headers(scope=scope)["content-length"])
        except (KeyError, ValueError):
            declared = None
        received = 0
        first = True

        async def limited_receive() -> Message:
            nonlocal received, first
            if first:
                first = False
                if gate is not None:
                    try:
                        gate(Request(scope))
                    except DomainError as exc:
                        raise BodyRefused(exc) from None
                if declared is not None and declared > limit:
                    raise _too_large(limit, what)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit, what)
            return message

        await self.app(scope, limited_receive, send)


def install(app: FastAPI) -> None:
    """Register the middleware and the answer to a refused body (after the domain error handlers)."""
    app.add_middleware(BodyLimit, settings=app.state.settings)
    answer_domain_error = app.exception_handlers[DomainError]

    async def _refused(request: Request, exc: Any) -> Any:
        answer = answer_domain_error(request, exc.error)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(BodyRefused, _refused)
