"""Helpers shared by the server-rendered pages' form handlers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from tongban.authz import Actor
from tongban.errors import DomainError, Forbidden, NotFound, translate_validation_errors
from tongban.org import service as org
from tongban.web.templating import render


def error_message(exc: Exception) -> str:
    """The Chinese message to show above a form: the first field problem, or the domain error's message."""
    if isinstance(exc, ValidationError):
        return translate_validation_errors(exc.errors())[0]
    if isinstance(exc, DomainError):
        return exc.message
    raise exc


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


@dataclass(frozen=True)
class FormFailure:
    """Why a submitted form failed, for re-rendering it: one Chinese sentence above the form, the
    message per field (form field name → message) beside the inputs, and the HTTP status."""

    message: str
    fields: dict[str, str] = field(default_factory=dict)
    status: int = 422
    #: Which form on a page with several failed (e.g. the id of the row whose action failed).
    form_id: str = ""


def _named(error: Any, names: Mapping[str, str]) -> Any:
    """A pydantic error of a top-level field located by its form label (`names`), when the form has one."""
    loc = tuple(error.get("loc", ()))
    if len(loc) == 1 and str(loc[0]) in names:
        return {**error, "loc": (names[str(loc[0])],)}
    return error


def failure_of(exc: Exception, names: Mapping[str, str] | None = None, *, form_id: str = "") -> FormFailure:
    """The one way a page handler turns a failed use-case into a re-rendered form.

    Validation errors (pydantic) and domain errors become a FormFailure; refusals and missing objects
    go to the error page instead (raised again, so that they are audited and shown as such); anything
    else is a bug and propagates. Nothing to undo: the use-case that raised has rolled back its work.
    `names` maps field names to the labels the form shows, so messages name fields as the user sees them.
    """
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        _, details = translate_validation_errors(errors)
        # The message beside a field names it as the form labels it, like the sentence above the form.
        _, named = translate_validation_errors([_named(e, names or {}) for e in errors])
        fields: dict[str, str] = {}
        for d, n in zip(details, named, strict=True):
            fields.setdefault(str(d["field"]).split(".")[0], str(n["message"]))
        return FormFailure(named_error_message(exc, names or {}), fields, 422, form_id)
    if isinstance(exc, DomainError):
        detail = exc.detail if isinstance(exc.detail, dict) else {}
        name = detail.get("field")
        return FormFailure(exc.message, {str(name): exc.message} if name else {}, exc.status_code, form_id)
    raise exc


def rerender(request: Request, template: str, context: Mapping[str, Any], failure: FormFailure) -> Response:
    """Show a failed form again: the page's context (from its read model, with what the user typed as
    `form`) plus the failure as `error` (the sentence shown above the form by base.html), `errors`
    (per field), `error_for` (which form on the page) and `failure`, with the failure's status."""
    return render(request, template, {**context, "failure": failure, "error": failure.message,
                                      "errors": failure.fields, "error_for": failure.form_id},
                  status_code=failure.status)
