"""`tongban exchange …` and `tongban log …` (the checkpoints of both log chains, which the exchange seal writes).

Discovered by tongban.cli; heavy imports stay inside the commands.
"""

from __future__ import annotations

from pathlib import Path

import typer

from tongban.cli_support import open_session, report_chain

app = typer.Typer()  # merged into the root `tongban` command
exchange_app = typer.Typer(help="共享交换", no_args_is_help=True)
log_app = typer.Typer(help="日志检查点（审计日志与交换日志）", no_args_is_help=True)
app.add_typer(exchange_app, name="exchange")
app.add_typer(log_app, name="log")


@exchange_app.command("seal")
def exchange_seal() -> None:
    """封存交换日志：把新的调用记录接入哈希链，并写入两条日志链的检查点（建议每分钟由定时任务执行）。"""
    from tongban.audit import anchors
    from tongban.exchange import quotas, sealing

    session = open_session()
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


@exchange_app.command("verify")
def exchange_verify() -> None:
    """校验交换日志哈希链：完整时退出码 0；发现篡改、删除、插入时指出第一条问题记录并退出码 1。"""
    from tongban.exchange import sealing

    session = open_session()
    try:
        result = sealing.verify(session)
    finally:
        session.close()
    report_chain(result, "交换日志")


@log_app.command("checkpoint")
def log_checkpoint() -> None:
    """写入检查点：记录审计链与交换日志链的链头（签名），存入数据库与检查点目录，并在标准输出打印一行供异地保存。"""
    from tongban.audit import anchors

    session = open_session()
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
    session = open_session()
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
