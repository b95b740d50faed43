"""`tongban` command line: database, demo city, audit verification, server."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer
from alembic import command
from alembic.config import Config

from tongban.config import REPO_ROOT, get_settings
from tongban.db import make_engine, make_session_factory
from tongban.jobs import cli as jobs_cli
from tongban.licences import cli as licence_cli

app = typer.Typer(help="通办 Tongban 平台管理命令", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="数据库迁移", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志", no_args_is_help=True)
admin_app = typer.Typer(help="平台管理员", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(admin_app, name="admin")
exchange_app = typer.Typer(help="共享交换", no_args_is_help=True)
calendar_app = typer.Typer(help="节假日日历", no_args_is_help=True)
catalog_app = typer.Typer(help="政务信息资源目录", no_args_is_help=True)
app.add_typer(exchange_app, name="exchange")
app.add_typer(calendar_app, name="calendar")
app.add_typer(catalog_app, name="catalog")
disputes_app = typer.Typer(help="数据疑义（纠错）", no_args_is_help=True)
app.add_typer(disputes_app, name="disputes")
monitoring_app = typer.Typer(help="共享交换监测", no_args_is_help=True)
app.add_typer(monitoring_app, name="monitoring")
app.add_typer(licence_cli.licence_app, name="licence")
app.add_typer(licence_cli.keystore_app, name="keystore")
app.add_typer(jobs_cli.jobs_app, name="jobs")
app.command("worker")(jobs_cli.worker_command)


def alembic_config(database_url: str | None = None) -> Config:
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url or get_settings().database_url
    return cfg


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def upgrade_database(database_url: str | None = None) -> None:
    url = database_url or get_settings().database_url
    _ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), "head")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """把数据库迁移到最新版本（迁移脚本是唯一的表结构来源）。"""
    upgrade_database()
    typer.echo("数据库已迁移到最新版本。")


@db_app.command("current")
def db_current() -> None:
    """显示数据库当前的迁移版本。"""
    command.current(alembic_config())


def _session():  # type: ignore[no-untyped-def]
    engine = make_engine(get_settings().database_url)
    return make_session_factory(engine)()


def _department_id(session, code: str) -> int:  # type: ignore[no-untyped-def]
    """The id of the department with this code, or exit 1 saying it does not exist."""
    from tongban.org import repository

    dept = repository.department_by(session, code=code)
    if dept is None:
        typer.echo(f"部门 {code} 不存在。", err=True)
        raise typer.Exit(1)
    return dept.id


def _report_chain(result, label: str) -> None:  # type: ignore[no-untyped-def]
    """Print a hash-chain verification result; exit 1 on the first problem."""
    if result.ok:
        typer.echo(result.message)
        return
    typer.echo(f"{label}校验失败：{result.message}（问题类型 {result.problem}，已校验 {result.checked} 条）", err=True)
    raise typer.Exit(1)


def print_demo_logins(summary: object | None = None) -> None:
    from tongban.demo import city
    from tongban.demo.loader import DEMO_PASSWORD

    typer.echo("")
    typer.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
    wanted = ["admin", "supervisor", "amr_admin", "amr_clerk", "amr_reviewer", "amr_data", "hrss_clerk"]
    staff = {s.username: s for s in city.STAFF}
    role_names = {"platform_admin": "平台管理员", "supervisor": "监察人员", "dept_admin": "部门管理员",
                  "window_clerk": "窗口受理人员", "reviewer": "审批人员", "data_officer": "部门数据管理员"}
    for username in wanted:
        s = staff[username]
        roles = "、".join(role_names[r] for r in s.roles)
        typer.echo(f"  {username:<14} {s.display_name:<6} {roles}（{s.department_code}）")
    typer.echo(f"  {city.CITIZENS[0].resident_id}  {city.CITIZENS[0].name}（自然人，用身份证号登录）")
    typer.echo(f"  {city.ENTERPRISES[0].uscc}  {city.ENTERPRISES[0].name}（法人，用统一社会信用代码登录）")
    typer.echo("  其他部门账号见 README。")
    key = getattr(summary, "demo_api_key", "")
    if key:
        typer.echo(f"\n演示 API 密钥（{getattr(summary, 'demo_api_client', '')}，只显示这一次）：\n  {key}")


@app.command()
def demo(if_empty: bool = typer.Option(False, "--if-empty", help="数据库已有数据时跳过，不报错")) -> None:
    """加载演示城市（安康市）：区划、部门、各角色工作人员、群众、企业、应用系统。"""
    from tongban.demo import loader

    session = _session()
    try:
        if not loader.is_empty(session):
            if if_empty:
                typer.echo("数据库中已有数据，跳过演示数据加载。")
                print_demo_logins()
                return
            typer.echo("数据库中已有部门数据，演示数据只能加载到空数据库。", err=True)
            raise typer.Exit(1)
        summary = loader.load(session)
    finally:
        session.close()
    typer.echo(f"已加载演示城市：{summary.regions} 个行政区划，{summary.departments} 个部门，"
               f"{len(summary.staff)} 名工作人员，{len(summary.citizens)} 个自然人账号，"
               f"{len(summary.enterprises)} 个法人账号，{summary.clients} 个应用系统，"
               f"{summary.resources} 个已发布的信息资源及各种状态的共享申请，"
               f"{summary.registry_records} 条基础库记录。")
    print_demo_logins(summary)


@audit_app.command("verify")
def audit_verify() -> None:
    """校验审计日志哈希链：完整时退出码 0；发现篡改、删除、插入时指出第一条问题记录并退出码 1。"""
    from tongban.audit import service

    session = _session()
    try:
        result = service.verify(session)
    finally:
        session.close()
    _report_chain(result, "审计链")


@exchange_app.command("check-deadlines")
def exchange_check_deadlines() -> None:
    """逾期预警：标记并记录所有超过办理期限的共享申请（建议每个工作日早上由定时任务执行）。"""
    from tongban.exchange import service

    session = _session()
    try:
        flagged = service.check_deadlines(session=session)
    finally:
        session.close()
    for r in flagged:
        typer.echo(f"逾期：{r.number} {r.status} 期限 {r.due_on}（提供部门 {r.provider_id}，申请部门 {r.consumer_id}）")
    typer.echo(f"共标记 {len(flagged)} 件逾期申请。")


@disputes_app.command("check-deadlines")
def disputes_check_deadlines() -> None:
    """逾期预警：标记并记录所有超过答复或协调期限的数据疑义（建议每个工作日早上由定时任务执行）。"""
    from tongban.disputes import service

    session = _session()
    try:
        flagged = service.flag_overdue(session)
    finally:
        session.close()
    for d in flagged:
        typer.echo(f"逾期：{d.number} {d.status} 期限 {d.due_on}（提供部门 {d.provider_id}，提出部门 {d.consumer_id}）")
    typer.echo(f"共标记 {len(flagged)} 件逾期数据疑义。")


@exchange_app.command("seal")
def exchange_seal() -> None:
    """封存交换日志：把新的调用记录接入哈希链，并写入两条日志链的检查点（建议每分钟由定时任务执行）。"""
    from tongban.audit import anchors
    from tongban.exchange import quotas, sealing

    session = _session()
    rejected: list[int] = []
    try:
        total = 0
        while (n := sealing.seal(session, rejected_out=rejected)) > 0:
            total += n
        pruned = quotas.prune(session)
        cp = anchors.take(session)
    finally:
        session.close()
    typer.echo(f"已封存 {total} 条交换日志；清理过期限额计数 {pruned} 条；已写入第 {cp.id} 号检查点。")
    if rejected:
        seqs = "、".join(str(s) for s in sorted(set(rejected))[:20])
        typer.echo(f"警告：{len(rejected)} 条交换日志记录或涉及对象没有有效的行校验值（调用序号 {seqs}），"
                   "不是平台写入的，已拒绝封存并移出交换日志，内容记入审计日志（exchange_log.reject）。", err=True)
        raise typer.Exit(2)


log_app = typer.Typer(help="日志检查点（审计日志与交换日志）", no_args_is_help=True)
app.add_typer(log_app, name="log")


@log_app.command("checkpoint")
def log_checkpoint() -> None:
    """写入检查点：记录审计链与交换日志链的链头（签名），存入数据库与检查点目录，并在标准输出打印一行供异地保存。"""
    from tongban.audit import anchors

    session = _session()
    try:
        cp = anchors.take(session)
    finally:
        session.close()
    typer.echo(cp.line())


@log_app.command("verify")
def log_verify(
    checkpoints: Path | None = typer.Option(None, "--checkpoints", help="异地保存的检查点文件（每行一个检查点）"),
) -> None:
    """校验审计链和交换日志链，并与最新检查点比对：完整时退出码 0，否则指出第一条问题记录并退出码 1。"""
    from tongban.audit import anchors, service
    from tongban.exchange import sealing

    extra = anchors.parse_lines(checkpoints.read_text(encoding="utf-8").splitlines()) if checkpoints else None
    session = _session()
    try:
        results = [(service.verify(session, extra_checkpoints=extra), "审计链"),
                   (sealing.verify(session, extra_checkpoints=extra), "交换日志")]
    finally:
        session.close()
    failed = False
    for result, label in results:
        if result.ok:
            typer.echo(result.message)
        else:
            failed = True
            typer.echo(f"{label}校验失败：{result.message}（问题类型 {result.problem}，已校验 {result.checked} 条）",
                       err=True)
    if failed:
        raise typer.Exit(1)


@exchange_app.command("verify")
def exchange_verify() -> None:
    """校验交换日志哈希链：完整时退出码 0；发现篡改、删除、插入时指出第一条问题记录并退出码 1。"""
    from tongban.exchange import sealing

    session = _session()
    try:
        result = sealing.verify(session)
    finally:
        session.close()
    _report_chain(result, "交换日志")


@monitoring_app.command("rebuild")
def monitoring_rebuild(
    since: str = typer.Option("", "--since", help="从该日（北京时间，YYYY-MM-DD）起重算；不填则全部重算"),
) -> None:
    """按交换日志重算调用统计（恢复备份或修复后执行；与封存同时运行也不会重复计数）。"""
    import datetime as dt

    from tongban.monitoring import rollup

    day = None
    if since:
        try:
            day = dt.date.fromisoformat(since)
        except ValueError:
            typer.echo(f"日期 {since} 格式不对，应为 YYYY-MM-DD。", err=True)
            raise typer.Exit(2) from None
    session = _session()
    try:
        counted = rollup.rebuild(session, since=day)
    finally:
        session.close()
    typer.echo(f"已按交换日志重算调用统计：计入 {counted} 条已封存调用{f'（自 {since} 起）' if since else ''}。")


@calendar_app.command("import")
def calendar_import() -> None:
    """从 chinese-calendar 软件包补充数据库中还没有的年份（升级该软件包后执行）。"""
    from tongban.workdays import service

    session = _session()
    try:
        added = service.seed_from_package(session)
        session.commit()
    finally:
        session.close()
    typer.echo(f"新增 {added} 个年度的节假日安排。")


@catalog_app.command("generate")
def catalog_generate(
    resources: int = typer.Option(5000, help="资源数"),
    items: int = typer.Option(64000, help="信息项总数"),
    publish: bool = typer.Option(True, help="直接发布"),
) -> None:
    """生成真实规模的目录（用于基准测试）：默认 5,000 个资源、64,000 个信息项，分布在演示城市各部门。"""
    from tongban.demo import catalog_loader

    session = _session()
    try:
        result = catalog_loader.load_scale(session, resources=resources, items=items, publish=publish)
    finally:
        session.close()
    typer.echo(f"已生成 {result.resources} 个资源、{result.items} 个信息项，用时 {result.seconds:.1f} 秒。")


@catalog_app.command("export")
def catalog_export(
    file: Path = typer.Argument(..., help="输出的 .xlsx 文件"),
    department: str | None = typer.Option(None, help="只导出该部门（部门编码）的资源"),
) -> None:
    """导出目录为目录编制模板格式的 xlsx。"""
    from tongban.authz import SYSTEM
    from tongban.catalog import spreadsheet

    session = _session()
    try:
        provider_id = _department_id(session, department) if department else None
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

    session = _session()
    try:
        report = spreadsheet.import_catalog(session=session, actor=SYSTEM, data=file.read_bytes(),
                                            publish=publish, provider_id=_department_id(session, department))
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

    factory = make_session_factory(make_engine(get_settings().database_url))
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


@admin_app.command("create")
def admin_create(
    username: str = typer.Option(..., help="登录名"),
    name: str = typer.Option(..., help="姓名"),
    department_code: str = typer.Option(..., help="所属部门编码（平台运营部门）"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """创建平台管理员（生产环境初始化时使用）。"""
    from pydantic import ValidationError

    from tongban.authz import SYSTEM, Role
    from tongban.errors import DomainError, translate_validation_errors
    from tongban.org import service
    from tongban.org.schemas import StaffCreate

    session = _session()
    try:
        user_in = StaffCreate(username=username, display_name=name, password=password,
                              department_id=_department_id(session, department_code), roles=[Role.PLATFORM_ADMIN])
        service.create_staff(session=session, actor=SYSTEM, user_in=user_in)
    except ValidationError as exc:
        typer.echo(translate_validation_errors(exc.errors())[0], err=True)
        raise typer.Exit(1) from None
    except DomainError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    finally:
        session.close()
    typer.echo(f"已创建平台管理员 {username}。")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """启动 Web 服务。"""
    import uvicorn

    uvicorn.run("tongban.main:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=False)


@app.command()
def run(host: str = "127.0.0.1", port: int = 8000) -> None:
    """迁移数据库、空库时加载演示城市，然后启动服务（make run 使用）。"""
    upgrade_database()
    demo(if_empty=True)
    worker = None
    if get_settings().jobs_in_process:  # no cron: sealing, rollups and deadline checks run in this process
        from tongban.jobs.worker import start_in_background

        worker = start_in_background(make_session_factory(make_engine(get_settings().database_url)))
    typer.echo(f"\n通办平台已启动：http://{host}:{port}/   接口文档：http://{host}:{port}/docs\n")
    if worker is None and get_settings().jobs_in_process:
        typer.echo("另一个任务进程正在运行（SQLite 只能运行一个），本进程不执行后台任务。")
    sys.stdout.flush()
    try:
        serve(host=host, port=port)
    finally:
        if worker is not None:
            worker.shutdown()


if __name__ == "__main__":
    app()
