"""Forwarding of 接口 resources (接口转发): the hub asks the provider's own system and answers the consumer.

The call goes through the same path as a query of records held in the hub (access.py): the client's
grant, the purpose, quotas, only granted items, masking by sensitivity, provenance, and a log entry
written before the answer (or the error) leaves. The provider's system is called with
`GET <url>?<item>=<value>…` and answers `{"items": [{item_key: value, …}, …]}`; see docs/api.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import anyio
import anyio.to_thread
import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban import __version__
from tongban.authz import Actor
from tongban.errors import DomainError, NotFound
from tongban.exchange.access import (
    Access,
    CallContext,
    check_access,
    check_end_user_filters,
    check_end_user_records,
    check_filters,
    log_call,
    log_hub_error,
    provenance,
    shape,
    subject_types,
)
from tongban.exchange.endpoint_models import ProviderEndpoint
from tongban.org.models import AppClient, Department
from tongban.transactions import Why, commit_apart

__all__ = ["MAX_RECORDS", "CallContext", "Fetched", "ProviderError", "ProviderNotRegistered", "ProviderTimeout",
           "ProviderUnreachable", "fetch", "fetch_blocking", "invoke"]

OPERATION = "proxy"
MAX_RECORDS = 200  # a forwarded query answers a case, not a bulk export
MAX_BODY = 5 * 1024 * 1024


class ProviderUnreachable(DomainError):
    status_code = 502
    code = "provider_unreachable"
    default_message = "无法连接提供部门的业务系统，请稍后重试；如持续出现，请联系提供部门。"


class ProviderTimeout(DomainError):
    status_code = 504
    code = "provider_timeout"
    default_message = "提供部门的业务系统未在规定时间内响应，请稍后重试。"


class ProviderError(DomainError):
    status_code = 502
    code = "provider_error"
    default_message = "提供部门的业务系统返回了错误或无法识别的结果，请稍后重试；如持续出现，请联系提供部门。"


class ProviderNotRegistered(DomainError):
    status_code = 503
    code = "provider_not_registered"
    default_message = "提供部门尚未登记（或已停用）该资源的接口地址，暂时无法查询，请联系提供部门。"


def _fail(session: Session, actor: Actor, ctx: CallContext, acc: Access, keys: list[str], exc: DomainError,
          *, result: str = "error") -> DomainError:
    """Log the failed call (its own commit) and hand back the error to raise."""
    log_call(session, actor, ctx, operation=OPERATION, resource=acc.resource, code=acc.resource.code, items=[],
             records=[], keys=keys, result=result, status=exc.status_code)
    commit_apart(session, Why.EXCHANGE_LOG)
    return exc


def _header(value: str) -> str:
    # HTTP headers are Latin-1: UTF-8 values travel percent-encoded, as the hub receives them.
    return quote(value, safe="")


def _call_headers(session: Session, actor: Actor, ctx: CallContext, call_id: str) -> dict[str, str]:
    dept = session.get(Department, actor.department_id) if actor.department_id else None
    client = session.get(AppClient, actor.client_id) if actor.client_id else None
    return {
        "Accept": "application/json",
        "User-Agent": f"tongban-exchange/{__version__}",
        "X-Tongban-Call-Id": call_id,
        "X-Purpose": _header(ctx.purpose),
        "X-End-User": _header(ctx.end_user),
        "X-Case-Number": _header(ctx.case_number),
        "X-Consumer-Department": _header(dept.code if dept else ""),
        "X-Consumer-System": _header(client.code if client else ""),
    }


@dataclass
class Fetched:
    """The provider's answer, read in full within the call's deadline."""

    status: int
    content: bytes
    deadline: float  # time.monotonic() by which the whole call, parsing included, must be done


class _TooLarge(Exception):
    pass


async def fetch(url: str, params: dict[str, str], headers: dict[str, str], timeout_ms: int) -> Fetched:
    """GET the provider's answer, with the endpoint's timeout as one deadline over the whole exchange.

    httpx's timeouts bound each phase (connect, each read) separately: a provider that trickles its
    status line, headers or body a byte at a time never trips them. The deadline here covers them all,
    and the call is awaited, not waited for in a worker thread, so slow providers do not tie up the
    server's threads (raises TimeoutError past the deadline, httpx errors, _TooLarge).
    """
    seconds = timeout_ms / 1000
    deadline = time.monotonic() + seconds
    # trust_env=False: provider systems sit on the government network; an HTTP(S)_PROXY meant for the
    # internet must not carry personal data to them.
    with anyio.fail_after(seconds):
        async with httpx.AsyncClient(timeout=seconds, follow_redirects=False, trust_env=False) as http, \
                http.stream("GET", url, params=params, headers=headers) as resp:
            body = bytearray()
            async for chunk in resp.aiter_bytes():
                body.extend(chunk)
                if len(body) > MAX_BODY:
                    raise _TooLarge()
            return Fetched(resp.status_code, bytes(body), deadline)


def fetch_blocking(url: str, params: dict[str, str], headers: dict[str, str], timeout_ms: int) -> Fetched:
    """`fetch` for synchronous callers in a worker thread (the staff's connection test)."""
    return anyio.run(fetch, url, params, headers, timeout_ms)


# Strings (with their escapes) removed, what is left of a JSON text are its numbers, literals and
# brackets. Possessive quantifiers: no backtracking on an unterminated string.
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"')
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
MAX_DEPTH = 8  # the contract needs 3: {"items": [{…}]}


def _too_deep(content: bytes) -> bool:
    """Whether the JSON text nests deeper than MAX_DEPTH, decided before parsing.

    The parser recurses once per level: a provider answering ten thousand nested brackets would end
    the call with a RecursionError (a 500 and, before this check, no log entry).
    """
    depth = 0
    for b in _JSON_STRING.sub(b'""', content).translate(None, _NOT_BRACKETS):
        depth += 1 if b in (0x5B, 0x7B) else -1
        if depth > MAX_DEPTH:
            return True
    return False


def _records(resp: Fetched) -> list[dict[str, Any]]:
    """The provider's answer, checked against the contract {"items": [{key: scalar, …}, …]}."""
    detail = {"provider_status": resp.status}
    if _too_deep(resp.content):
        raise ProviderError(f"提供部门的业务系统返回的 JSON 嵌套超过 {MAX_DEPTH} 层，不符合接口约定，"
                            "请联系提供部门核对接口。", detail=detail)
    try:
        payload = json.loads(resp.content)
    except (ValueError, RecursionError):
        raise ProviderError("提供部门的业务系统返回的不是 JSON，请联系提供部门核对接口。", detail=detail) from None
    items = payload.get("items") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise ProviderError('提供部门的业务系统返回的格式不符合约定（应为 {"items": [ … ]}），请联系提供部门核对接口。',
                            detail=detail)
    scalar = (str, int, float, bool, type(None))
    if any(not isinstance(v, scalar) for x in items for v in x.values()):
        raise ProviderError("提供部门的业务系统返回的信息项取值应为文本、数字或空值，请联系提供部门核对接口。",
                            detail=detail)
    if len(items) > MAX_RECORDS:
        raise ProviderError(f"提供部门的业务系统返回了 {len(items)} 条记录，超过单次查询上限 {MAX_RECORDS} 条；"
                            "请缩小查询条件，批量获取请使用数据导出。", code="provider_error",
                            detail={**detail, "records": len(items)})
    return items


def _text_values(acc: Access, record: dict[str, Any]) -> dict[str, Any]:
    """Masks work on text: numbers of masked items are turned into text before masking."""
    return {k: (str(v) if k in acc.masks and v is not None and not isinstance(v, str) else v)
            for k, v in record.items()}


@dataclass
class _Call:
    """A forwarded call between its checks and the provider's answer."""

    acc: Access
    code: str
    asked_keys: list[str]
    key_items: list[str]
    url: str
    timeout_ms: int
    call_id: str
    headers: dict[str, str]


def _prepare(session: Session, actor: Actor, code: str, params: dict[str, str], ctx: CallContext) -> _Call:
    acc = check_access(session, actor, ctx, code, OPERATION)
    check_filters(session, actor, ctx, OPERATION, code, acc, params,
                  empty_message="请至少给出一个查询条件（如 ?id_number=…）；批量获取请使用数据导出接口。")
    check_end_user_filters(session, actor, ctx, OPERATION, acc, params)
    key_items = [i.key for i in acc.resource.items if i.is_key]
    asked_keys = [params[k] for k in key_items if k in params]
    endpoint = session.execute(select(ProviderEndpoint).where(ProviderEndpoint.resource_id == acc.resource.id)
                               ).scalar_one_or_none()
    if endpoint is None or not endpoint.enabled:
        raise _fail(session, actor, ctx, acc, asked_keys, ProviderNotRegistered(
            detail={"resource_code": code, "registered": endpoint is not None}))
    call_id = uuid.uuid4().hex
    call = _Call(acc=acc, code=code, asked_keys=asked_keys, key_items=key_items, url=endpoint.url,
                 timeout_ms=endpoint.timeout_ms, call_id=call_id, headers=_call_headers(session, actor, ctx, call_id))
    # End the transaction before waiting on the provider: the quota counters and, on SQLite, the
    # write lock must not be held for up to the endpoint's timeout.
    commit_apart(session, Why.QUOTA_COUNTER)
    return call


def _failure(call: _Call, exc: BaseException) -> DomainError:
    """What the consumer is told when the provider could not be asked or did not answer in time."""
    detail = {"call_id": call.call_id}
    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        return ProviderTimeout(f"提供部门的业务系统未在 {call.timeout_ms} 毫秒内完整响应，请稍后重试。", detail=detail)
    if isinstance(exc, httpx.ConnectError):
        return ProviderUnreachable(detail=detail)
    if isinstance(exc, _TooLarge):
        return ProviderError("提供部门的业务系统返回的数据过大，请缩小查询条件。", detail=detail)
    return ProviderError(detail={**detail, "reason": type(exc).__name__})


def _finish(session: Session, actor: Actor, ctx: CallContext, call: _Call, answer: Fetched | DomainError
            ) -> dict[str, Any]:
    acc = call.acc
    if isinstance(answer, DomainError):
        raise _fail(session, actor, ctx, acc, call.asked_keys, answer)
    if answer.status == 404:
        raise _fail(session, actor, ctx, acc, call.asked_keys, NotFound(
            "提供部门的业务系统中没有符合条件的记录。", code="record_not_found"), result="not_found")
    if answer.status != 200:
        raise _fail(session, actor, ctx, acc, call.asked_keys, ProviderError(
            f"提供部门的业务系统返回了错误（HTTP {answer.status}），请稍后重试；如持续出现，请联系提供部门。",
            detail={"call_id": call.call_id, "provider_status": answer.status}))
    try:
        records = _records(answer)
    except ProviderError as exc:
        exc.detail = {**(exc.detail or {}), "call_id": call.call_id}
        raise _fail(session, actor, ctx, acc, call.asked_keys, exc) from None
    if time.monotonic() > answer.deadline:
        # Parsing is part of the call: an answer that took too long to check is as late as a slow one.
        raise _fail(session, actor, ctx, acc, call.asked_keys, _failure(call, TimeoutError()))
    # A provider answering with another person's record (whatever was asked) is stopped here, logged as refused.
    check_end_user_records(session, actor, ctx, OPERATION, acc, records)
    keys = [str(r.get(call.key_items[0], "")) if call.key_items else "" for r in records]
    log_call(session, actor, ctx, operation=OPERATION, resource=acc.resource, code=call.code, items=acc.items,
             records=records, keys=keys, result="ok", status=200, subject_types=subject_types(acc))
    commit_apart(session, Why.EXCHANGE_LOG)
    prov = provenance(session, acc)
    prov.update({"source": "provider_system", "call_id": call.call_id,
                 "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})
    # Records held in the hub have a data version; a provider's live answer has none.
    prov.pop("data_version", None)
    prov.pop("updated_at", None)
    return {"items": [shape(acc, _text_values(acc, r)) for r in records], "total": len(records),
            "provenance": prov}


async def invoke(*, session: Session, actor: Actor, code: str, params: dict[str, str], ctx: CallContext
                 ) -> dict[str, Any]:
    """接口调用: forward a query to the provider's system; answer only granted items, masked, logged.

    The database work runs in worker threads, one step at a time; the wait for the provider is awaited
    on the event loop, so a hundred slow providers hold no thread while the rest of the site is served.
    Every call is logged however it ends: refused, failed, late, malformed answer or an error of the hub.
    """
    try:
        call = await anyio.to_thread.run_sync(_prepare, session, actor, code, params, ctx)
    except DomainError:
        raise  # refusals are logged by check_access and check_filters
    except Exception:
        await anyio.to_thread.run_sync(log_hub_error, session, actor, ctx, OPERATION, code)
        raise
    answer: Fetched | DomainError
    try:
        answer = await fetch(call.url, params, call.headers, call.timeout_ms)
    except Exception as exc:  # every way of not getting an answer becomes the consumer's 502/504
        answer = _failure(call, exc)
    try:
        return await anyio.to_thread.run_sync(_finish, session, actor, ctx, call, answer)
    except DomainError:
        raise  # logged by _fail
    except Exception:
        await anyio.to_thread.run_sync(log_hub_error, session, actor, ctx, OPERATION, call.code, call.asked_keys)
        raise
