"""`tongban audit verify`. Discovered by tongban.cli; heavy imports stay inside the command."""

from __future__ import annotations

import typer

from tongban.cli_support import open_session, report_chain

app = typer.Typer()  # merged into the root `tongban` command
audit_app = typer.Typer(help="审计日志", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify() -> None:
    """校验审计日志哈希链：完整时退出码 0；发现篡改、删除、插入时指出第一条问题记录并退出码 1。"""
    from tongban.audit import service

    session = open_session()
    try:
        result = service.verify(session)
    finally:
        session.close()
    report_chain(result, "审计链")
