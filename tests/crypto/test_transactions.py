"""Crypto use-cases compose (issue 12 §1): trusting an external CA and re-sealing the key store commit
with the caller's use-case or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of
from tongban.audit.models import AuditEntry
from tongban.config import get_settings
from tongban.crypto import ca, certs
from tongban.crypto.keystore import DatabaseKeyStore
from tongban.crypto.models import CaCertificate, StoredKey
from tongban.transactions import scope

NEW_MASTER_KEY = "a-new-master-key-for-the-rotation-test-0123456789"


class Boom(RuntimeError):
    """The caller's use-case fails after the crypto use-case succeeded."""


@pytest.fixture
def other(app) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    session = app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def _external_root(session: Session) -> bytes:
    """A CA root certificate made with a key the platform's store generates (a stand-in for a licensed CA)."""
    store = DatabaseKeyStore(get_settings().keystore_master_key)
    key = store.generate(session, algorithm="ecdsa-p256", label="外部 CA（测试）")
    name = certs.make_name("外部测试根 CA", organization="外部测试认证中心")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return certs.issue_certificate(
        algorithm="ecdsa-p256", subject=name, subject_public_key_info=key.public_key, issuer=None,
        sign=lambda tbs: store.sign(session, key.id, tbs), serial=ca.random_serial(), not_before=now,
        not_after=now + dt.timedelta(days=365), is_ca=True, path_length=0, key_usage={"key_cert_sign", "crl_sign"})


def test_trusting_a_ca_inside_a_failing_use_case_leaves_no_trust(session: Session, city: SmallCity,
                                                                 other: Session) -> None:
    admin = actor_of(city.users["admin"])
    with pytest.raises(Boom), scope(session):
        ca.import_external(session=session, actor=admin, data=_external_root(session), role="root")
        raise Boom
    for s in (session, other):
        assert (s.scalar(select(func.count()).select_from(CaCertificate)) or 0) == 0
        assert (s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "ca.import"))
                or 0) == 0
    with scope(session):
        row = ca.import_external(session=session, actor=admin, data=_external_root(session), role="root")
    assert other.get(CaCertificate, row.id) is not None


def test_resealing_inside_a_failing_use_case_keeps_the_old_master_key(session: Session, city: SmallCity,
                                                                      other: Session) -> None:
    store = DatabaseKeyStore(get_settings().keystore_master_key)
    with scope(session):
        store.generate(session, algorithm="sm2", label="测试密钥")
    with pytest.raises(Boom), scope(session):
        assert store.reseal(session, NEW_MASTER_KEY) == 1
        raise Boom
    keys = list(other.execute(select(StoredKey)).scalars())
    assert [k.master_key_id for k in keys] == [store.master_key_id]
    assert store.reseal(session, NEW_MASTER_KEY) == 1  # on its own: one use-case, committed
    other.expire_all()
    assert [k.master_key_id for k in other.execute(select(StoredKey)).scalars()] == \
        [DatabaseKeyStore(NEW_MASTER_KEY).master_key_id]
