"""接口登记: the provider registers the endpoint of its own system behind a 接口 resource.

Only the provider department's staff holding `endpoint.manage` (or the platform admin) may register,
change, disable or test the endpoint of a published resource shared by interface. Every change and
every connection test leaves an audit record.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.catalog.models import InformationResource
from tongban.db import utcnow
from tongban.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tongban.exchange.endpoint_models import TIMEOUT_DEFAULT_MS, TIMEOUT_MAX_MS, TIMEOUT_MIN_MS, ProviderEndpoint
from tongban.org.models import Department
from tongban.schema_types import Strict
from tongban.transactions import use_case

URL_MAX = 500


class EndpointIn(Strict):
    """登记或修改接口地址."""

    url: str
    timeout_ms: int = TIMEOUT_DEFAULT_MS
    enabled: bool = True


class EndpointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    resource_id: int
    resource_code: str
    resource_name: str
    provider_id: int
    url: str
    timeout_ms: int
    enabled: bool
    registered_by: int | None
    registered_at: Any
    updated_by: int | None
    updated_at: Any
    last_check_at: Any
    last_check_ok: bool | None
    last_check_status: int | None
    last_check_ms: int | None
    last_check_message: str


def read(endpoint: ProviderEndpoint) -> EndpointRead:
    r = endpoint.resource
    return EndpointRead(resource_id=r.id, resource_code=r.code, resource_name=r.name, provider_id=r.provider_id,
                        url=endpoint.url, timeout_ms=endpoint.timeout_ms, enabled=endpoint.enabled,
                        registered_by=endpoint.registered_by, registered_at=endpoint.registered_at,
                        updated_by=endpoint.updated_by, updated_at=endpoint.updated_at,
                        last_check_at=endpoint.last_check_at, last_check_ok=endpoint.last_check_ok,
                        last_check_status=endpoint.last_check_status, last_check_ms=endpoint.last_check_ms,
                        last_check_message=endpoint.last_check_message)


# ---------------------------------------------------------------- rules


def can_manage(actor: Actor, provider_id: int) -> bool:
    return actor.has(Permission.ENDPOINT_MANAGE) and actor.can_in_department(Permission.ENDPOINT_MANAGE, provider_id)


def check_manage(actor: Actor, resource: InformationResource) -> None:
    if not can_manage(actor, resource.provider_id):
        raise Forbidden("只有提供部门的数据管理员（或平台管理员）可以登记和维护该资源的接口地址。",
                        code="endpoint_forbidden", detail={"permission": str(Permission.ENDPOINT_MANAGE)})


def is_interface(resource: InformationResource) -> bool:
    return "interface" in (resource.share_methods or [])


def validate_url(url: str) -> str:
    """The provider system's address: http(s), a host, no user:password, no fragment."""
    url = (url or "").strip()
    if not url:
        raise ValidationFailed("请填写接口地址，例如 https://rk.gaj.example.gov.cn/api/population。",
                               code="endpoint_url_required")
    if len(url) > URL_MAX:
        raise ValidationFailed(f"接口地址过长（至多 {URL_MAX} 个字符）。", code="endpoint_url_too_long")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise ValidationFailed("接口地址中不能有空格或控制字符，请检查是否误粘贴了其他内容。",
                               code="endpoint_url_invalid")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a port that is not a number or out of range
    except ValueError:
        raise ValidationFailed("接口地址格式不正确（端口须为 1–65535 的数字）。", code="endpoint_url_invalid") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationFailed("接口地址须以 http:// 或 https:// 开头。", code="endpoint_url_scheme")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationFailed("接口地址中不能包含用户名或密码（user:password@）；账号口令会随地址泄露，"
                               "请与平台约定其他认证方式。", code="endpoint_url_credentials")
    if parts.fragment or url.endswith("#"):
        raise ValidationFailed("接口地址中不能有“#”后的片段，请删除。", code="endpoint_url_fragment")
    if not parts.hostname:
        raise ValidationFailed("接口地址缺少主机名，例如 https://rk.gaj.example.gov.cn/api/population。",
                               code="endpoint_url_host")
    if port == 0:
        raise ValidationFailed("接口地址格式不正确（端口须为 1–65535 的数字）。", code="endpoint_url_invalid")
    return url


