"""`tongban calendar import`. Discovered by tongban.cli; heavy imports stay inside the command."""

from __future__ import annotations

import typer

from tongban.cli_support import open_session

app = typer.Typer()  # merged into the root `tongban` command
calendar_app = typer.Typer(help="节假日日历", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")


@calendar_app.command("import")
def calendar_import() -> None:
    """从 chinese-calendar 软件包补充数据库中还没有的年份（升级该软件包后执行）。"""
    from tongban.workdays import service

    session = open_session()
    try:
        added = service.seed_from_package(session)  # a use-case: commits itself
    finally:
        session.close()
    typer.echo(f"新增 {added} 个年度的节假日安排。")
