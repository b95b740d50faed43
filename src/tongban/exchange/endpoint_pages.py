"""Page of 接口登记: the provider department's 接口 resources and the endpoints of its own systems.

The page's data comes from one read model (exchange/queries.endpoints_home); a failed form shows the
page again with what was typed beside the resource it belongs to (web/forms.rerender, form_id = resource id).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tongban.authz import Actor
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError, ValidationFailed
from tongban.exchange import endpoints, queries
from tongban.exchange.endpoint_models import TIMEOUT_DEFAULT_MS, TIMEOUT_MAX_MS, TIMEOUT_MIN_MS
from tongban.web.forms import FormFailure, failure_of, redirect_with_notice, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

TEMPLATE = "endpoints/home.html"


def _context(request: Request, session: DbSession, actor: Actor) -> dict[str, Any]:
    page = queries.endpoints_home(session, actor)
    return {**{k: getattr(page, k) for k in page.__dataclass_fields__}, "notice": request.query_params.get("notice")}


@router.get("/sharing/endpoints", response_class=HTMLResponse)
def endpoints_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, TEMPLATE, {**_context(request, session, actor), "form": {}})


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
        failure = failure_of(exc, form_id=str(resource_id))
        return rerender(request, TEMPLATE, {**_context(request, session, actor), "form": data}, failure)
    return redirect_with_notice("/sharing/endpoints", "接口地址已保存，建议立即测试连通性", anchor=f"r{resource_id}")


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
            return rerender(request, TEMPLATE, {**_context(request, session, actor), "form": {}},
                            FormFailure("未知操作。", status=404))
    except DomainError as exc:
        failure = failure_of(exc, form_id=str(resource_id))
        return rerender(request, TEMPLATE, {**_context(request, session, actor), "form": {}}, failure)
    return redirect_with_notice("/sharing/endpoints", notice, anchor=f"r{resource_id}")
