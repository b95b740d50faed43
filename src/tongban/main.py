"""App factory: settings, database, error handlers, static files, and the routers the domains register."""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tongban import __version__, threads
from tongban.audit import service as audit
from tongban.config import Settings, get_settings
from tongban.db import make_engine, make_session_factory
from tongban.deps import RequestSessions, client_ip, public_router
from tongban.errors import DomainError, Forbidden, NotAuthenticated, TooManyRequests, translate_validation_errors
from tongban.exchange.gateway_api import KeyedReadLane
from tongban.org import auth
from tongban.registry import platform, resolve
from tongban.transactions import Why, separate
from tongban.web import health, limits, object_names, route_index, static_files  # noqa: F401  (object_names knows every domain: the top layer's)
from tongban.web.templating import render, templates

log = logging.getLogger("tongban")

SYSTEM_TAG = {"name": "系统", "description": "健康检查与当前身份"}


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.url.path in ("/healthz", "/openapi.json"):
        return False
    if request.headers.get("hx-request"):
        return True
    return "text/html" in request.headers.get("accept", "")


def _resolve_page_actor(request: Request) -> None:
    """Error pages wear the signed-in user's layout and menu.

    A 404 for an unknown path (or an error raised before the route's dependencies ran) reaches the
    handler without `request.state.actor`; resolve it from the session cookie as `deps.get_actor` would.
    """
    if getattr(request.state, "actor", None) is not None:
        return
    token = request.cookies.get(request.app.state.settings.session_cookie)
    if not token:
        return
    session = request.app.state.session_factory()
    try:
        actor = auth.actor_from_session_token(session, token, client_ip=client_ip(request))
        if actor.is_authenticated:
            request.state.actor = actor
    except Exception:  # an error page must render even when the database does not answer
        log.exception("could not resolve the actor for an error page")
    finally:
        session.close()


def _error_response(request: Request, status: int, body: dict[str, Any],
                    headers: dict[str, str] | None = None) -> Response:
    if _wants_html(request):
        _resolve_page_actor(request)
        response = render(request, "error.html", {"failure": body, "status": status}, status_code=status)
        for name, value in (headers or {}).items():
            response.headers.setdefault(name, value)
        return response
    return JSONResponse(body, status_code=status, headers=headers)


def _audit_denial(request: Request, exc: DomainError) -> None:
    """Refused attempts are evidence too: record them in their own transaction (the use-case rolled back).

    A Forbidden is recorded against the route; an error carrying `refused_object` (type, id) — e.g. a user
    outside the actor's reach, answered as 404 — against that object.
    """
    actor = getattr(request.state, "actor", None)
    if actor is None or not actor.is_authenticated:
        return
    object_type, object_id = getattr(exc, "refused_object", None) or ("route", request.url.path[:64])
    try:
        with separate(request.app.state.session_factory, Why.REFUSAL_AUDIT) as session:
            audit.record(session, actor=actor, action="access.denied", object_type=object_type,
                         object_id=object_id, result="denied",
                         detail={"method": request.method, "code": exc.code, "detail": exc.detail})
    except Exception:  # never let the audit of a refusal turn it into a 500
        log.exception("could not audit an access denial")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if isinstance(exc, Forbidden) or getattr(exc, "refused_object", None):
            _audit_denial(request, exc)
        if isinstance(exc, NotAuthenticated) and _wants_html(request) and request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        if isinstance(exc, NotAuthenticated):
            headers = {"WWW-Authenticate": "Bearer"}
        return _error_response(request, exc.status_code, exc.body(), headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        summary, fields = translate_validation_errors(list(exc.errors()))
        return _error_response(request, 422, {"code": "validation_failed", "message": summary,
                                              "detail": {"fields": fields}})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {400: ("body_unreadable", "请求体无法解析：JSON 须为 UTF-8 编码的有效 JSON，表单须符合其内容类型。"),
                    404: ("not_found", "页面或接口不存在，请检查地址。"),
                    405: ("method_not_allowed", "不支持该请求方法。")}
        code, message = messages.get(exc.status_code, ("http_error", "请求无法处理。"))
        # Starlette's headers matter: a 405 names the allowed methods in `Allow` (RFC 9110 §15.5.6).
        return _error_response(request, exc.status_code, {"code": code, "message": message, "detail": None},
                               dict(exc.headers) if exc.headers else None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Reached only for errors outside CatchUnexpected (in an outer middleware); Starlette re-raises after it.
        return unexpected_error_response(request, exc)


def busy_response(request: Request) -> Response:
    """503 when no database connection came free in time: the operation did not happen, try again. Drawn
    without the database (the error page's usual look-up of the signed-in user would wait for a connection)."""
    body = {"code": "busy", "message": "系统繁忙，本次操作未完成，请稍后重试。", "detail": None}
    if _wants_html(request):
        response = render(request, "error.html", {"failure": body, "status": 503}, status_code=503)
        response.headers["Retry-After"] = "5"
        return response
    return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})


