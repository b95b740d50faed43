"""Delivery channels: e-mail over SMTP (smtplib) and SMS through a gateway interface with one HTTP adapter.

A channel either returns (delivered; for SMS with the gateway's message id) or raises DeliveryFailed, saying
whether the failure is temporary (retried with backoff) or permanent (the message fails at once).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Protocol

import httpx

from tongban.config import Settings


class DeliveryFailed(Exception):
    """A send that did not succeed; `message` is Chinese and goes into the message's last_error."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.message = message
        self.temporary = temporary


# ---------------------------------------------------------------- e-mail


def _from_header(value: str) -> str:
    name, addr = parseaddr(value)
    if not addr:
        raise DeliveryFailed(f"发件地址 TONGBAN_SMTP_FROM 无效：{value}", temporary=False)
    if not name:
        return addr
    user, _, domain = addr.partition("@")
    return str(Address(display_name=name, username=user, domain=domain))


def send_email(cfg: Settings, *, to: str, subject: str, body: str, reference: str) -> str:
    """Send one plain-text mail; returns its Message-ID. 4xx answers and network errors are temporary."""
    msg = EmailMessage()
    msg["From"] = _from_header(cfg.smtp_from)
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="tongban")
    if reference:
        msg["X-Tongban-Reference"] = reference
    msg.set_content(body)  # UTF-8; headers with Chinese are RFC 2047-encoded by the policy
    try:
        smtp: smtplib.SMTP
        if cfg.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=cfg.smtp_timeout_seconds,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.smtp_timeout_seconds)
        with smtp:
            if cfg.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if cfg.smtp_username:
                smtp.login(cfg.smtp_username, cfg.smtp_password)
            smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        code, answer = next(iter(exc.recipients.values()))
        raise DeliveryFailed(f"邮件服务器拒收收件人 {to}：{code} {_text(answer)}",
                             temporary=400 <= code < 500) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryFailed(f"邮件服务器答复 {exc.smtp_code} {_text(exc.smtp_error)}",
                             temporary=400 <= exc.smtp_code < 500) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"无法连接邮件服务器 {cfg.smtp_host}:{cfg.smtp_port}：{exc}", temporary=True) from None
    return str(msg["Message-ID"])


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


# ---------------------------------------------------------------- SMS


@dataclass(frozen=True)
class SmsReceipt:
    provider_reference: str  # the gateway's id of the message


class SmsGateway(Protocol):
    """What the platform needs from an SMS provider: send one text to one phone, or raise DeliveryFailed."""

    def send(self, *, phone: str, text: str, reference: str) -> SmsReceipt: ...


class HttpSmsGateway:
    """POST {"phone", "text", "reference"} as JSON with the API key in a header; 2xx with {"id"} is accepted.

    429, 5xx and network errors are temporary; other 4xx answers (a bad number, a refused text) are permanent.
    """

    def __init__(self, *, url: str, api_key: str, header: str = "X-API-Key", timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url, self.api_key, self.header, self.timeout = url, api_key, header, timeout
        self.transport = transport

    def send(self, *, phone: str, text: str, reference: str) -> SmsReceipt:
        try:
            with httpx.Client(timeout=self.timeout, trust_env=False, transport=self.transport) as http:
                r = http.post(self.url, json={"phone": phone, "text": text, "reference": reference},
                              headers={self.header: self.api_key})
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"短信网关无法连接：{type(exc).__name__} {exc}", temporary=True) from None
        if r.status_code == 429 or r.status_code >= 500:
            raise DeliveryFailed(f"短信网关暂时不可用（HTTP {r.status_code}）：{r.text[:200]}", temporary=True)
        if r.status_code >= 400:
            raise DeliveryFailed(f"短信网关拒绝发送（HTTP {r.status_code}）：{r.text[:200]}", temporary=False)
        try:
            answer = r.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not answer.get("id"):
            # Accepted or not? Unknown: treat as temporary so that a confused gateway is retried, then failed.
            raise DeliveryFailed(f"短信网关的答复无法识别（应含 id）：{r.text[:200]}", temporary=True)
        return SmsReceipt(provider_reference=str(answer["id"])[:128])


def sms_gateway(cfg: Settings) -> SmsGateway | None:
    if not cfg.sms_gateway_url:
        return None
    return HttpSmsGateway(url=cfg.sms_gateway_url, api_key=cfg.sms_api_key, header=cfg.sms_api_key_header,
                          timeout=cfg.sms_timeout_seconds)
