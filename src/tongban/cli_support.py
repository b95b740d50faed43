"""Helpers shared by the domains' command-line modules (`tongban/<domain>/cli.py`).

Import-light on purpose: `tongban --help` imports every domain's CLI module, so this module and they import
settings, the database and the domains inside the functions that need them (docs/architecture.md, 命令行).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


class ChainResult(Protocol):
    ok: bool
    message: str
    problem: str
    checked: int


def session_factory() -> sessionmaker[Session]:
    """A session factory on the configured database (TONGBAN_DATABASE_URL)."""
    from tongban.config import get_settings
    from tongban.db import make_engine, make_session_factory

    return make_session_factory(make_engine(get_settings().database_url))


def open_session() -> Session:
    """One session on the configured database; the caller closes it."""
    return session_factory()()


def department_id(session: Session, code: str) -> int:
    """The id of the department with this code, or exit 1 saying it does not exist."""
    from tongban.org import repository

    dept = repository.department_by(session, code=code)
    if dept is None:
        typer.echo(f"部门 {code} 不存在。", err=True)
        raise typer.Exit(1)
    return dept.id


def report_chain(result: ChainResult, label: str) -> None:
    """Print a hash-chain verification result; exit 1 on the first problem."""
    if result.ok:
        typer.echo(result.message)
        return
    typer.echo(f"{label}校验失败：{result.message}（问题类型 {result.problem}，已校验 {result.checked} 条）", err=True)
    raise typer.Exit(1)
