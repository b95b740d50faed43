"""Fixtures of the notification tests: a real SMTP server (aiosmtpd) on loopback, a real SMS gateway process,
and settings that switch both channels on."""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tongban.config import Settings, get_settings
from tongban.db import make_session_factory

ROOT = Path(__file__).resolve().parents[2]
SMS_KEY = "test-sms-key"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailServer:
    """aiosmtpd handler: keeps every message it accepts; answers RCPT for `refuse` addresses with their reply."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}
        self.rcpt_calls: list[str] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        self.rcpt_calls.append(address)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="module")
def _smtp() -> Iterator[tuple[MailServer, int]]:
    handler = MailServer()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def smtp(_smtp: tuple[MailServer, int]) -> MailServer:
    handler, _port = _smtp
    handler.messages.clear()
    handler.refuse.clear()
    handler.rcpt_calls.clear()
    return handler


class GatewayProcess:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]), "SMS_TEST_KEY": SMS_KEY}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tests.notifications.sms_gateway_app:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30  # start-up wait only; nothing is asserted about time
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("gateway process exited: " + (self.proc.stderr.read() or b"").decode())  # type: ignore[union-attr]
            try:
                if httpx.get(self.url + "/health", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("gateway process did not answer within 30 s")
            time.sleep(0.1)

    def received(self, reference: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = httpx.get(self.url + "/_received", timeout=5, trust_env=False).json()
        return [r for r in rows if (reference is None or r.get("reference") == reference)
                and (path is None or r["path"] == path)]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stderr is not None:
            self.proc.stderr.close()


@pytest.fixture(scope="module")
def gateway() -> Iterator[GatewayProcess]:
    p = GatewayProcess()
    yield p
    p.stop()


def configure(monkeypatch: pytest.MonkeyPatch, **values: object) -> Settings:
    """Set TONGBAN_<NAME> for each value and reload the settings the services read."""
    for name, value in values.items():
        monkeypatch.setenv(f"TONGBAN_{name.upper()}", str(value))
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def mail_on(database_url: str, _smtp: tuple[MailServer, int], monkeypatch: pytest.MonkeyPatch) -> Settings:
    return configure(monkeypatch, smtp_host="127.0.0.1", smtp_port=_smtp[1], smtp_from="安康市通办平台 <noreply@tongban.test>")


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)
