"""Page of 接口登记: the provider department's 接口 resources and the endpoints of its own systems."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tongban.authz import Actor, Permission
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError, Forbidden, NotFound, ValidationFailed
from tongban.exchange import endpoints
from tongban.exchange.endpoint_models import TIMEOUT_DEFAULT_MS, TIMEOUT_MAX_MS, TIMEOUT_MIN_MS
from tongban.web.templating import render

router = secure_router(include_in_schema=False)


def _page(request: Request, session: DbSession, actor: Actor, *, error: str | None = None,
          error_for: int | None = None, form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    rows = endpoints.list_interface_resources(session=session, actor=actor)
    return render(request, "endpoints/home.html", {
        "rows": rows, "error": error, "error_for": error_for, "form": form or {},
        "notice": request.query_params.get("notice"), "timeout_default": TIMEOUT_DEFAULT_MS,
        "timeout_min": TIMEOUT_MIN_MS, "timeout_max": TIMEOUT_MAX_MS}, status_code=status_code)


@router.get("/sharing/endpoints", response_class=HTMLResponse)
def endpoints_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    actor.require(Permission.ENDPOINT_MANAGE)
    return _page(request, session, actor)


@router.post("/sharing/endpoints/{resource_id}", response_class=HTMLResponse)
async def register_submit(request: Request, session: DbSession, actor: CurrentActor, resource_id: int) -> Response:
    form = await request.form()
    url = str(form.get("url", ""))
    timeout = str(form.get("timeout_ms", "") or TIMEOUT_DEFAULT_MS).strip()
    data = {"url": url, "timeout_ms": timeout}
    try:
        if not timeout.isdigit() or len(timeout) > 6:
            raise ValidationFailed(f"超时时间应为 {TIMEOUT_MIN_MS} 至 {TIMEOUT_MAX_MS} 之间的整数（毫秒）。",
                                   code="endpoint_timeout_range")
        endpoints.register_endpoint(session=session, actor=actor, resource_id=resource_id,
                                    endpoint_in=endpoints.EndpointIn(url=url, timeout_ms=int(timeout),
                                                                     enabled=True))
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise
        return _page(request, session, actor, error=exc.message, error_for=resource_id, form=data,
                     status_code=exc.status_code)
    return RedirectResponse(f"/sharing/endpoints?notice={quote('接口地址已保存，建议立即测试连通性')}#r{resource_id}",
                            status_code=303)


@router.post("/sharing/endpoints/{resource_id}/{action}", response_class=HTMLResponse)
def endpoint_action(request: Request, session: DbSession, actor: CurrentActor, resource_id: int,
                    action: str) -> Response:
    try:
        if action == "check":
            ep = endpoints.check_endpoint(session=session, actor=actor, resource_id=resource_id)
            notice = ("连通性测试通过：" if ep.last_check_ok else "连通性测试未通过：") + ep.last_check_message
        elif action in ("disable", "enable"):
            endpoints.set_enabled(session=session, actor=actor, resource_id=resource_id, enabled=action == "enable")
            notice = "接口已启用" if action == "enable" else "接口已停用，调用方将收到“接口未登记或已停用”的答复"
        else:
            return _page(request, session, actor, error="未知操作。", status_code=404)
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        return _page(request, session, actor, error=exc.message, error_for=resource_id, status_code=exc.status_code)
    return RedirectResponse(f"/sharing/endpoints?notice={quote(notice)}#r{resource_id}", status_code=303)
