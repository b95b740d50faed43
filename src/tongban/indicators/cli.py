"""`tongban indicators rebuild`. Discovered by tongban.cli; heavy imports stay inside the command."""

from __future__ import annotations

import datetime as dt

import typer

from tongban.cli_support import open_session

app = typer.Typer()  # merged into the root `tongban` command
indicators_app = typer.Typer(help="绩效指标", no_args_is_help=True)
app.add_typer(indicators_app, name="indicators")


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"{what} {value} 格式不对，应为 YYYY-MM-DD。", err=True)
        raise typer.Exit(2) from None


@indicators_app.command("rebuild")
def indicators_rebuild(
    start: str = typer.Option(..., "--start", help="起始日期（北京时间，YYYY-MM-DD）"),
    end: str = typer.Option("", "--end", help="结束日期（含当天）；不填为起始日期当天"),
) -> None:
    """按办件、评价与预警重算一个期间的绩效指标汇总（每天一个事务，可重复执行）。"""
    from tongban.indicators import rollup

    first = _date(start, "起始日期")
    last = _date(end, "结束日期") if end else first
    if last < first:
        typer.echo("结束日期不能早于起始日期。", err=True)
        raise typer.Exit(2)
    session = open_session()
    try:
        rows = rollup.rebuild(session, start=first, end=last)
    finally:
        session.close()
    typer.echo(f"已重算 {first.isoformat()} 至 {last.isoformat()} 的绩效指标汇总：{rows} 行。")
