"""`tongban files sweep`: remove (or list, --dry-run) stored files no row names. Discovered by tongban.cli;
heavy imports stay inside the command, and the session comes from tongban.db (the file store sits in the
platform's bottom layer, below cli_support)."""

from __future__ import annotations

import datetime as dt

import typer

app = typer.Typer()  # merged into the root `tongban` command
files_app = typer.Typer(help="文件存储：清理无引用的文件", no_args_is_help=True)
app.add_typer(files_app, name="files")


def _bj(value: dt.datetime) -> str:
    return value.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")


@files_app.command("sweep")
def sweep_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="只列出将被删除的文件，不删除"),
) -> None:
    """删除超过保留期、且没有任何业务记录引用的文件（用例回滚后留下的文件）。"""
    from tongban.config import get_settings
    from tongban.db import make_engine, make_session_factory
    from tongban.files import sweep

    settings = get_settings()
    engine = make_engine(settings.database_url)
    session = make_session_factory(engine)()
    try:
        report = sweep.sweep(session, dry_run=dry_run)
    finally:
        session.close()
        engine.dispose()
    if report.refused:
        typer.echo(f"未清理任何文件：无法证明文件未被引用（{report.refused}）。", err=True)
        raise typer.Exit(1)
    for f in report.removed:
        typer.echo(f"{f.sha256}  {f.size:>10} 字节  最后写入 {_bj(f.modified)}")
    verb = "将删除" if dry_run else "已删除"
    typer.echo(f"{verb} {len(report.removed)} 个无引用的文件，共 {report.removed_bytes} 字节；"
               f"保留被引用的 {report.kept_referenced} 个、未满 {settings.files_sweep_grace_hours} 小时的 "
               f"{report.kept_young} 个。")
