"""`tongban licence …` and `tongban keystore …`: offline verification, the daily expiry job, key rotation.

Discovered by tongban.cli; cryptography, pyhanko and the models are imported inside the commands.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tongban.cli_support import open_session

if TYPE_CHECKING:
    from tongban.crypto.ca import Trust

app = typer.Typer()  # merged into the root `tongban` command
licence_app = typer.Typer(help="电子证照", no_args_is_help=True)
keystore_app = typer.Typer(help="印章密钥库", no_args_is_help=True)
app.add_typer(licence_app, name="licence")
app.add_typer(keystore_app, name="keystore")

_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


def load_trust(paths: list[Path]) -> tuple[Trust, Trust]:
    """The SM2 and ECDSA trust sets from PEM files (e.g. the platform's /api/v1/ca/trust.pem)."""
    from tongban.crypto import certs
    from tongban.crypto.ca import Trust

    sm2, ecdsa = Trust([], []), Trust([], [])
    for path in paths:
        for block in _PEM.findall(path.read_bytes()):
            info = certs.load_certificate(block)
            target = sm2 if info.algorithm == "sm2" else ecdsa
            # A self-signed CA certificate is a trust anchor, any other CA certificate an intermediate.
            (target.roots if info.subject == info.issuer else target.intermediates).append(info.der)
    return sm2, ecdsa


@licence_app.command("verify")
def verify_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="电子证照 PDF 文件"),
    ca: list[Path] = typer.Option(..., "--ca", exists=True, dir_okay=False,
                                  help="信任的 CA 证书（PEM，可多次指定；平台 /api/v1/ca/trust.pem 可下载）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """离线核验电子证照：PDF 签名、电子印章签名、证书链和有效期（注销、暂停状态需联网核验）。"""
    from tongban import clock
    from tongban.crypto import certs
    from tongban.licences import verify

    try:
        sm2, ecdsa = load_trust(ca)
    except certs.CertificateError as exc:
        typer.echo(f"CA 证书文件有误：{exc}", err=True)
        raise typer.Exit(2) from None
    if not sm2.roots or not ecdsa.roots:
        typer.echo("CA 证书文件中缺少 SM2 或 ECDSA 根证书，请使用平台提供的完整信任证书文件。", err=True)
        raise typer.Exit(2)
    verdict = verify.verify_offline(file.read_bytes(), ecdsa=ecdsa, sm2=sm2, now=dt.datetime.now(dt.UTC),
                                    today=clock.today())
    if as_json:
        typer.echo(json.dumps(verdict.as_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(f"核验结果：{verdict.label}")
        for label, value in (("证照类型", verdict.type_name), ("证照编号", verdict.number),
                             ("证照标识", verdict.identifier), ("颁发机构", verdict.issuer_name),
                             ("持证主体", verdict.holder), ("持证主体代码", verdict.holder_code),
                             ("有效期", f"{verdict.valid_from} 至 {verdict.valid_to or '长期'}" if verdict.valid_from
                              else ""),
                             ("签章印章", verdict.seal_name), ("签章时间", verdict.signed_at)):
            if value:
                typer.echo(f"  {label}：{value}")
        for reason in verdict.reasons:
            typer.echo(f"  · {reason}")
    raise typer.Exit(0 if verdict.outcome == "valid" else 1)


@licence_app.command("expire")
def expire_command() -> None:
    """把有效期已届满的证照标记为已过期（每日运行）。"""
    from tongban.authz import SYSTEM
    from tongban.licences import issuing

    session = open_session()
    try:
        count = issuing.expire_due(session=session, actor=SYSTEM)
    finally:
        session.close()
    typer.echo(f"已将 {count} 本到期证照标记为已过期。")


@licence_app.command("reindex")
def reindex_command() -> None:
    """按证照库重建证照检索索引（升级后运行一次，或索引与证照不一致时）。"""
    from tongban.licences import indexing
    from tongban.transactions import scope

    session = open_session()
    try:
        with scope(session):
            count = indexing.reindex_all(session)
    finally:
        session.close()
    typer.echo(f"已为 {count} 本证照重建检索索引。")


@keystore_app.command("reseal")
def reseal_command(
    new_master_key: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                       help="新的主密钥（至少 32 个字符）"),
) -> None:
    """用新的主密钥重新加密全部私钥（主密钥轮换）；完成后请把 TONGBAN_KEYSTORE_MASTER_KEY 改为新值。"""
    from tongban.config import get_settings
    from tongban.crypto.keystore import DatabaseKeyStore

    if len(new_master_key) < 32:
        typer.echo("新的主密钥至少需要 32 个字符。", err=True)
        raise typer.Exit(2)
    session = open_session()
    try:
        count = DatabaseKeyStore(get_settings().keystore_master_key).reseal(session, new_master_key)
    finally:
        session.close()
    typer.echo(f"已用新主密钥重新加密 {count} 个私钥。请立即更新 TONGBAN_KEYSTORE_MASTER_KEY 并重启服务。")