def validate_timeout(timeout_ms: int) -> int:
    if not TIMEOUT_MIN_MS <= timeout_ms <= TIMEOUT_MAX_MS:
        raise ValidationFailed(
            f"超时时间应在 {TIMEOUT_MIN_MS} 至 {TIMEOUT_MAX_MS} 毫秒之间（默认 {TIMEOUT_DEFAULT_MS}）。",
            code="endpoint_timeout_range")
    return timeout_ms


def _resource(session: Session, resource_id: int) -> InformationResource:
    resource = session.get(InformationResource, resource_id)
    if resource is None:
        raise NotFound("信息资源不存在，请确认编号。", code="resource_unknown")
    return resource


def _endpoint(session: Session, resource_id: int) -> ProviderEndpoint | None:
    return session.execute(select(ProviderEndpoint).where(ProviderEndpoint.resource_id == resource_id)
                           ).scalar_one_or_none()


def _changed_by(actor: Actor) -> int | None:
    return actor.id if actor.kind == "staff" else None


# ---------------------------------------------------------------- use-cases


def get_endpoint(*, session: Session, actor: Actor, resource_id: int) -> ProviderEndpoint:
    """The endpoint registered for a resource (provider's managers and platform admin only)."""
    resource = _resource(session, resource_id)
    check_manage(actor, resource)
    endpoint = _endpoint(session, resource_id)
    if endpoint is None:
        raise NotFound("该资源尚未登记接口地址。", code="endpoint_not_registered")
    return endpoint


@use_case
def register_endpoint(*, session: Session, actor: Actor, resource_id: int, endpoint_in: EndpointIn
                      ) -> ProviderEndpoint:
    """Register (or change) the endpoint of a published 接口 resource of the actor's department."""
    resource = _resource(session, resource_id)
    check_manage(actor, resource)
    if resource.status != "published":
        raise Conflict("只能为已发布的信息资源登记接口地址；请先发布该资源。", code="resource_not_published")
    if not is_interface(resource):
        raise Conflict("该资源的共享方式不含“接口”，无需登记接口地址；如需按接口共享，请先在目录中修改共享方式。",
                       code="resource_not_interface")
    url = validate_url(endpoint_in.url)
    timeout_ms = validate_timeout(endpoint_in.timeout_ms)
    endpoint = _endpoint(session, resource_id)
    now = utcnow()
    if endpoint is None:
        endpoint = ProviderEndpoint(resource_id=resource.id, url=url, timeout_ms=timeout_ms,
                                    enabled=endpoint_in.enabled, registered_by=_changed_by(actor), registered_at=now,
                                    updated_by=_changed_by(actor), updated_at=now, last_check_message="")
        session.add(endpoint)
        session.flush()
        audit.record(session, actor=actor, action="endpoint.register", object_type="resource",
                     object_id=resource.code, detail={"url": url, "timeout_ms": timeout_ms,
                                                      "enabled": endpoint_in.enabled})
    else:
        before = {"url": endpoint.url, "timeout_ms": endpoint.timeout_ms, "enabled": endpoint.enabled}
        after = {"url": url, "timeout_ms": timeout_ms, "enabled": endpoint_in.enabled}
        if before != after:
            if url != endpoint.url:
                # A new address has not been tested yet: the old result would mislead.
                endpoint.last_check_at = endpoint.last_check_ok = endpoint.last_check_status = None
                endpoint.last_check_ms = None
                endpoint.last_check_message = ""
            endpoint.url, endpoint.timeout_ms, endpoint.enabled = url, timeout_ms, endpoint_in.enabled
            endpoint.updated_by, endpoint.updated_at = _changed_by(actor), now
            audit.record(session, actor=actor, action="endpoint.update", object_type="resource",
                         object_id=resource.code, detail={"from": before, "to": after})
    return endpoint


@use_case
def set_enabled(*, session: Session, actor: Actor, resource_id: int, enabled: bool) -> ProviderEndpoint:
    """停用 / 启用: a disabled endpoint answers consumers 503 without being called."""
    endpoint = get_endpoint(session=session, actor=actor, resource_id=resource_id)
    if endpoint.enabled != enabled:
        endpoint.enabled = enabled
        endpoint.updated_by, endpoint.updated_at = _changed_by(actor), utcnow()
        audit.record(session, actor=actor, action="endpoint.enable" if enabled else "endpoint.disable",
                     object_type="resource", object_id=endpoint.resource.code, detail={"url": endpoint.url})
    return endpoint


@dataclass
class CheckResult:
    ok: bool
    status: int | None
    latency_ms: int
    message: str


