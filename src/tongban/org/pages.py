"""Server-rendered pages of the org domain: login, home, people, departments, clients."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from tongban.authz import DEPARTMENT_GRANTABLE_ROLES, ROLE_LABELS, Actor, Permission, Role
from tongban.deps import CurrentActor, DbSession, OptionalActor, client_ip, public_router, secure_router
from tongban.errors import DomainError, TooManyRequests, translate_validation_errors
from tongban.org import auth, home, service
from tongban.org import repository as repo
from tongban.org.schemas import (
    ApiKeyCreate,
    ClientCreate,
    DepartmentCreate,
    DepartmentUpdate,
    PasswordChange,
    StaffCreate,
    StaffUpdate,
)
from tongban.web.templating import render

public = public_router(include_in_schema=False)
router = secure_router(include_in_schema=False)


def _safe_next(value: str | None) -> str:
    """Only local paths: an open redirect after login is a phishing tool."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/home"


def _form_errors(exc: Exception) -> tuple[str, dict[str, str]]:
    if isinstance(exc, ValidationError):
        summary, fields = translate_validation_errors(exc.errors())
        return summary, {f["field"].split(".")[0]: f["message"] for f in fields}
    if isinstance(exc, DomainError):
        field = exc.detail.get("field") if isinstance(exc.detail, dict) else None
        return exc.message, ({field: exc.message} if field else {})
    raise exc


def _build(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """Blank form fields mean “not given”."""
    return model.model_validate({k: v for k, v in data.items() if v not in ("", None)})


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


@router.get("/home", response_class=HTMLResponse)
def home_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    summary = home.home_summary(session=session, actor=actor)
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
            return render(request, "org/password.html", {"error": "两次输入的新密码不一致。"}, status_code=422)
        service.change_own_password(session=session, actor=actor, change_in=change)
    except (ValidationError, DomainError) as exc:
        message, fields = _form_errors(exc)
        return render(request, "org/password.html", {"error": message, "errors": fields}, status_code=422)
    return render(request, "org/password.html", {"notice": "密码已修改，下次登录请使用新密码。"})


# ---------------------------------------------------------------- staff users


def _grantable_roles(actor: Actor) -> list[tuple[str, str]]:
    if actor.department_scope(Permission.USER_MANAGE) is None:
        return [(r.value, ROLE_LABELS[r]) for r in Role]
    return [(r.value, ROLE_LABELS[r]) for r in Role if r in DEPARTMENT_GRANTABLE_ROLES]


def _manageable_departments(session: DbSession, actor: Actor) -> list[Any]:
    scope = actor.department_scope(Permission.USER_MANAGE)
    rows, _ = repo.list_departments(session, ids=scope, limit=1000)
    return list(rows)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: DbSession, actor: CurrentActor, q: str | None = None,
               department_id: str | None = None, page: int = 1) -> Response:
    dept_filter = int(department_id) if department_id and department_id.isdigit() else None
    page = max(page, 1)
    users, total = service.list_staff(session=session, actor=actor, q=q or None, department_id=dept_filter,
                                      page=page, size=50)
    scope = actor.department_scope(Permission.USER_READ)
    departments, _ = repo.list_departments(session, ids=scope, limit=1000)
    ctx = {"users": users, "total": total, "q": q or "", "department_id": dept_filter, "page": page,
           "departments": departments, "can_manage": actor.has(Permission.USER_MANAGE)}
    template = "org/_users_table.html" if request.headers.get("hx-request") else "org/users.html"
    return render(request, template, ctx)


@router.get("/admin/users/new", response_class=HTMLResponse)
def user_new_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    actor.require(Permission.USER_MANAGE)
    return render(request, "org/user_new.html", {
        "departments": _manageable_departments(session, actor), "roles": _grantable_roles(actor),
        "form": {"department_id": actor.department_id}})


@router.post("/admin/users/new", response_class=HTMLResponse)
async def user_new_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    data: dict[str, Any] = {k: form.get(k) for k in ("username", "display_name", "password", "department_id",
                                                       "phone", "email")}
    data["roles"] = form.getlist("roles")
    try:
        user = service.create_staff(session=session, actor=actor, user_in=_build(StaffCreate, data))
    except (ValidationError, DomainError) as exc:
        message, fields = _form_errors(exc)
        return render(request, "org/user_new.html", {
            "departments": _manageable_departments(session, actor), "roles": _grantable_roles(actor),
            "form": {**data, "password": ""}, "error": message, "errors": fields}, status_code=422)
    return RedirectResponse(f"/admin/users/{user.id}?notice={quote('已创建工作人员账号')}", status_code=303)


