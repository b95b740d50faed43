"""`tongban ingest`. Discovered by tongban.cli; heavy imports (pandas, pyarrow, the models) stay inside."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from tongban.cli_support import session_factory

app = typer.Typer()  # merged into the root `tongban` command


@app.command()
def ingest(
    resource_code: str = typer.Argument(..., help="信息资源代码，如 101/000001"),
    file: Path = typer.Argument(..., exists=True, readable=True, help="CSV（UTF-8）、xlsx 或 Parquet 文件"),
    mode: str = typer.Option("upsert", help="upsert 按主键新增或更新；replace 整体替换（文件中没有的记录标记删除）"),
    report: Path | None = typer.Option(None, help="被拒绝行的报告文件（默认与数据文件同目录）"),
    allow_mass_delete: bool = typer.Option(
        False, "--allow-mass-delete",
        help="replace 时允许删除超过 TONGBAN_INGEST_MAX_DELETE_SHARE（默认 10%）的现有记录（确认文件无误后使用）"),
) -> None:
    """数据归集：逐项校验后发布为资源的记录；中途失败时原有数据不受影响。"""
    from rich.progress import Progress, TextColumn, TimeElapsedColumn

    from tongban.authz import SYSTEM
    from tongban.errors import DomainError
    from tongban.registries import ingest as registry_ingest

    factory = session_factory()
    started = time.perf_counter()
    with Progress(TextColumn("[bold]{task.description}"), TextColumn("已读 {task.fields[rows]:,} 行"),
                  TextColumn("拒绝 {task.fields[rejected]:,} 行"), TextColumn("{task.fields[rate]:,} 行/秒"),
                  TimeElapsedColumn(), transient=False) as bar:
        task = bar.add_task(f"归集 {resource_code}", total=None, rows=0, rejected=0, rate=0)

        def progress(rows: int, rejected: int) -> None:
            rate = int(rows / max(time.perf_counter() - started, 1e-6))
            bar.update(task, rows=rows, rejected=rejected, rate=rate)

        try:
            result = registry_ingest.ingest(factory=factory, actor=SYSTEM, resource_code=resource_code, path=file,
                                            mode=mode, report_path=report, progress=progress,
                                            allow_mass_delete=allow_mass_delete)
        except DomainError as exc:
            typer.echo(exc.message, err=True)
            raise typer.Exit(1) from None
    typer.echo(f"已发布：读取 {result.rows_read:,} 行，拒绝 {result.rows_rejected:,} 行，"
               f"变更 {result.rows_changed:,} 条，"
               f"现有记录 {result.records:,} 条，用时 {result.seconds:.1f} 秒（其中发布 {result.merge_seconds:.1f} 秒）"
               f"（{result.rows_read / max(result.seconds, 1e-6):,.0f} 行/秒）。")
    if result.rows_rejected or result.duplicates:
        typer.echo(f"被拒绝的行及原因见 {result.report_path}")
