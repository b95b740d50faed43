"""HTTP face of the exchange for application clients (API key): keyed and filtered queries.

Headers (UTF-8, percent-encoded because HTTP headers are Latin-1): `X-Purpose` (required),
`X-End-User` (the resident ID or credit code of the person served), `X-Case-Number`.
The same values may be given as query parameters `purpose`, `end_user`, `case_number`.
"""

from __future__ import annotations

import inspect
import logging
import re
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, Header, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from tongban import threads, versioned
from tongban.authz import Actor
from tongban.db import read_without_transaction
from tongban.deps import (
    CurrentActor,
    DbSession,
    get_actor,
    get_db,
    known_client_on_loop,
    require_actor,
    secure_router,
)
from tongban.errors import DomainError, error_responses
from tongban.exchange import bulk, gateway, log_writer
from tongban.exchange.access import call_context
from tongban.loop_reads import reader
from tongban.schema_types import SEQ_MAX

_log = logging.getLogger("tongban.exchange")

router = secure_router(prefix="/api/v1/exchange", tags=["共享交换接口"])
RESERVED = {"purpose", "end_user", "case_number", "page", "size"}
HEADERS_DOC = "调用须带 X-Purpose（用途），办件时带 X-End-User 与 X-Case-Number。"


def _ctx(request: Request, purpose: str | None, end_user: str | None, case_number: str | None) -> gateway.CallContext:
    return call_context(purpose=purpose, end_user=end_user, case_number=case_number, query=request.query_params)


PurposeH = Annotated[str | None, Header(alias="X-Purpose", description="用途（UTF-8 百分号编码），必填")]
EndUserH = Annotated[str | None, Header(alias="X-End-User", description="办事人的公民身份号码或统一社会信用代码")]
CaseH = Annotated[str | None, Header(alias="X-Case-Number", description="办件编号")]


@router.get("/{classification}/{seq}/records/{key}", summary="按主键查询记录（只返回授权的信息项，按敏感级别脱敏）",
            responses=error_responses(404, 429))
def get_record(classification: str, seq: str, key: str, request: Request, session: DbSession, actor: CurrentActor,
               x_purpose: PurposeH = None, x_end_user: EndUserH = None, x_case_number: CaseH = None) -> dict[str, Any]:
    return _get_record(session, actor, classification, seq, key, _ctx(request, x_purpose, x_end_user, x_case_number))


def _get_record(session: Session, actor: Actor, classification: str, seq: str, key: str,
                ctx: gateway.CallContext) -> dict[str, Any]:
    session.info[log_writer.SESSION_FLAG] = True  # this request writes only its count and log entry: group commit
    return gateway.get_record(session=session, actor=actor, code=f"{classification}/{seq}",
                              key=key.upper() if len(key) == 18 else key, ctx=ctx)


