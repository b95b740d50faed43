"""`tongban sharing …`. Discovered by tongban.cli; heavy imports stay inside the commands."""

from __future__ import annotations

import typer

from tongban.cli_support import open_session

app = typer.Typer()  # merged into the root `tongban` command
sharing_app = typer.Typer(help="共享申请与授权", no_args_is_help=True)
app.add_typer(sharing_app, name="sharing")


@sharing_app.command("check-deadlines")
def sharing_check_deadlines() -> None:
    """逾期预警：标记并记录所有超过办理期限的共享申请（建议每个工作日早上由定时任务执行）。"""
    from tongban.sharing import service

    session = open_session()
    try:
        flagged = service.check_deadlines(session=session)
    finally:
        session.close()
    for r in flagged:
        typer.echo(f"逾期：{r.number} {r.status} 期限 {r.due_on}（提供部门 {r.provider_id}，申请部门 {r.consumer_id}）")
    typer.echo(f"共标记 {len(flagged)} 件逾期申请。")
