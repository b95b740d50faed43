"""`tongban monitoring rebuild`. Discovered by tongban.cli; heavy imports stay inside the command."""

from __future__ import annotations

import datetime as dt

import typer

from tongban.cli_support import open_session

app = typer.Typer()  # merged into the root `tongban` command
monitoring_app = typer.Typer(help="共享交换监测", no_args_is_help=True)
app.add_typer(monitoring_app, name="monitoring")


@monitoring_app.command("rebuild")
def monitoring_rebuild(
    since: str = typer.Option("", "--since", help="从该日（北京时间，YYYY-MM-DD）起重算；不填则全部重算"),
) -> None:
    """按交换日志重算调用统计（恢复备份或修复后执行；与封存同时运行也不会重复计数）。"""
    from tongban.monitoring import rollup

    day = None
    if since:
        try:
            day = dt.date.fromisoformat(since)
        except ValueError:
            typer.echo(f"日期 {since} 格式不对，应为 YYYY-MM-DD。", err=True)
            raise typer.Exit(2) from None
    session = open_session()
    try:
        counted = rollup.rebuild(session, since=day)
    finally:
        session.close()
    typer.echo(f"已按交换日志重算调用统计：计入 {counted} 条已封存调用{f'（自 {since} 起）' if since else ''}。")
