"""Fixtures of the notification tests: a real SMTP server (aiosmtpd) on loopback, a real SMS gateway process,
and settings that switch both channels on."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.processes import ServerProcess, free_port, uvicorn_argv
from tongban.config import Settings, get_settings
from tongban.db import make_session_factory

SMS_KEY = "test-sms-key"


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
    port = free_port()
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


class GatewayProcess(ServerProcess):
    """tests/notifications/sms_gateway_app.py: an SMS provider's HTTP gateway."""

    name = "gateway process"

    def __init__(self) -> None:
        super().__init__(uvicorn_argv("tests.notifications.sms_gateway_app:app"), env={"SMS_TEST_KEY": SMS_KEY})

    def received(self, reference: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = httpx.get(self.url + "/_received", timeout=5, trust_env=False).json()
        return [r for r in rows if (reference is None or r.get("reference") == reference)
                and (path is None or r["path"] == path)]


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
