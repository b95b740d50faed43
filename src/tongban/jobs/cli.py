"""`tongban worker` and `tongban jobs list/runs/retry`. Discovered by tongban.cli; heavy imports stay inside."""

from __future__ import annotations

import datetime as dt
import importlib
import signal

import typer

from tongban.cli_support import session_factory as _factory

app = typer.Typer()  # merged into the root `tongban` command
jobs_app = typer.Typer(help="任务运行：后台任务、定时任务与运行记录", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")

_STATUS = {"queued": "等待", "running": "运行中", "done": "完成", "failed": "失败"}


def _bj(value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    return value.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")


@app.command("worker")
def worker_command(
    imports: list[str] = typer.Option([], "--import", help="另外导入的任务模块（各领域的 tasks.py 会自动发现）"),
) -> None:
    """运行任务进程：执行到期的后台任务和定时任务（PostgreSQL 可运行多个；SQLite 只能运行一个）。"""
    from tongban.jobs import registry
    from tongban.jobs.worker import Worker, WorkerRefused

    for module in imports:
        importlib.import_module(module)
    registry.discover()
    worker = Worker(_factory())
    try:
        worker.start_lease()
    except WorkerRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None

    def _stop(signum: int, _frame: object) -> None:  # finish the job in hand, then stop
        worker.stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    typer.echo(f"任务进程 {worker.name} 已启动：{len(registry.all_jobs())} 种任务，"
               f"{len(registry.periodic_jobs())} 个定时任务。按 Ctrl-C 停止。")
    worker.run()


@jobs_app.command("list")
def jobs_list(
    status: str = typer.Option("", "--status", help="只列出该状态：queued / running / done / failed"),
    limit: int = typer.Option(50, help="最多列出多少条（最新的在前）"),
) -> None:
    """列出任务（状态、尝试次数、下次运行时间、最后的错误）和定时任务的下次运行时间。"""
    from tongban.jobs import queries

    if status and status not in _STATUS:
        typer.echo(f"状态 {status} 不存在，可选：{' / '.join(_STATUS)}。", err=True)
        raise typer.Exit(2)
    with _factory()() as session:
        view = queries.overview(session, status=status or None, limit=limit)
    for s in view.schedules:
        typer.echo(f"定时 {s.name:<22} {s.when:<24} 下次 {_bj(s.next_run_at)}")
    for j in view.jobs:
        error = (j.last_error or "").strip().splitlines()
        typer.echo(f"#{j.id:<6} {j.name:<24} {j.status:<8} 第 {j.attempts}/{j.max_attempts} 次  "
                   f"运行时间 {_bj(j.run_at)}" + (f"  错误：{error[-1][:120]}" if error else ""))
    typer.echo(f"共 {len(view.jobs)} 条任务。")


@jobs_app.command("runs")
def jobs_runs(
    job: int | None = typer.Option(None, "--job", help="只列出该任务的运行记录"),
    name: str = typer.Option("", "--name", help="只列出该名称的任务"),
    limit: int = typer.Option(50, help="最多列出多少条（最新的在前）"),
) -> None:
    """运行记录：每次尝试的开始、结束、结果和错误。"""
    from tongban.jobs import queries

    with _factory()() as session:
        runs = queries.runs(session, job_id=job, name=name or None, limit=limit)
    for r in runs:
        error = (r.error or "").strip().splitlines()
        typer.echo(f"#{r.job_id:<6} {r.name:<24} 第 {r.attempt} 次 {r.outcome:<9} {_bj(r.started_at)} → "
                   f"{_bj(r.ended_at)} {r.worker}" + (f"  错误：{error[-1][:120]}" if error else ""))
    typer.echo(f"共 {len(runs)} 条运行记录。")


@jobs_app.command("retry")
def jobs_retry(job_id: int = typer.Argument(..., help="失败任务的编号")) -> None:
    """把失败的任务重新排队（尝试次数清零）。"""
    from tongban.authz import SYSTEM
    from tongban.errors import DomainError
    from tongban.jobs import service

    with _factory()() as session:
        try:
            row = service.retry_job(session=session, actor=SYSTEM, job_id=job_id)
        except DomainError as exc:
            typer.echo(exc.message, err=True)
            raise typer.Exit(1) from None
        typer.echo(f"任务 #{row.id}（{row.name}）已重新排队。")