def unexpected_error_response(request: Request, exc: Exception) -> Response:
    """The 500 answer: logged with an incident number the user can quote."""
    incident = uuid.uuid4().hex[:12]
    log.error("unhandled error, incident %s", incident, exc_info=exc)
    return _error_response(request, 500, {
        "code": "internal_error",
        "message": f"系统内部错误，操作未完成。请稍后重试；如持续出现，请将事件编号 {incident} 告知平台运维人员。",
        "detail": {"incident": incident},
    })


_UNGATED = re.compile(r"^/static/|^/api/v1/exchange/.+/invoke$")


class Admission:
    """At most `request_threads` requests inside the application at once; the others wait their turn here,
    before any of them has taken a database connection (then 503 "busy" after `request_wait_seconds`).

    Limiting the thread pool alone does not bound the connections: a request's dependencies and its handler
    run as separate thread-pool calls, so a request holds its session's connection while it waits for a
    thread again — 200 concurrent applicants took every connection that way and waited for a second one
    (bench/cases.py). Static files pass without waiting, and so does the exchange's forwarding call
    (`invoke`): it is asynchronous and holds neither a thread nor a connection while a provider's system
    answers, so many slow providers must not take every turn (tests/exchange/test_proxy.py). Without the
    app's lifespan (a TestClient used without `with`), there is no semaphore and requests pass.
    """

    def __init__(self, app: ASGIApp, wait_seconds: float) -> None:
        self.app = app
        self.wait_seconds = wait_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gate = getattr(scope.get("app"), "state", None)
        semaphore = getattr(gate, "admission", None) if gate is not None else None
        if scope["type"] != "http" or semaphore is None or _UNGATED.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        if not await _admitted(semaphore, self.wait_seconds):
            log.warning("request waited %.0f s for admission: busy", self.wait_seconds)
            await busy_response(Request(scope, receive))(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            semaphore.release()


async def _admitted(semaphore: asyncio.Semaphore, wait_seconds: float) -> bool:
    """Take a turn, waiting at most `wait_seconds` (bounds the wait only, never the request itself). asyncio's own
    semaphore and timeout: a free turn is taken without suspending, where anyio's cancel scope and checkpoints cost
    ~9 µs on every request (bench/request_path.py)."""
    if not semaphore.locked():
        await semaphore.acquire()  # returns at once: a turn is free and nobody waits before us
        return True
    try:
        async with asyncio.timeout(wait_seconds):
            await semaphore.acquire()
    except TimeoutError:
        return False
    return True


class CatchUnexpected:
    """Answer an unexpected exception with the 500 error body below Starlette's ServerErrorMiddleware.

    ServerErrorMiddleware sends its handler's answer and then re-raises, and the server, seeing the exception,
    closes the keep-alive connection: every client pooling connections then met a reset on its next call. Handled
    here, the exception ends with the answer and the connection stays open.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:  # part of an answer is already out: nothing honest can follow it
                raise
            if isinstance(exc, PoolTimeout):  # no database connection free in time: busy, not broken
                log.warning("database pool exhausted: %s", exc)
                response = busy_response(Request(scope, receive))
            else:
                response = unexpected_error_response(Request(scope, receive), exc)
            await response(scope, receive, send)


CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'")


class SecurityHeaders:
    """The security headers of every answer (the outermost of our middlewares, so error answers carry them too).

    A plain ASGI middleware that adds headers to the start message: Starlette's `@app.middleware("http")` ran each
    request as a task with a queue between it and the server, which cost more than most handlers
    (bench/request_path.py). A header the handler set itself is kept (e.g. the docs page's own CSP is absent).
    """

    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        extra = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                 (b"referrer-policy", b"same-origin")]
        if hsts:
            extra.append((b"strict-transport-security", b"max-age=31536000"))
        self.headers = extra
        self.csp = (b"content-security-policy", CSP.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with_csp = not scope["path"].startswith(("/docs", "/redoc"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in self.headers if h[0] not in present]
                if with_csp and self.csp[0] not in present:
                    headers.append(self.csp)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_FROZEN = False


def freeze_startup_objects() -> None:
    """Keep what the process has built at start (modules, routes, the OpenAPI models, ~540,000 objects) out of the
    garbage collector's full collections, once per process (`gc.freeze`).

    A full collection walks every tracked object, and while it runs the process answers nothing: under load each
    worker paused up to 170–225 ms about every 4 s, the p99 of every path (bench/request_path.py). Frozen, the
    pauses stay under ~15 ms. Objects made later (caches, compiled templates) are collected as before; frozen ones are
    still freed by reference counting, only a cycle among them would stay until the process ends (hence once per
    process: a test run starting many apps freezes only what existed at the first start)."""
    global _FROZEN
    if _FROZEN:
        return
    _FROZEN = True
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    registered = platform()  # each domain's register(): routers, menu, home cards, API tags, hooks
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Sync handlers run in anyio's thread pool: at most `request_threads` at once, so that the database pool
        # (twice as large, config.py) cannot run dry with every thread holding one connection awaiting another.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        threads.resize(settings.request_threads)  # the hops of routes and credentials (tongban/threads.py)
        _app.state.admission = asyncio.Semaphore(settings.request_threads)
        freeze_startup_objects()
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="通办 Tongban API",
        version=__version__,
        description="一体化政务服务与数据共享平台的 JSON 接口。应用系统以 `Authorization: Bearer <API 密钥>` 调用；"
        "错误统一返回 `{code, message, detail}`，message 为中文并说明如何修改。",
        openapi_tags=[SYSTEM_TAG, *registered.tags()],
        docs_url=None,
        redoc_url=None,
        telemetry=None if settings.otel_telemetry else {"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    # Templates are checked for changes on disk (two stat calls a page) only where someone edits them.
    templates.env.auto_reload = settings.env == "development"
    app.state.engine = make_engine(settings.database_url)
    app.state.session_factory = make_session_factory(app.state.engine)

    install_error_handlers(app)
    app.add_middleware(KeyedReadLane, platform=app)  # innermost: the exchange's keyed read (exchange/gateway_api.py)
    app.add_middleware(RequestSessions)  # closes the request's session (deps.get_db) once it is answered
    limits.install(app)  # request-body limits per route, before bodies are read (web/limits.py)
    app.add_middleware(CatchUnexpected)  # innermost of our middlewares: the others see an ordinary 500 answer
    app.add_middleware(Admission, wait_seconds=settings.request_wait_seconds)  # before any database work

    app.add_middleware(SecurityHeaders, hsts=settings.cookie_secure)

    system = public_router(tags=["系统"])

    @system.get("/healthz", summary="健康检查（公开）",
                responses={503: {"description": "数据库不可达（同样的字段，status 为 error）"}})
    def healthz(request: Request) -> JSONResponse:
        # Answered by web/health.py's middleware in front of the app; this route describes it in the OpenAPI and
        # answers the same way where the middleware is not installed. The engine through the request, not a closure
        # over `app`: FastAPI's module-level caches keep endpoint functions, so a closure would keep every app ever
        # created alive (the test suite made ~1,500).
        engine = request.app.state.engine
        status, body = health.answer(health.check(engine), engine.dialect.name)
        return JSONResponse(body, status_code=status)

    @system.get("/docs", include_in_schema=False)
    def docs() -> Response:
        # Swagger UI is vendored: government networks often have no route to public CDNs.
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="通办 API 文档",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    app.include_router(system)

    # Every domain's routers, in the order the domains registered them (tongban/registry.py): the first
    # route that matches wins, so a domain's fixed paths that must beat another's parameters go first.
    for ref in registered.ordered_routers():
        app.include_router(resolve(ref.target))
    # /static/ from memory, outside our other middlewares and the router, with the security headers built into
    # its answers (web/static_files.py): half the cost of passing through them (bench figures in its commit).
    security = SecurityHeaders(app, hsts=settings.cookie_secure)
    app.add_middleware(health.Health, engine=app.state.engine, headers=[*security.headers, security.csp])
    static_files.install(app, headers=[*security.headers, security.csp])
    route_index.install(app)
    return app
