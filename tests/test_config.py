"""Settings refuse the public development secrets outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tongban.config import Settings


def test_production_refuses_default_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TONGBAN_SECRET_KEY", raising=False)
    monkeypatch.delenv("TONGBAN_AUDIT_KEY", raising=False)
    monkeypatch.delenv("TONGBAN_KEYSTORE_MASTER_KEY", raising=False)
    monkeypatch.delenv("TONGBAN_ARGON2_COST", raising=False)  # the suite's cheap hashes: refused in production
    with pytest.raises(ValidationError, match="TONGBAN_SECRET_KEY"):
        Settings(env="production")
    with pytest.raises(ValidationError, match="TONGBAN_AUDIT_KEY"):
        Settings(env="production", secret_key="x" * 40)
    with pytest.raises(ValidationError, match="TONGBAN_KEYSTORE_MASTER_KEY"):
        Settings(env="production", secret_key="s" * 40, audit_key="a" * 40)
    ok = Settings(env="production", secret_key="s" * 40, audit_key="a" * 40, keystore_master_key="k" * 40)
    assert ok.env == "production"


def test_database_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONGBAN_DATABASE_URL", "postgresql+psycopg://u@db/tongban")
    assert Settings().database_url == "postgresql+psycopg://u@db/tongban"
    assert not Settings().is_sqlite
