"""FastAPI dependencies: the database session, the acting principal, permissions and CSRF.

Authentication is the default. Routers are built with `secure_router()` (login or API key
required, CSRF checked on unsafe methods) or, for the few routes anyone may call,
`public_router()`; a test walks every route and fails if one is neither.
"""

from __future__ import annotations

import functools
import hmac
import inspect
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from tongban import threads, versioned
from tongban.authz import ANONYMOUS, Actor, Permission
from tongban.config import Settings
from tongban.db import end_request_session, writes_need_a_transaction
from tongban.errors import CsrfFailed, NotAuthenticated, error_responses
from tongban.loop_reads import LoopReader
from tongban.org import auth
from tongban.schema_types import ID_MAX

CSRF_COOKIE = "tongban_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Ids in paths and queries are bounded to what the id columns hold on both databases (schema_types.ID_MAX): a
# larger number is a 422 with a Chinese message at the edge, not an overflow in the driver. Use these for every id.
Id = Annotated[int, Path(ge=1, le=ID_MAX, description="编号（正整数）")]
OptionalIdQuery = Annotated[int | None, Query(ge=1, le=ID_MAX, description="编号（正整数）")]
PageNo = Annotated[int, Query(ge=1, le=100000, description="页码，从 1 开始")]

# Error answers every route of a router can give (a route adds its own, e.g. 404 or 409, with
# `responses=error_responses(...)`): a body that cannot be parsed at all (400), not logged in or bad key (401),
# not allowed or CSRF refused (403), a body over the route's size limit (413, web/limits.py, answered before the
# body is read, whatever the route), bad input (422). All share the one error body.
ROUTER_ERRORS = error_responses(400, 401, 403, 413, 422)


async def get_db(request: Request) -> Session:
    """The request's session, opened by its first user (a route's `DbSession`, the actor's resolution) and closed by
    `RequestSessions`, the middleware around the app, once the request has been answered (a streamed answer
    included). Asynchronous, like every dependency that does no I/O of its own: FastAPI runs a synchronous
    dependency in the thread pool, and each such hop cost a request more than the work it did. Not a generator
    dependency either: FastAPI wraps each of those in an exit stack and a shielded cancel scope per request, ~4 % of
    a bare lookup's CPU (bench/request_path.py). The session takes a connection only when a handler (in its
    thread) first uses it; it is kept in `request.state.db_session` for what the page's layout reads (e.g. the
    unread badge) while the request lasts.
    """
    state = request.scope.get("state")
    session = state.get(_SESSION) if state is not None else None
    if session is None:
        if not request.scope.get(_SESSIONS_CLOSED_BY):
            raise RuntimeError("deps.get_db needs the RequestSessions middleware around the app (main.create_app)")
        session = request.app.state.session_factory()
        request.state.db_session = session
    return session


_SESSION = "db_session"
_SESSIONS_CLOSED_BY = "tongban.request_sessions"


