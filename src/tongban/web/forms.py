"""Helpers shared by the server-rendered pages' form handlers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from tongban.authz import Actor
from tongban.errors import DomainError, translate_validation_errors
from tongban.org import service as org


def error_message(exc: Exception) -> str:
    """The Chinese message to show above a form: the first field problem, or the domain error's message."""
    if isinstance(exc, ValidationError):
        return translate_validation_errors(exc.errors())[0]
    if isinstance(exc, DomainError):
        return exc.message
    raise exc


def allowed(check: Callable[..., Any], *args: Any) -> bool:
    """Whether an object rule (one that raises DomainError when refused) lets the actor act: shows or hides a form."""
    try:
        check(*args)
    except DomainError:
        return False
    return True


async def read_form(request: Request) -> FormData:
    """The submitted form, for synchronous handlers (the CSRF check has parsed it already)."""
    return await request.form()


#: A handler's parameter `form: Form` receives the submitted form. Handlers that run pyhanko (signing,
#: verifying) must be synchronous (its own event loop cannot start inside the server's), so they cannot
#: await `request.form()` themselves.
Form = Annotated[FormData, Depends(read_form)]


def form_text(form: FormData, key: str) -> str:
    """A text field of the form, stripped ("" when missing or a file)."""
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def named_error_message(exc: Exception, names: Mapping[str, str]) -> str:
    """Like `error_message`, naming the fields as the form labels them (`names`: field → 中文标签)."""
    if isinstance(exc, ValidationError):
        errors = [{**e, "loc": (names.get(str(e["loc"][0]), str(e["loc"][0])) if e["loc"] else "请求",)}
                  for e in exc.errors()]
        return translate_validation_errors(errors)[0]
    if isinstance(exc, DomainError):
        return exc.message
    return str(exc)  # e.g. a ValueError whose text is already a Chinese sentence


def redirect_with_notice(path: str, notice: str, anchor: str = "") -> Response:
    """After a successful form: back to a page (GET) that shows `notice` above its content."""
    return RedirectResponse(f"{path}?notice={quote(notice)}{'#' + anchor if anchor else ''}", status_code=303)


def active_departments(session: Session, actor: Actor) -> list[Any]:
    """The departments a form offers in its department selector: the active ones."""
    rows, _ = org.list_departments(session=session, actor=actor, size=1000)
    return [d for d in rows if d.status == "active"]
