"""Server-rendered pages of the org domain: login, home, people, departments, clients.

Each GET handler renders one read model of org/queries.py; each POST handler calls one use-case and
redirects, or shows the form again through web.forms.rerender with what the user typed.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from tongban.cards import CardReads
from tongban.deps import (
    CurrentActor,
    DbSession,
    OptionalActor,
    assumed_router,
    client_ip,
    confirmed_reads,
    public_router,
    secure_router,
)
from tongban.errors import DomainError, TooManyRequests, ValidationFailed
from tongban.org import auth, queries, service
from tongban.org.schemas import (
    ApiKeyCreate,
    ClientCreate,
    DepartmentCreate,
    DepartmentUpdate,
    PasswordChange,
    PasswordReset,
    StaffCreate,
    StaffUpdate,
)
from tongban.web.forms import failure_of, redirect_with_notice, rerender
from tongban.web.templating import count_badges_on_loop, render

public = public_router(include_in_schema=False)
router = secure_router(include_in_schema=False)
assumed = assumed_router(include_in_schema=False)  # pages whose reads confirm the caller's session (the home)

def _safe_next(value: str | None) -> str:
    """Only local paths: an open redirect after login is a phishing tool."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/home"


def _shown(view: Any) -> dict[str, Any]:
    """A read model's fields as template variables (shallow: the ORM objects stay as they are)."""
    return {f.name: getattr(view, f.name) for f in fields(view)}


def _build(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """Blank form fields mean “not given”."""
    return model.model_validate({k: v for k, v in data.items() if v not in ("", None)})


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# ---------------------------------------------------------------- login / logout / home


@public.get("/", response_class=HTMLResponse)
def index(actor: OptionalActor) -> Response:
    return RedirectResponse("/home" if actor.is_authenticated else "/login", status_code=303)


@public.get("/login", response_class=HTMLResponse)
def login_page(request: Request, actor: OptionalActor, next: str | None = None) -> Response:
    if actor.is_authenticated:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "org/login.html", {"next": _safe_next(next)})


@public.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request, session: DbSession) -> Response:
    form = await request.form()
    username = str(form.get("username", ""))
    target = _safe_next(str(form.get("next", "")))
    try:
        result = auth.login(session, username=username, password=str(form.get("password", "")),
                            client_ip=client_ip(request), user_agent=request.headers.get("user-agent", ""))
    except DomainError as exc:
        # Not failure_of: a refused login (401) is the form's answer here, not the error page.
        page = render(request, "org/login.html", {"error": exc.message, "username": username, "next": target},
                      status_code=exc.status_code)
        if isinstance(exc, TooManyRequests):  # throttled or locked: how long to wait, as the API says it
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    response = RedirectResponse(target, status_code=303)
    cfg = request.app.state.settings
    response.set_cookie(cfg.session_cookie, result.token, httponly=True, samesite="lax", secure=cfg.cookie_secure,
                        max_age=cfg.session_hours * 3600, path="/")
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    auth.logout(session, actor=actor)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(request.app.state.settings.session_cookie, path="/")
    return response


@assumed.get("/home", response_class=HTMLResponse)
async def home_page(request: Request) -> Response:
    """首页, drawn on the event loop (tongban/cards.py): no request thread, no ORM session unless a card needs one; the
    session's version read with the page's reads (deps.confirmed_reads)."""
    state = request.app.state
    reads = CardReads(state.engine, state.session_factory)
    summary, _ = await confirmed_reads(request, reads.loop, lambda actor: (
        queries.home(reads, actor), count_badges_on_loop(request, actor, reads)))
    return render(request, "org/home.html", {"summary": summary})


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, actor: CurrentActor) -> Response:
    return render(request, "org/password.html", {})


@router.post("/account/password", response_class=HTMLResponse)
async def password_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    try:
        change = PasswordChange(password=str(form.get("password", "")),
                                new_password=str(form.get("new_password", "")))
        if form.get("new_password") != form.get("confirm_password"):
            raise ValidationFailed("两次输入的新密码不一致。", code="password_mismatch")
        service.change_own_password(session=session, actor=actor, change_in=change)
    except (ValidationError, DomainError) as exc:
        return rerender(request, "org/password.html", {}, failure_of(exc))
    # Shown, not redirected: the notice is the whole answer and the form must come back empty.
    return render(request, "org/password.html", {"notice": "密码已修改，下次登录请使用新密码。"})