def _user_detail(request: Request, session: DbSession, actor: Actor, user_id: int, *,
                 status_code: int = 200, **extra: Any) -> Response:
    user = service.get_user(session=session, actor=actor, user_id=user_id)
    can_manage = actor.has(Permission.USER_MANAGE) and actor.can_in_department(
        Permission.USER_MANAGE, user.department_id)
    return render(request, "org/user_detail.html", {
        "user": user, "can_manage": can_manage, "roles": _grantable_roles(actor),
        "departments": _manageable_departments(session, actor) if can_manage else [],
        "notice": request.query_params.get("notice"), **extra}, status_code=status_code)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_detail_page(request: Request, session: DbSession, actor: CurrentActor, user_id: int) -> Response:
    return _user_detail(request, session, actor, user_id)


@router.post("/admin/users/{user_id}", response_class=HTMLResponse)
async def user_update_submit(request: Request, session: DbSession, actor: CurrentActor, user_id: int) -> Response:
    form = await request.form()
    action = form.get("action", "update")
    try:
        if action == "unlock":
            service.unlock_user(session=session, actor=actor, user_id=user_id)
            notice = "已解除登录锁定"
        elif action == "password":
            from tongban.org.schemas import PasswordReset

            reset = PasswordReset(new_password=str(form.get("new_password", "")))
            service.reset_password(session=session, actor=actor, user_id=user_id, new_password=reset.new_password)
            notice = "已重置密码，请通过安全渠道告知本人"
        else:
            data: dict[str, Any] = {k: form.get(k) for k in ("display_name", "department_id", "phone", "email",
                                                             "status")}
            data["roles"] = form.getlist("roles")
            service.update_staff(session=session, actor=actor, user_id=user_id, user_in=_build(StaffUpdate, data))
            notice = "已保存"
    except (ValidationError, DomainError) as exc:
        message, fields = _form_errors(exc)
        return _user_detail(request, session, actor, user_id, status_code=422, error=message, errors=fields)
    return RedirectResponse(f"/admin/users/{user_id}?notice={quote(notice)}", status_code=303)


# ---------------------------------------------------------------- citizen and enterprise accounts


@router.get("/admin/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, session: DbSession, actor: CurrentActor, kind: str = "citizen",
                  purpose: str | None = None, q: str | None = None, page: int = 1) -> Response:
    """群众与企业账号: personal data, so the list opens only after a purpose is stated (and audited)."""
    actor.require(Permission.ACCOUNT_READ)
    kind = kind if kind in ("citizen", "enterprise") else "citizen"
    ctx: dict[str, Any] = {"kind": kind, "purpose": purpose or "", "q": q or "", "rows": None, "total": 0,
                           "page": max(page, 1)}
    if purpose:
        try:
            rows, total = service.list_accounts(session=session, actor=actor, kind=kind, purpose=purpose,
                                                q=q or None, page=max(page, 1), size=50)
            from tongban.org.schemas import AccountRead

            ctx.update(rows=[AccountRead.masked(u) for u in rows], total=total)
        except DomainError as exc:
            ctx["error"] = exc.message
    return render(request, "org/accounts.html", ctx)


# ---------------------------------------------------------------- departments


@router.get("/admin/departments", response_class=HTMLResponse)
def departments_page(request: Request, session: DbSession, actor: CurrentActor, q: str | None = None,
                     region_code: str | None = None) -> Response:
    rows, total = service.list_departments(session=session, actor=actor, q=q or None,
                                           region_code=region_code or None, size=500)
    return render(request, "org/departments.html", {
        "departments": rows, "total": total, "q": q or "", "region_code": region_code or "",
        "regions": repo.list_regions(session), "can_manage": actor.has(Permission.DEPARTMENT_MANAGE)})


def _department_form(request: Request, session: DbSession, *, dept: Any = None, form: dict[str, Any] | None = None,
                     status_code: int = 200, **extra: Any) -> Response:
    departments, _ = repo.list_departments(session, limit=1000)
    regions = [r for r in repo.list_regions(session) if r.level != "township"]
    return render(request, "org/department_form.html", {
        "dept": dept, "form": form or {}, "departments": departments, "regions": regions,
        "notice": request.query_params.get("notice"), **extra}, status_code=status_code)


