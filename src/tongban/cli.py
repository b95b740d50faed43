"""`tongban` command line: the platform-wide commands (db, demo, serve, run) and each domain's own.

A domain adds commands by having a `cli.py` with a typer app named `app` (`tongban/<domain>/cli.py`);
`register_domain_commands` finds those files by scanning the tongban package, so adding a domain edits no
list here. `tongban --help` imports every domain's CLI module, so those modules, the domain packages and
this one keep heavy imports (settings, SQLAlchemy, alembic, FastAPI, cryptography, pyhanko, reportlab,
pandas) inside the command functions (docs/architecture.md, 命令行; tests/test_cli.py).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

import tongban
from tongban.cli_support import open_session, session_factory

if TYPE_CHECKING:
    from alembic.config import Config

app = typer.Typer(help="通办 Tongban 平台管理命令", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="数据库迁移", no_args_is_help=True)
app.add_typer(db_app, name="db")


def domain_cli_modules() -> list[str]:
    """`tongban.<domain>.cli` for every package of tongban that has a cli.py, found without importing them."""
    names = []
    for package in pkgutil.iter_modules(tongban.__path__):
        if package.ispkg:
            path = [str(Path(p) / package.name) for p in tongban.__path__]
            if any(m.name == "cli" for m in pkgutil.iter_modules(path)):
                names.append(f"tongban.{package.name}.cli")
    return sorted(names)


def register_domain_commands(root: typer.Typer) -> None:
    """Merge each domain's `app` (its command groups and top-level commands) into the root command."""
    for name in domain_cli_modules():
        root.add_typer(importlib.import_module(name).app)


def alembic_config(database_url: str | None = None) -> Config:
    from alembic.config import Config

    from tongban.config import REPO_ROOT, get_settings

    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url or get_settings().database_url
    return cfg


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def upgrade_database(database_url: str | None = None) -> None:
    from alembic import command

    from tongban.config import get_settings

    url = database_url or get_settings().database_url
    _ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), "head")
    _publish_shipped_processes(url)


def _publish_shipped_processes(url: str) -> None:
    """The BPMN processes shipped with this version (idempotent by hash; a changed file is a new version,
    which new cases start on while running ones stay on theirs): part of upgrading, like the schema."""
    from tongban.db import make_engine, make_session_factory
    from tongban.transactions import scope
    from tongban.workflow import service as workflow

    engine = make_engine(url)
    try:
        session = make_session_factory(engine)()
        try:
            with scope(session):
                workflow.publish_shipped(session=session)
        finally:
            session.close()
    finally:
        engine.dispose()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """把数据库迁移到最新版本（迁移脚本是唯一的表结构来源）。"""
    upgrade_database()
    typer.echo("数据库已迁移到最新版本。")


@db_app.command("current")
def db_current() -> None:
    """显示数据库当前的迁移版本。"""
    from alembic import command

    command.current(alembic_config())


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

    session = open_session()
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


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """启动 Web 服务。"""
    import uvicorn

    uvicorn.run("tongban.main:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=False)


@app.command()
def run(host: str = "127.0.0.1", port: int = 8000) -> None:
    """迁移数据库、空库时加载演示城市，然后启动服务（make run 使用）。"""
    from tongban.config import get_settings

    upgrade_database()
    demo(if_empty=True)
    worker = None
    if get_settings().jobs_in_process:  # no cron: sealing, rollups and deadline checks run in this process
        from tongban.jobs.worker import start_in_background

        worker = start_in_background(session_factory())
    typer.echo(f"\n通办平台已启动：http://{host}:{port}/   接口文档：http://{host}:{port}/docs\n")
    if worker is None and get_settings().jobs_in_process:
        typer.echo("另一个任务进程正在运行（SQLite 只能运行一个），本进程不执行后台任务。")
    sys.stdout.flush()
    try:
        serve(host=host, port=port)
    finally:
        if worker is not None:
            worker.shutdown()


register_domain_commands(app)

if __name__ == "__main__":
    app()