class KeyedReadLane:
    """`GET /api/v1/exchange/{classification}/{seq}/records/{key}` with an API key, answered without the router.

    The busiest call of the hub. Through FastAPI its route matching and dependency solving cost more than the
    call's own work; here the same steps run directly (bench/request_path.py: a lower p99 at 32 connections, and a
    higher rate carried at a fixed offered load): the session as `deps.get_db` opens it, the actor as
    `deps.get_actor` resolves it and `deps.require_actor` refuses it unless authenticated; the same use-case in one
    thread hop; on PostgreSQL the session reads without a transaction (`db.read_without_transaction`: the call
    writes nothing in it — its count and log entry go to the group commit — and a resolution of the key that may
    write, or the log of a hub error, first returns it to a transaction); the answer as FastAPI renders a route's
    dict; a refusal through the app's own `DomainError` handler (error body, headers, the audit of a denial). It
    is the innermost of the app's middlewares, so the security headers, the admission gate, the catch-all for
    unexpected errors and the body limit apply as to any route.
    Anything else — another method, another path, no `Authorization` header (a browser session: CSRF and the rest
    are the route's) — goes on to the router, where the route of the same path describes this call in the OpenAPI
    and answers it the same way (tests/exchange/test_keyed_read_lane.py compares them).
    """

    PATH = re.compile(r"^/api/v1/exchange/([^/]+)/([^/]+)/records/([^/]+)$")

    def __init__(self, app: ASGIApp, platform: FastAPI) -> None:
        self.app = app
        self.platform = platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.PATH.match(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        if found is None or not any(name == b"authorization" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            answer = await self._answer(request, *found.groups())
        except DomainError as exc:
            answered = self.platform.exception_handlers[DomainError](request, exc)
            response = await answered if inspect.isawaitable(answered) else answered
            await response(scope, receive, send)
            return
        # The route's dict as JSON (compact, UTF-8, as FastAPI renders it), encoded by orjson: the stdlib's encoder
        # cost this call a few per cent (bench/request_path.py).
        body = orjson.dumps(answer, option=orjson.OPT_NON_STR_KEYS)
        await Response(body, media_type="application/json")(scope, receive, send)

    async def _answer(self, request: Request, classification: str, seq: str, key: str) -> dict[str, Any]:
        # First on the event loop, when this process has in memory all the call needs (gateway.get_record_on_loop):
        # the config version and the record read there (tongban/loop_reads.py), the entry awaited in the group
        # commit. Anything it cannot do from memory, it leaves untouched for the request thread below.
        # The version assumed is the one the cache holds; the record's statement confirms it (else NotCached).
        headers = request.headers
        ctx = call_context(purpose=headers.get("x-purpose"), end_user=headers.get("x-end-user"),
                           case_number=headers.get("x-case-number"), query=request.query_params)
        engine = request.app.state.engine
        kept = versioned.kept_version(engine)
        snapshot = versioned.Snapshot(engine, {versioned.EXCHANGE: kept})
        client = known_client_on_loop(request, snapshot) if kept is not None else None
        if client is not None:
            request.state.actor, request.state.auth_via = client, "api_key"  # for the audit of a refusal (429)
            try:
                return await gateway.get_record_on_loop(
                    snapshot=snapshot, reads=reader(engine), actor=client, code=f"{classification}/{seq}",
                    key=key.upper() if len(key) == 18 else key, ctx=ctx)
            except versioned.NotCached:
                pass
            except DomainError:
                raise
            except Exception:  # its entry was not written: the request thread's call below logs how it ends
                _log.warning("exchange call on the event loop failed; answered in a request thread", exc_info=True)
            # Resolved again below from the database's version: the one assumed may be older (a key revoked since).
            request.state.actor, request.state.auth_via = None, None
        session = await get_db(request)  # as a route's `DbSession`: closed by deps.RequestSessions around the lane
        read_without_transaction(session)  # PostgreSQL: no BEGIN and ROLLBACK round trips (see below)
        actor = await require_actor(await get_actor(request))
        return await threads.run(_get_record, session, actor, classification, seq, key, ctx)


@router.get("/{classification}/{seq}/records", summary="按信息项条件查询（分页）", responses=error_responses(404, 429))
def query_records(classification: str, seq: str, request: Request, session: DbSession, actor: CurrentActor,
                  page: Annotated[int, Query(ge=1, le=100000)] = 1, size: Annotated[int, Query(ge=1, le=200)] = 50,
                  x_purpose: PurposeH = None, x_end_user: EndUserH = None,
                  x_case_number: CaseH = None) -> dict[str, Any]:
    filters = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    session.info[log_writer.SESSION_FLAG] = True
    return gateway.query_records(session=session, actor=actor, code=f"{classification}/{seq}", filters=filters,
                                 page=page, size=size, ctx=_ctx(request, x_purpose, x_end_user, x_case_number))


@router.get("/{classification}/{seq}/changes", summary="增量订阅：取游标之后变更的记录（含删除）",
            responses=error_responses(404, 429))
def changes(classification: str, seq: str, request: Request, session: DbSession, actor: CurrentActor,
            since: Annotated[int, Query(ge=0, le=SEQ_MAX, description="上次同步得到的 next_cursor，首次为 0")] = 0,
            limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
            x_purpose: PurposeH = None, x_end_user: EndUserH = None, x_case_number: CaseH = None) -> dict[str, Any]:
    return bulk.changes(session=session, actor=actor, code=f"{classification}/{seq}", since=since, limit=limit,
                        ctx=_ctx(request, x_purpose, x_end_user, x_case_number))


@router.get("/{classification}/{seq}/export", summary="批量导出库表资源（CSV 或 Parquet，流式）",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}},
                       **error_responses(404, 429)})
def export(classification: str, seq: str, request: Request, session: DbSession, actor: CurrentActor,
           format: Annotated[str, Query(pattern="^(csv|parquet)$")] = "csv",
           x_purpose: PurposeH = None, x_end_user: EndUserH = None, x_case_number: CaseH = None) -> StreamingResponse:
    started = bulk.start_export(session=session, factory=request.app.state.session_factory, actor=actor,
                                code=f"{classification}/{seq}", fmt=format,
                                ctx=_ctx(request, x_purpose, x_end_user, x_case_number))
    return StreamingResponse(started.chunks, media_type=started.media_type, headers={
        "Content-Disposition": f'attachment; filename="{started.filename}"',
        "X-Record-Count": str(started.records)})


@router.get("/my-data-uses", summary="谁用了我的数据（自然人、法人账号）", tags=["共享交换接口"])
def my_data_uses(session: DbSession, actor: CurrentActor, page: Annotated[int, Query(ge=1, le=10000)] = 1,
                 size: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    return gateway.data_uses(session=session, actor=actor, page=page, size=size)
