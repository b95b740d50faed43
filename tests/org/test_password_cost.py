"""The argon2 cost of password hashes: the standard cost everywhere but in tests, and a login at the standard cost
rehashes a password stored at a lower one."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, login
from tongban.config import Settings, get_settings
from tongban.org.auth import hash_password, verify_password
from tongban.org.models import User


@pytest.mark.parametrize("env", ["development", "production"])
def test_the_test_cost_is_refused_outside_tests(env: str) -> None:
    with pytest.raises(ValidationError, match="TONGBAN_ARGON2_COST"):
        Settings(env=env, argon2_cost="test", secret_key="s" * 40, audit_key="a" * 40,
                 keystore_master_key="k" * 40)


def test_the_default_cost_is_rfc_9106(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TONGBAN_ARGON2_COST")
    assert Settings(env="production", secret_key="s" * 40, audit_key="a" * 40,
                    keystore_master_key="k" * 40).argon2_cost == "standard"


def test_a_login_at_the_standard_cost_rehashes_a_cheaper_hash(client: TestClient, city, session: Session,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = extract_parameters(hash_password(PASSWORD))
    assert (cheap.time_cost, cheap.memory_cost) == (1, 8)  # the suite's own cost
    monkeypatch.setenv("TONGBAN_ARGON2_COST", "standard")
    get_settings.cache_clear()
    try:
        login(client, "amr_clerk")
        session.expire_all()
        stored = session.scalar(select(User.password_hash).where(User.username == "amr_clerk"))
        assert stored is not None
        params = extract_parameters(stored)
        assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)
        assert verify_password(stored, PASSWORD)
    finally:
        get_settings.cache_clear()