@router.get("/admin/departments/new", response_class=HTMLResponse)
def department_new_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    actor.require(Permission.DEPARTMENT_MANAGE)
    return _department_form(request, session)


@router.post("/admin/departments/new", response_class=HTMLResponse)
async def department_new_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    data = {k: form.get(k) for k in ("code", "name", "short_name", "uscc", "region_code", "parent_id", "kind")}
    try:
        dept = service.create_department(session=session, actor=actor, department_in=_build(DepartmentCreate, data))
    except (ValidationError, DomainError) as exc:
        message, fields = _form_errors(exc)
        return _department_form(request, session, form=data, error=message, errors=fields, status_code=422)
    return RedirectResponse(f"/admin/departments/{dept.id}?notice={quote('已登记部门')}", status_code=303)


@router.get("/admin/departments/{department_id}", response_class=HTMLResponse)
def department_page(request: Request, session: DbSession, actor: CurrentActor, department_id: int) -> Response:
    dept = service.get_department(session=session, actor=actor, department_id=department_id)
    return _department_form(request, session, dept=dept, form={}, can_manage=actor.has(Permission.DEPARTMENT_MANAGE))


@router.post("/admin/departments/{department_id}", response_class=HTMLResponse)
async def department_update_submit(request: Request, session: DbSession, actor: CurrentActor,
                                   department_id: int) -> Response:
    form = await request.form()
    data = {k: form.get(k) for k in ("name", "short_name", "uscc", "region_code", "parent_id", "status")}
    try:
        service.update_department(session=session, actor=actor, department_id=department_id,
                                  department_in=_build(DepartmentUpdate, data))
    except (ValidationError, DomainError) as exc:
        message, fields = _form_errors(exc)
        dept = service.get_department(session=session, actor=actor, department_id=department_id)
        return _department_form(request, session, dept=dept, form=data, error=message, errors=fields,
                                can_manage=True, status_code=422)
    return RedirectResponse(f"/admin/departments/{department_id}?notice={quote('已保存')}", status_code=303)


# ---------------------------------------------------------------- application clients and keys


def _clients(request: Request, session: DbSession, actor: Actor, *, status_code: int = 200,
             department_id: int | None = None, **extra: Any) -> Response:
    scope = actor.department_scope(Permission.CLIENT_READ)
    departments, _ = repo.list_departments(session, ids=scope, limit=1000)
    if department_id is None:
        # Platform-wide readers start with their own department rather than a hundred systems.
        department_id = actor.department_id if actor.department_id is not None else departments[0].id
    clients = service.list_clients(session=session, actor=actor, department_id=department_id)
    return render(request, "org/clients.html", {
        "clients": clients, "can_manage": actor.has(Permission.CLIENT_MANAGE), "departments": departments,
        "department_id": department_id, "now_state": auth.key_state,
        "notice": request.query_params.get("notice"), **extra}, status_code=status_code)


@router.get("/admin/clients", response_class=HTMLResponse)
def clients_page(request: Request, session: DbSession, actor: CurrentActor,
                 department_id: str | None = None) -> Response:
    dept = int(department_id) if department_id and department_id.isdigit() else None
    return _clients(request, session, actor, department_id=dept)


@router.post("/admin/clients", response_class=HTMLResponse)
async def client_create_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    data = {k: form.get(k) for k in ("code", "name", "description", "department_id")}
    try:
        client = service.create_client(session=session, actor=actor, client_in=_build(ClientCreate, data))
    except (ValidationError, DomainError) as exc:
        message, fields = _form_errors(exc)
        return _clients(request, session, actor, form=data, error=message, errors=fields, status_code=422)
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
        message, _ = _form_errors(exc)
        return _clients(request, session, actor, error=message, status_code=422)
    # Rendered directly, never redirected: the secret must not land in a URL or a log.
    return _clients(request, session, actor, department_id=key.client.department_id,
                    issued={"client_id": client_id, "secret": secret, "prefix": key.key_prefix})


@router.post("/admin/clients/{client_id}/keys/{key_id}/revoke", response_class=HTMLResponse)
def key_revoke_submit(request: Request, session: DbSession, actor: CurrentActor, client_id: int,
                      key_id: int) -> Response:
    key = service.revoke_api_key(session=session, actor=actor, client_id=client_id, key_id=key_id)
    notice = quote("密钥已吊销，使用该密钥的调用将被拒绝")
    return RedirectResponse(f"/admin/clients?department_id={key.client.department_id}&notice={notice}",
                            status_code=303)
