"""`tongban catalog export/import`. Discovered by tongban.cli; heavy imports stay inside the commands.

A real-size catalog of the demo city for benchmarks is `tongban demo-catalog` (demo/cli.py): the catalog
imports nothing of the demo."""

from __future__ import annotations

from pathlib import Path

import typer

from tongban.cli_support import department_id, open_session

app = typer.Typer()  # merged into the root `tongban` command
catalog_app = typer.Typer(help="政务信息资源目录", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("export")
def catalog_export(
    file: Path = typer.Argument(..., help="输出的 .xlsx 文件"),
    department: str | None = typer.Option(None, help="只导出该部门（部门编码）的资源"),
) -> None:
    """导出目录为目录编制模板格式的 xlsx。"""
    from tongban.authz import SYSTEM
    from tongban.catalog import spreadsheet

    session = open_session()
    try:
        provider_id = department_id(session, department) if department else None
        file.write_bytes(spreadsheet.export_catalog(session=session, actor=SYSTEM, provider_id=provider_id))
    finally:
        session.close()
    typer.echo(f"已导出到 {file}。")


@catalog_app.command("import")
def catalog_import(
    file: Path = typer.Argument(..., exists=True, readable=True, help="目录编制模板 .xlsx"),
    department: str = typer.Option(..., help="提供部门编码"),
    publish: bool = typer.Option(False, help="新建的资源直接发布"),
) -> None:
    """导入目录：全部成功，或不作任何更改并逐行列出错误（退出码 1）。"""
    from tongban.authz import SYSTEM
    from tongban.catalog import spreadsheet
    from tongban.errors import DomainError

    session = open_session()
    try:
        report = spreadsheet.import_catalog(session=session, actor=SYSTEM, data=file.read_bytes(),
                                            publish=publish, provider_id=department_id(session, department))
    except DomainError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    finally:
        session.close()
    if not report.ok:
        for e in report.errors:
            typer.echo(f"第 {e.row} 行【{e.column}】{e.message}", err=True)
        typer.echo(f"导入未完成，目录未作任何更改：共 {len(report.errors)} 处错误。", err=True)
        raise typer.Exit(1)
    typer.echo(f"导入完成：新建 {report.created} 个，更新 {report.updated} 个，未变化 {report.unchanged} 个。")
