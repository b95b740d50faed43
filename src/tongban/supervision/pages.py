"""监察规则 page: the supervisor's list of rules and one form to add or change a rule."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError
from tongban.supervision import queries, service
from tongban.supervision.schemas import RuleIn
from tongban.web.forms import failure_of, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)
TEMPLATE = "supervision/rules.html"
TEXT_FIELDS = ("code", "name", "scope", "department_id", "item_code", "kind", "level", "days", "share", "action",
               "escalate_days")


@router.get("/supervision/rules", response_class=HTMLResponse)
def rules_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    page = queries.rules_page(session, actor)
    return render(request, TEMPLATE, {**vars(page), "notice": request.query_params.get("notice")})


@router.post("/supervision/rules", response_class=HTMLResponse)
async def rules_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    typed: dict[str, object] = {k: str(form.get(k, "")).strip() for k in TEXT_FIELDS}
    recipients = [str(v) for v in form.getlist("recipients")]
    data = {k: v for k, v in typed.items() if v != ""}
    try:
        rule = service.save_rule(session=session, actor=actor, rule_in=RuleIn.model_validate(
            {**data, "recipients": recipients, "active": form.get("active") == "on"}))
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc, service.FIELD_LABELS)
        return rerender(request, TEMPLATE, {**vars(queries.rules_page(session, actor)),
                                            "form": {**typed, "recipients": recipients}}, failure)
    return RedirectResponse(f"/supervision/rules?notice={quote(f'监察规则“{rule.name}”已保存')}", status_code=303)
