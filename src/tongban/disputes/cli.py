"""`tongban disputes check-deadlines`. Discovered by tongban.cli; heavy imports stay inside the command."""

from __future__ import annotations

import typer

from tongban.cli_support import open_session

app = typer.Typer()  # merged into the root `tongban` command
disputes_app = typer.Typer(help="数据疑义（纠错）", no_args_is_help=True)
app.add_typer(disputes_app, name="disputes")


@disputes_app.command("check-deadlines")
def disputes_check_deadlines() -> None:
    """逾期预警：标记并记录所有超过答复或协调期限的数据疑义（建议每个工作日早上由定时任务执行）。"""
    from tongban.disputes import service

    session = open_session()
    try:
        flagged = service.check_deadlines(session=session)
    finally:
        session.close()
    for d in flagged:
        typer.echo(f"逾期：{d.number} {d.status} 期限 {d.due_on}（提供部门 {d.provider_id}，提出部门 {d.consumer_id}）")
    typer.echo(f"共标记 {len(flagged)} 件逾期数据疑义。")