# ---------------------------------------------------------------- staff users


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: DbSession, actor: CurrentActor, q: str | None = None,
               department_id: str | None = None, page: int = 1) -> Response:
    view = queries.users_home(session, actor, q=q or "", department_id=_int_or_none(department_id), page=page)
    template = "org/_users_table.html" if request.headers.get("hx-request") else "org/users.html"
    return render(request, template, _shown(view))


@router.get("/admin/users/new", response_class=HTMLResponse)
def user_new_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    view = queries.user_new(session, actor)
    return render(request, "org/user_new.html", {**_shown(view), "form": {"department_id": actor.department_id}})


@router.post("/admin/users/new", response_class=HTMLResponse)
async def user_new_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    data: dict[str, Any] = {k: form.get(k) for k in ("username", "display_name", "password", "department_id",
                                                       "phone", "email")}
    data["roles"] = form.getlist("roles")
    try:
        user = service.create_staff(session=session, actor=actor, user_in=_build(StaffCreate, data))
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc)
        return rerender(request, "org/user_new.html",
                        {**_shown(queries.user_new(session, actor)), "form": {**data, "password": ""}}, failure)
    return redirect_with_notice(f"/admin/users/{user.id}", "已创建工作人员账号")


def _user_failed(request: Request, session: DbSession, actor: CurrentActor, user_id: int,
                 exc: Exception) -> Response:
    """The user's page again with why the change failed (missing or hidden users go to the error page)."""
    failure = failure_of(exc)
    return rerender(request, "org/user_detail.html", _shown(queries.user_detail(session, actor, user_id)), failure)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_detail_page(request: Request, session: DbSession, actor: CurrentActor, user_id: int) -> Response:
    view = queries.user_detail(session, actor, user_id)
    return render(request, "org/user_detail.html", {**_shown(view), "notice": request.query_params.get("notice")})


@router.post("/admin/users/{user_id}", response_class=HTMLResponse)
async def user_update_submit(request: Request, session: DbSession, actor: CurrentActor, user_id: int) -> Response:
    form = await request.form()
    data: dict[str, Any] = {k: form.get(k) for k in ("display_name", "department_id", "phone", "email", "status")}
    data["roles"] = form.getlist("roles")
    try:
        service.update_staff(session=session, actor=actor, user_id=user_id, user_in=_build(StaffUpdate, data))
    except (ValidationError, DomainError) as exc:
        return _user_failed(request, session, actor, user_id, exc)
    return redirect_with_notice(f"/admin/users/{user_id}", "已保存")


@router.post("/admin/users/{user_id}/unlock", response_class=HTMLResponse)
def user_unlock_submit(request: Request, session: DbSession, actor: CurrentActor, user_id: int) -> Response:
    try:
        service.unlock_user(session=session, actor=actor, user_id=user_id)
    except DomainError as exc:
        return _user_failed(request, session, actor, user_id, exc)
    return redirect_with_notice(f"/admin/users/{user_id}", "已解除登录锁定")


@router.post("/admin/users/{user_id}/password", response_class=HTMLResponse)
async def user_password_submit(request: Request, session: DbSession, actor: CurrentActor, user_id: int) -> Response:
    form = await request.form()
    try:
        reset = PasswordReset(new_password=str(form.get("new_password", "")))
        service.reset_password(session=session, actor=actor, user_id=user_id, new_password=reset.new_password)
    except (ValidationError, DomainError) as exc:
        return _user_failed(request, session, actor, user_id, exc)
    return redirect_with_notice(f"/admin/users/{user_id}", "已重置密码，请通过安全渠道告知本人")


# ---------------------------------------------------------------- citizen and enterprise accounts


@router.get("/admin/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, session: DbSession, actor: CurrentActor, kind: str = "citizen",
                  purpose: str | None = None, q: str | None = None, page: int = 1) -> Response:
    """群众与企业账号: personal data, so the list opens only after a purpose is stated (and audited)."""
    view = queries.accounts(session, actor, kind=kind, purpose=purpose or "", q=q or "", page=page)
    return render(request, "org/accounts.html", _shown(view))


# ---------------------------------------------------------------- departments


@router.get("/admin/departments", response_class=HTMLResponse)
def departments_page(request: Request, session: DbSession, actor: CurrentActor, q: str | None = None,
                     region_code: str | None = None) -> Response:
    view = queries.departments_home(session, actor, q=q or "", region_code=region_code or "")
    return render(request, "org/departments.html", _shown(view))