HEALTH_HEADER = "X-Tongban-Health-Check"


def probe(url: str, timeout_ms: int) -> CheckResult:
    """连通性测试: GET the address without query parameters. Any answer below 500 in time counts as reachable."""
    from tongban.exchange.proxy import MAX_BODY, fetch_blocking

    started = time.perf_counter()
    try:
        # The same whole-call deadline as forwarded calls: a provider trickling its headers is "slow".
        resp = fetch_blocking(url, {}, {HEALTH_HEADER: "1", "Accept": "application/json"}, timeout_ms)
    except (TimeoutError, httpx.TimeoutException):
        ms = int((time.perf_counter() - started) * 1000)
        return CheckResult(False, None, ms, f"超时：提供方系统在 {timeout_ms} 毫秒内未响应。")
    except httpx.ConnectError:
        ms = int((time.perf_counter() - started) * 1000)
        return CheckResult(False, None, ms, "无法连接：地址无法解析或端口未开放，请检查地址和网络策略。")
    except Exception as exc:  # any other failure is a failed test, reported with its kind
        ms = int((time.perf_counter() - started) * 1000)
        what = f"应答超过 {MAX_BODY // 1024 // 1024} MB" if type(exc).__name__ == "_TooLarge" else type(exc).__name__
        return CheckResult(False, None, ms, f"连接异常：{what}。")
    ms = int((time.perf_counter() - started) * 1000)
    if resp.status >= 500:
        return CheckResult(False, resp.status, ms, f"提供方系统报错（HTTP {resp.status}）。")
    return CheckResult(True, resp.status, ms, f"连接正常（HTTP {resp.status}，{ms} 毫秒）。")


def check_endpoint(*, session: Session, actor: Actor, resource_id: int) -> ProviderEndpoint:
    """Test the connection now and keep the result on the endpoint.

    Not a use-case itself: it reads, waits for the provider with nothing written (no write lock held,
    on SQLite none at all), and then records the result as one use-case. Do not call it inside a
    use-case: that would hold the caller's transaction open for up to the endpoint's timeout.
    """
    endpoint = get_endpoint(session=session, actor=actor, resource_id=resource_id)
    result = probe(endpoint.url, endpoint.timeout_ms)
    return _record_check(session=session, actor=actor, resource_id=resource_id, url=endpoint.url, result=result)


@use_case
def _record_check(*, session: Session, actor: Actor, resource_id: int, url: str, result: CheckResult
                  ) -> ProviderEndpoint:
    endpoint = get_endpoint(session=session, actor=actor, resource_id=resource_id)
    endpoint.last_check_at = utcnow()
    endpoint.last_check_ok = result.ok
    endpoint.last_check_status = result.status
    endpoint.last_check_ms = result.latency_ms
    endpoint.last_check_message = result.message[:255]
    audit.record(session, actor=actor, action="endpoint.check", object_type="resource",
                 object_id=endpoint.resource.code,
                 result="success" if result.ok else "failed",
                 detail={"url": url, "status": result.status, "latency_ms": result.latency_ms})
    return endpoint


@dataclass
class InterfaceResource:
    id: int
    code: str
    name: str
    provider_name: str
    endpoint: ProviderEndpoint | None


def list_interface_resources(*, session: Session, actor: Actor) -> list[InterfaceResource]:
    """The published 接口 resources the actor may register endpoints for, each with its endpoint."""
    actor.require(Permission.ENDPOINT_MANAGE)
    scope = actor.department_scope(Permission.ENDPOINT_MANAGE)
    r = InformationResource
    q = (select(r.id, r.code, r.name, r.share_methods, Department.name)
         .join(Department, Department.id == r.provider_id)
         .where(r.status == "published").order_by(Department.name, r.code))
    if scope is not None:
        q = q.where(r.provider_id.in_(scope))
    # share_methods is a JSON list: filtered here, the same way on SQLite and PostgreSQL.
    rows: Sequence[Any] = [row for row in session.execute(q).all() if "interface" in (row[3] or [])]
    ids = [row[0] for row in rows]
    endpoints = {e.resource_id: e for e in session.execute(
        select(ProviderEndpoint).where(ProviderEndpoint.resource_id.in_(ids))).scalars()} if ids else {}
    return [InterfaceResource(id=row[0], code=row[1], name=row[2], provider_name=row[4],
                              endpoint=endpoints.get(row[0])) for row in rows]
