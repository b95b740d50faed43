"""Helpers shared by the server-rendered pages' form handlers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from tongban.errors import DomainError, translate_validation_errors


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