class RequestSessions:
    """Closes the session a request opened (`get_db`) once the app has answered it: whatever the request left
    uncommitted is rolled back (services commit) and its connection goes back to the pool (db.end_request_session),
    here on the event loop, a local round trip cheaper than another hop to a thread. It sits around the app and its
    innermost middleware (the exchange's keyed read opens its session the same way), inside the catch-all for
    unexpected errors: an error page is drawn after the session has ended, as it was with a generator dependency."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # before the app: a middleware that copies the scope shares this dict
        scope[_SESSIONS_CLOSED_BY] = True
        try:
            await self.app(scope, receive, send)
        finally:
            session = state.get(_SESSION)
            if session is not None:
                state[_SESSION] = None
                end_request_session(session)


DbSession = Annotated[Session, Depends(get_db)]


def settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def client_ip(request: Request) -> str:
    cfg: Settings = request.app.state.settings
    if cfg.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return (request.client.host if request.client else "")[:64]


async def get_actor(request: Request) -> Actor:
    """Resolve the caller once per request: bearer API key, else session cookie, else anonymous.

    A credential this process already knows is resolved on the event loop: the version of its cache read there
    (tongban/loop_reads.py: on PostgreSQL the loop serves other requests meanwhile), the rest from memory. Any other —
    or one whose last use is due to be written — opens the request's session (`get_db`, not a dependency of this
    one: an anonymous request creates no session) and is read in a request thread."""
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    ip = client_ip(request)
    actor = ANONYMOUS
    authorization = request.headers.get("authorization", "")
    if authorization:
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            raise NotAuthenticated("Authorization 请求头格式应为 “Bearer <API 密钥>”。", code="api_key_invalid")
        keys = await versioned.snapshot_on_loop(request.app.state.engine, versioned.EXCHANGE)
        known = auth.known_api_key_actor(keys, credential, client_ip=ip)  # type: ignore[arg-type]
        if known is None:  # may write (the key's last use, the audit of a refusal): in a transaction
            session = await get_db(request)
            writes_need_a_transaction(session)
            known = await threads.run(auth.actor_from_api_key, session, credential, client_ip=ip)
        actor = known
        request.state.auth_via = "api_key"
    else:
        token = request.cookies.get(request.app.state.settings.session_cookie)
        if token:
            sessions = await versioned.snapshot_on_loop(request.app.state.engine, versioned.SESSIONS)
            known = auth.known_session_actor(sessions, token, client_ip=ip)  # type: ignore[arg-type]
            if known is None:
                session = await get_db(request)
                writes_need_a_transaction(session)
                known = await threads.run(auth.actor_from_session_token, session, token, client_ip=ip)
            actor = known
            request.state.auth_via = "session" if actor.is_authenticated else None
    if not actor.is_authenticated:
        actor = Actor(kind="anonymous", id=None, name=ANONYMOUS.name, client_ip=ip)
    request.state.actor = actor
    return actor


def known_client_on_loop(request: Request, snapshot: versioned.Snapshot) -> Actor | None:
    """The client behind the request's bearer key as `get_actor` resolves it, from this process's memory alone (the
    key kept under the snapshot's version, nothing to write): for a call answered on the event loop. None — no key,
    a malformed header, a key not kept, inactive or due a write of its last use — and `get_actor` decides. Not kept
    as the request's actor: the caller does that once the snapshot's version is confirmed."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        return None
    try:
        actor = auth.known_api_key_actor(snapshot, credential, client_ip=client_ip(request))  # type: ignore[arg-type]
    except versioned.NotCached:
        return None
    if actor is None or not actor.is_authenticated:
        return None
    return actor


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return True  # older clients send neither; the token check below still applies
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


async def csrf_protect(request: Request, actor: Annotated[Actor, Depends(get_actor)]) -> None:
    """Unsafe requests made with a browser session must carry the session's CSRF token."""
    await _check_csrf(request, actor)


async def _check_csrf(request: Request, actor: Actor) -> None:
    if request.method not in UNSAFE_METHODS or getattr(request.state, "auth_via", None) == "api_key":
        return
    expected = actor.csrf_token if actor.is_authenticated else request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(expected, sent) or not _same_origin(request):
        raise CsrfFailed()


async def require_actor(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    return actor


async def secure_request(request: Request) -> None:
    """A secure router's guard: the caller resolved (`get_actor`), refused unless authenticated (as `require_actor`),
    then the CSRF check (as `csrf_protect`). One dependency, not three: FastAPI's solving of each dependency of
    every request cost more than what these do (bench/request_path.py)."""
    actor = await get_actor(request)
    if not actor.is_authenticated:
        raise NotAuthenticated()
    await _check_csrf(request, actor)


async def public_request(request: Request) -> None:
    """A public router's guard: the caller resolved (pages show who is logged in), then the CSRF check."""
    await _check_csrf(request, await get_actor(request))


ASSUMED = "assumed_sessions"  # request.state: the sessions' version a page's actor is assumed under, until confirmed


async def assumed_request(request: Request) -> None:
    """The guard of `assumed_router`'s pages: `secure_request`, except that a GET with a session cookie this process
    knows under the version its cache of sessions holds takes that session's actor without reading the version first.
    The page reads the version in the same round trip as its own reads (`confirmed_reads`), which resolve the actor
    again and read again when it moved; `render` refuses to draw a page whose actor is still assumed (issue 16: on
    PostgreSQL the version's own round trip before a page's was a tenth of the data officer's home)."""
    token = request.cookies.get(request.app.state.settings.session_cookie)
    if request.method in ("GET", "HEAD") and token and "authorization" not in request.headers:
        engine = request.app.state.engine
        kept = versioned.kept_version(engine, versioned.SESSIONS)
        if kept is not None:
            try:
                known = auth.known_session_actor(versioned.Snapshot(engine, {versioned.SESSIONS: kept}),  # type: ignore[arg-type]
                                                 token, client_ip=client_ip(request))
            except versioned.NotCached:
                known = None
            if known is not None and known.is_authenticated:
                request.state.actor, request.state.auth_via = known, "session"
                setattr(request.state, ASSUMED, kept)
                return
    await secure_request(request)


async def confirmed_reads(request: Request, reads: LoopReader,
                          steps: Callable[[Actor], Sequence[Awaitable[Any]]]) -> list[Any]:
    """The results of an `assumed_router` page's reads, `steps(actor)` (coroutines that read on the event loop), for
    `request.state.actor`, sent together with the read of the sessions' version when the actor was assumed. If the
    version moved, the page's reads are discarded: the actor is resolved again as `secure_request` does (a session
    ended meanwhile is refused) and `steps` run again for it."""
    kept = getattr(request.state, ASSUMED, None)
    if kept is not None:
        try:
            version, *results = await reads.together(reads.one(versioned.VERSION_SQL, {"n": versioned.SESSIONS}),
                                                      *steps(request.state.actor))
        except BaseException:
            request.state.actor = request.state.auth_via = None  # not confirmed: an error page is drawn for no one
            raise
        finally:
            setattr(request.state, ASSUMED, None)
        if version is not None and int(version[0]) == kept:
            return results
        request.state.actor = request.state.auth_via = None
        await secure_request(request)
    return await reads.together(*steps(request.state.actor))


CurrentActor = Annotated[Actor, Depends(require_actor)]
OptionalActor = Annotated[Actor, Depends(get_actor)]


def require(permission: Permission) -> Callable[..., Awaitable[Actor]]:
    """Dependency: the current actor, refused unless it holds `permission`."""

    async def _dep(actor: CurrentActor) -> Actor:
        actor.require(permission)
        return actor

    return _dep


async def require_staff(actor: CurrentActor) -> Actor:
    if not actor.is_staff:
        from tongban.errors import Forbidden

        raise Forbidden("此功能仅供政务工作人员使用。")
    return actor


StaffActor = Annotated[Actor, Depends(require_staff)]


class OneHopRoute(APIRoute):
    """A route whose synchronous handler and the check of its answer cost one thread hop, not two.

    FastAPI runs a synchronous handler in the thread pool and then, for a route with a response model (every JSON
    route returning a dict or a model), validates the answer in the thread pool again (`serialize_response` with
    `is_coroutine=False`): a second hand-over to a thread and back per request, which cost more than the validation
    (bench/request_path.py). Here the handler is wrapped in a coroutine that runs it in the pool itself, so FastAPI
    awaits it and checks its answer on the event loop. Everything FastAPI reads from the handler — its parameters
    and their annotations (through `__wrapped__`), its name for the OpenAPI — is the handler's own.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if inspect.isfunction(endpoint) and not (inspect.iscoroutinefunction(endpoint)
                                                 or inspect.isgeneratorfunction(endpoint)
                                                 or inspect.isasyncgenfunction(endpoint)):
            endpoint = _in_one_hop(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _in_one_hop(handler: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(handler)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await threads.run(handler, *args, **kwargs)

    return run


def secure_router(**kw: Any) -> APIRouter:
    """A router whose every route needs an authenticated caller and passes the CSRF check."""
    deps = list(kw.pop("dependencies", []))
    responses = {**ROUTER_ERRORS, **kw.pop("responses", {})}
    return APIRouter(dependencies=[Depends(secure_request), *deps], responses=responses, route_class=OneHopRoute,
                     **kw)


def assumed_router(**kw: Any) -> APIRouter:
    """A router of pages drawn on the event loop whose reads confirm the caller's session (`assumed_request`,
    `confirmed_reads`): authenticated as `secure_router`'s routes are; GET pages only."""
    responses = {**ROUTER_ERRORS, **kw.pop("responses", {})}
    return APIRouter(dependencies=[Depends(assumed_request)], responses=responses, route_class=OneHopRoute, **kw)


def public_router(**kw: Any) -> APIRouter:
    """A router of routes anyone may call (login page, health check, verification pages …).

    Forms on them are still CSRF-checked against the anonymous double-submit cookie.
    """
    deps = list(kw.pop("dependencies", []))
    responses = {**ROUTER_ERRORS, **kw.pop("responses", {})}
    router = APIRouter(dependencies=[Depends(public_request), *deps], responses=responses, route_class=OneHopRoute,
                       **kw)
    router.tongban_public = True  # type: ignore[attr-defined]
    return router


def ensure_csrf_cookie(request: Request) -> str:
    """The anonymous CSRF token for forms shown before login (set as a cookie by the page)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = getattr(request.state, "new_csrf_cookie", None) or secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = token
    return token
