"""`tongban demo-catalog`: a real-size catalog of the demo city, for benchmarks. Discovered by tongban.cli.

It lives with the demo data (not under `tongban catalog`), because it loads the demo city's departments
and names: the catalog sits below the demo and imports none of it. Heavy imports stay inside the command.
"""

from __future__ import annotations

import typer

from tongban.cli_support import open_session

app = typer.Typer()  # merged into the root `tongban` command


@app.command("demo-catalog")
def demo_catalog(
    resources: int = typer.Option(5000, help="资源数"),
    items: int = typer.Option(64000, help="信息项总数"),
    publish: bool = typer.Option(True, help="直接发布"),
) -> None:
    """生成真实规模的目录（用于基准测试）：默认 5,000 个资源、64,000 个信息项，分布在演示城市各部门。"""
    from tongban.demo import catalog_loader

    session = open_session()
    try:
        result = catalog_loader.load_scale(session, resources=resources, items=items, publish=publish)
    finally:
        session.close()
    typer.echo(f"已生成 {result.resources} 个资源、{result.items} 个信息项，用时 {result.seconds:.1f} 秒。")