@router.get("/admin/departments/new", response_class=HTMLResponse)
def department_new_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "org/department_form.html", {**_shown(queries.department_new(session, actor)),
                                                        "form": {}})


@router.post("/admin/departments/new", response_class=HTMLResponse)
async def department_new_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    data = {k: form.get(k) for k in ("code", "name", "short_name", "uscc", "region_code", "parent_id", "kind")}
    try:
        dept = service.create_department(session=session, actor=actor, department_in=_build(DepartmentCreate, data))
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc)
        return rerender(request, "org/department_form.html",
                        {**_shown(queries.department_new(session, actor)), "form": data}, failure)
    return redirect_with_notice(f"/admin/departments/{dept.id}", "已登记部门")


@router.get("/admin/departments/{department_id}", response_class=HTMLResponse)
def department_page(request: Request, session: DbSession, actor: CurrentActor, department_id: int) -> Response:
    view = queries.department_detail(session, actor, department_id)
    return render(request, "org/department_form.html", {**_shown(view), "form": {},
                                                        "notice": request.query_params.get("notice")})


@router.post("/admin/departments/{department_id}", response_class=HTMLResponse)
async def department_update_submit(request: Request, session: DbSession, actor: CurrentActor,
                                   department_id: int) -> Response:
    form = await request.form()
    data = {k: form.get(k) for k in ("name", "short_name", "uscc", "region_code", "parent_id", "status")}
    try:
        service.update_department(session=session, actor=actor, department_id=department_id,
                                  department_in=_build(DepartmentUpdate, data))
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc)
        return rerender(request, "org/department_form.html",
                        {**_shown(queries.department_detail(session, actor, department_id)), "form": data}, failure)
    return redirect_with_notice(f"/admin/departments/{department_id}", "已保存")


# ---------------------------------------------------------------- application clients and keys


def _clients_context(request: Request, view: queries.ClientsHome) -> dict[str, Any]:
    return {**_shown(view), "now_state": auth.key_state, "notice": request.query_params.get("notice")}


@router.get("/admin/clients", response_class=HTMLResponse)
def clients_page(request: Request, session: DbSession, actor: CurrentActor,
                 department_id: str | None = None) -> Response:
    view = queries.clients_home(session, actor, department_id=_int_or_none(department_id))
    return render(request, "org/clients.html", _clients_context(request, view))


@router.post("/admin/clients", response_class=HTMLResponse)
async def client_create_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    data = {k: form.get(k) for k in ("code", "name", "description", "department_id")}
    try:
        client = service.create_client(session=session, actor=actor, client_in=_build(ClientCreate, data))
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc)
        view = queries.clients_home(session, actor)
        return rerender(request, "org/clients.html", {**_clients_context(request, view), "form": data}, failure)
    return RedirectResponse(f"/admin/clients?department_id={client.department_id}&notice={quote('已登记应用系统')}",
                            status_code=303)


@router.post("/admin/clients/{client_id}/keys", response_class=HTMLResponse)
async def key_issue_submit(request: Request, session: DbSession, actor: CurrentActor, client_id: int) -> Response:
    form = await request.form()
    data = {k: form.get(k) for k in ("label", "expires_in_days")}
    try:
        key, secret = service.issue_api_key(session=session, actor=actor, client_id=client_id,
                                            key_in=_build(ApiKeyCreate, data))
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc)
        return rerender(request, "org/clients.html",
                        _clients_context(request, queries.clients_home(session, actor)), failure)
    # Rendered directly, never redirected: the secret must not land in a URL or a log.
    view = queries.clients_home(session, actor, department_id=key.client.department_id)
    return render(request, "org/clients.html", {**_clients_context(request, view), "issued": {
        "client_id": client_id, "secret": secret, "prefix": key.key_prefix}})


@router.post("/admin/clients/{client_id}/keys/{key_id}/revoke", response_class=HTMLResponse)
def key_revoke_submit(request: Request, session: DbSession, actor: CurrentActor, client_id: int,
                      key_id: int) -> Response:
    key = service.revoke_api_key(session=session, actor=actor, client_id=client_id, key_id=key_id)
    notice = quote("密钥已吊销，使用该密钥的调用将被拒绝")
    return RedirectResponse(f"/admin/clients?department_id={key.client.department_id}&notice={notice}",
                            status_code=303)
