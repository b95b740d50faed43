"""Forwarding of 接口 resources (接口转发): the hub asks the provider's own system and answers the consumer.

The call goes through the same path as a query of records held in the hub (access.py): the client's
grant, the purpose, quotas, only granted items, masking by sensitivity, provenance, and a log entry
written before the answer (or the error) leaves. The provider's system is called with
`GET <url>?<item>=<value>…` and answers `{"items": [{item_key: value, …}, …]}`; see docs/api.md.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from typing import Any
from urllib.parse import quote

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
    check_filters,
    log_call,
    provenance,
    shape,
    subject_types,
)
from tongban.exchange.endpoint_models import ProviderEndpoint
from tongban.org.models import AppClient, Department

__all__ = ["MAX_RECORDS", "CallContext", "ProviderError", "ProviderNotRegistered", "ProviderTimeout",
           "ProviderUnreachable", "invoke"]

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


class _Slow(Exception):
    """The provider kept sending past the endpoint's total time limit."""


def _fail(session: Session, actor: Actor, ctx: CallContext, acc: Access, keys: list[str], exc: DomainError,
          *, result: str = "error") -> DomainError:
    """Log the failed call (its own commit) and hand back the error to raise."""
    log_call(session, actor, ctx, operation=OPERATION, resource=acc.resource, code=acc.resource.code, items=[],
             records=[], keys=keys, result=result, status=exc.status_code)
    session.commit()
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


def _fetch(url: str, params: dict[str, str], headers: dict[str, str], timeout_ms: int) -> httpx.Response:
    """GET with the endpoint's time limit on the whole exchange, not only on each network read."""
    deadline = time.perf_counter() + timeout_ms / 1000
    # trust_env=False: provider systems sit on the government network; an HTTP(S)_PROXY meant for the
    # internet must not carry personal data to them.
    with httpx.Client(timeout=timeout_ms / 1000, follow_redirects=False, trust_env=False) as http, \
            http.stream("GET", url, params=params, headers=headers) as resp:
        body = bytearray()
        for chunk in resp.iter_bytes():
            body.extend(chunk)
            if len(body) > MAX_BODY:
                raise ProviderError("提供部门的业务系统返回的数据过大，请缩小查询条件。", code="provider_error")
            if time.perf_counter() > deadline:
                raise _Slow()
        return httpx.Response(resp.status_code, headers=resp.headers, content=bytes(body), request=resp.request)


def _records(resp: httpx.Response) -> list[dict[str, Any]]:
    """The provider's answer, checked against the contract {"items": [{key: scalar, …}, …]}."""
    try:
        payload = json.loads(resp.content)
    except ValueError:
        raise ProviderError("提供部门的业务系统返回的不是 JSON，请联系提供部门核对接口。",
                            detail={"provider_status": resp.status_code}) from None
    items = payload.get("items") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise ProviderError('提供部门的业务系统返回的格式不符合约定（应为 {"items": [ … ]}），请联系提供部门核对接口。',
                            detail={"provider_status": resp.status_code})
    scalar = (str, int, float, bool, type(None))
    if any(not isinstance(v, scalar) for x in items for v in x.values()):
        raise ProviderError("提供部门的业务系统返回的信息项取值应为文本、数字或空值，请联系提供部门核对接口。",
                            detail={"provider_status": resp.status_code})
    if len(items) > MAX_RECORDS:
        raise ProviderError(f"提供部门的业务系统返回了 {len(items)} 条记录，超过单次查询上限 {MAX_RECORDS} 条；"
                            "请缩小查询条件，批量获取请使用数据导出。", code="provider_error",
                            detail={"provider_status": resp.status_code, "records": len(items)})
    return items


def _text_values(acc: Access, record: dict[str, Any]) -> dict[str, Any]:
    """Masks work on text: numbers of masked items are turned into text before masking."""
    return {k: (str(v) if k in acc.masks and v is not None and not isinstance(v, str) else v)
            for k, v in record.items()}


def invoke(*, session: Session, actor: Actor, code: str, params: dict[str, str], ctx: CallContext
           ) -> dict[str, Any]:
    """接口调用: forward a query to the provider's system; answer only granted items, masked, logged."""
    acc = check_access(session, actor, ctx, code, OPERATION)
    check_filters(session, actor, ctx, OPERATION, code, acc, params,
                  empty_message="请至少给出一个查询条件（如 ?id_number=…）；批量获取请使用数据导出接口。")
    key_items = [i.key for i in acc.resource.items if i.is_key]
    asked_keys = [params[k] for k in key_items if k in params]
    endpoint = session.execute(select(ProviderEndpoint).where(ProviderEndpoint.resource_id == acc.resource.id)
                               ).scalar_one_or_none()
    if endpoint is None or not endpoint.enabled:
        raise _fail(session, actor, ctx, acc, asked_keys, ProviderNotRegistered(
            detail={"resource_code": code, "registered": endpoint is not None}))
    url, timeout_ms = endpoint.url, endpoint.timeout_ms
    call_id = uuid.uuid4().hex
    headers = _call_headers(session, actor, ctx, call_id)
    # End the transaction before waiting on the provider: the quota counters and, on SQLite, the
    # write lock must not be held for up to the endpoint's timeout.
    session.commit()
    try:
        resp = _fetch(url, params, headers, timeout_ms)
    except (httpx.TimeoutException, _Slow):
        raise _fail(session, actor, ctx, acc, asked_keys, ProviderTimeout(
            f"提供部门的业务系统未在 {timeout_ms} 毫秒内响应，请稍后重试。", detail={"call_id": call_id})) from None
    except httpx.ConnectError:
        raise _fail(session, actor, ctx, acc, asked_keys, ProviderUnreachable(detail={"call_id": call_id})) from None
    except ProviderError as exc:
        exc.detail = {**(exc.detail or {}), "call_id": call_id}
        raise _fail(session, actor, ctx, acc, asked_keys, exc) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise _fail(session, actor, ctx, acc, asked_keys, ProviderError(
            detail={"call_id": call_id, "reason": type(exc).__name__})) from None
    if resp.status_code == 404:
        raise _fail(session, actor, ctx, acc, asked_keys, NotFound("提供部门的业务系统中没有符合条件的记录。",
                                                                   code="record_not_found"), result="not_found")
    if resp.status_code != 200:
        raise _fail(session, actor, ctx, acc, asked_keys, ProviderError(
            f"提供部门的业务系统返回了错误（HTTP {resp.status_code}），请稍后重试；如持续出现，请联系提供部门。",
            detail={"call_id": call_id, "provider_status": resp.status_code}))
    try:
        records = _records(resp)
    except ProviderError as exc:
        exc.detail = {**(exc.detail or {}), "call_id": call_id}
        raise _fail(session, actor, ctx, acc, asked_keys, exc) from None
    keys = [str(r.get(key_items[0], "")) if key_items else "" for r in records]
    log_call(session, actor, ctx, operation=OPERATION, resource=acc.resource, code=code, items=acc.items,
             records=records, keys=keys, result="ok", status=200, subject_types=subject_types(acc))
    session.commit()
    prov = provenance(session, acc)
    prov.update({"source": "provider_system", "call_id": call_id,
                 "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})
    # Records held in the hub have a data version; a provider's live answer has none.
    prov.pop("data_version", None)
    prov.pop("updated_at", None)
    return {"items": [shape(acc, _text_values(acc, r)) for r in records], "total": len(records),
            "provenance": prov}
