"""Login lockout (issue 11.7): answers that do not tell which names exist, and a lockout that a stranger
cannot turn against an account's owner, while an address guessing many accounts is held back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, csrf_from
from tongban.errors import DomainError
from tongban.org import auth
from tongban.org.models import LoginAttempt


@pytest.fixture
def addressed(settings):  # type: ignore[no-untyped-def]
    """Requests carry their client address in X-Forwarded-For (as behind the production proxy)."""
    settings.trust_forwarded_for = True
    return settings


def _post_login(client: TestClient, username: str, password: str, ip: str = "203.0.113.10"):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_from(page.text)},
                       headers={"X-Forwarded-For": ip}, follow_redirects=False)


def _answer(session: Session, username: str, password: str, ip: str) -> tuple[int, str, str]:
    """(status, code, message without the clock time) of one login through the service."""
    try:
        auth.login(session, username=username, password=password, client_ip=ip)
    except DomainError as exc:
        return exc.status_code, exc.code, re.sub(r"\d{2}:\d{2}", "HH:MM", exc.message)
    return 200, "ok", ""


def test_unknown_and_known_names_get_the_same_answers(session: Session, city, settings) -> None:  # type: ignore[no-untyped-def]
    known = [_answer(session, "hrss_clerk", "bad-password-9", "198.51.100.1") for _ in range(7)]
    unknown = [_answer(session, "no_such_user", "bad-password-9", "198.51.100.1") for _ in range(7)]
    assert known == unknown
    assert [a[0] for a in known] == [401, 401, 401, 401, 423, 423, 423]  # unknown names lock too
    # Spread over many addresses, past the per-name limit: strangers are refused for both alike.
    settings.login_account_max_failures = 11  # 5 counted above (locked tries are not), 6 below
    for n in range(2, 4):
        for _ in range(3):
            _answer(session, "hrss_clerk", "bad", f"198.51.100.{n}")
            _answer(session, "no_such_user", "bad", f"198.51.100.{n}")
    assert _answer(session, "hrss_clerk", PASSWORD, "198.51.100.99")[:2] == (423, "account_locked")
    assert _answer(session, "no_such_user", PASSWORD, "198.51.100.99")[:2] == (423, "account_locked")


def test_failures_from_elsewhere_do_not_lock_the_owner(client: TestClient, city, addressed) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        assert _post_login(client, "hrss_clerk", "bad-password-9", ip="203.0.113.66").status_code == 401
    r = _post_login(client, "hrss_clerk", "bad-password-9", ip="203.0.113.66")
    assert r.status_code == 423 and "锁定" in r.text and int(r.headers["Retry-After"]) > 0
    # The attacker's address is refused even with the right password …
    assert _post_login(client, "hrss_clerk", PASSWORD, ip="203.0.113.66").status_code == 423
    # … while the owner, elsewhere, logs in.
    assert _post_login(client, "hrss_clerk", PASSWORD, ip="198.51.100.20").status_code == 303


def test_address_trying_many_accounts_is_throttled_with_retry_after(client: TestClient, city, addressed) -> None:  # type: ignore[no-untyped-def]
    addressed.login_ip_max_failures = 4
    for name in ("amr_clerk", "hrss_clerk", "ghost1", "ghost2"):
        assert _post_login(client, name, "bad-password-9").status_code == 401
    r = _post_login(client, "amr_admin", PASSWORD)
    assert r.status_code == 429 and "登录失败次数过多" in r.text
    assert 0 < int(r.headers["Retry-After"]) <= addressed.login_failure_window_minutes * 60
    assert _post_login(client, "amr_admin", PASSWORD, ip="198.51.100.21").status_code == 303  # other addresses


def test_each_round_of_failures_waits_twice_as_long(client: TestClient, city, addressed, session: Session) -> None:  # type: ignore[no-untyped-def]
    ip = "203.0.113.77"
    for _ in range(5):
        r = _post_login(client, "amr_clerk", "bad-password-9", ip=ip)
    assert r.status_code == 423
    first_wait = int(r.headers["Retry-After"])
    assert first_wait <= addressed.login_lockout_minutes * 60
    # The wait is over (the failures are moved back in time instead of waiting for them).
    for attempt in session.execute(select(LoginAttempt)).scalars():
        attempt.at -= dt.timedelta(minutes=16)
    session.commit()
    assert _post_login(client, "amr_clerk", "bad-password-9", ip=ip).status_code == 401  # a new round
    for _ in range(4):
        r = _post_login(client, "amr_clerk", "bad-password-9", ip=ip)
    assert r.status_code == 423
    assert addressed.login_lockout_minutes * 60 < int(r.headers["Retry-After"]) <= 2 * addressed.login_lockout_minutes * 60
    assert _post_login(client, "amr_clerk", PASSWORD, ip=ip).status_code == 423


def test_owner_keeps_access_from_a_known_address_during_a_spread_attack(client: TestClient, city, addressed) -> None:  # type: ignore[no-untyped-def]
    addressed.login_account_max_failures = 6
    assert _post_login(client, "amr_reviewer", PASSWORD, ip="198.51.100.30").status_code == 303
    client.cookies.clear()
    statuses = [_post_login(client, "amr_reviewer", "bad-password-9", ip=f"203.0.113.{n // 2 + 1}").status_code
                for n in range(6)]
    assert statuses == [401] * 5 + [423]  # the sixth failure of the name within the window
    assert _post_login(client, "amr_reviewer", PASSWORD, ip="203.0.113.200").status_code == 423
    assert _post_login(client, "amr_reviewer", PASSWORD, ip="198.51.100.30").status_code == 303
