"""The signing service's key store: private keys are made, kept and used here, never handed out.

`KeyStore` is the interface the rest of the platform signs through; `DatabaseKeyStore` keeps each
private key in the database sealed with SM4-GCM under a key derived from the master key
(TONGBAN_KEYSTORE_MASTER_KEY), so that the database and its backups alone cannot sign. A hardware
security module (HSM, 密码机) implements the same three methods and keeps its keys inside.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Literal, Protocol

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from gmssl_pyx import sm3_hmac
from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.config import get_settings
from tongban.crypto import sm
from tongban.crypto.models import StoredKey
from tongban.errors import Conflict, NotFound
from tongban.transactions import use_case

Algorithm = Literal["sm2", "ecdsa-p256"]


@dataclass(frozen=True)
class KeyHandle:
    """A key in the store: its id, algorithm and public key (sm2: X||Y; ecdsa-p256: SPKI DER)."""

    id: int
    algorithm: str
    public_key: bytes


class KeyStore(Protocol):
    """What a key store does: make a key pair, sign with it, tell its public key."""

    def generate(self, session: Session, *, algorithm: Algorithm, label: str) -> KeyHandle: ...

    def sign(self, session: Session, key_id: int, data: bytes) -> bytes:
        """sm2: SM2 signature with Z (default ID) over `data`; ecdsa-p256: ECDSA-SHA256. DER."""
        ...

    def public_key(self, session: Session, key_id: int) -> KeyHandle: ...


def _derive(master: str, purpose: bytes) -> bytes:
    return sm3_hmac(master.encode("utf-8"), b"tongban keystore " + purpose)


@dataclass
class _Unsealed:
    algorithm: str
    public_key: bytes
    private: bytes | ec.EllipticCurvePrivateKey


class DatabaseKeyStore:
    """Private keys sealed with SM4-GCM in `licence_keys`; unsealed keys are cached in memory only."""

    def __init__(self, master_key: str) -> None:
        self._sm4_key = _derive(master_key, b"sm4 v1")[:16]
        self.master_key_id = _derive(master_key, b"key id v1").hex()[:16]
        # Unsealing is an SM4-GCM decryption and, for ECDSA, a key load: cached per process so that
        # a department issuing hundreds of licences an hour does not pay it for every signature.
        # Keyed by the key's random uid, not its row id: ids repeat across databases (tests, a
        # restored backup), uids do not.
        self._cache: dict[str, _Unsealed] = {}

    @staticmethod
    def _aad(uid: str, algorithm: str) -> bytes:
        # Binding the sealed bytes to the row's uid and algorithm stops a sealed key being copied
        # onto another row (for instance onto a department's seal it does not belong to).
        return f"tongban-key:{uid}:{algorithm}".encode()

    def generate(self, session: Session, *, algorithm: Algorithm, label: str) -> KeyHandle:
        """Make a key pair; only the sealed private key reaches the database."""
        if algorithm == "sm2":
            private_raw, public = sm.sm2_generate()
        elif algorithm == "ecdsa-p256":
            key = ec.generate_private_key(ec.SECP256R1())
            private_raw = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())
            public = key.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
        else:  # pragma: no cover - Literal keeps callers honest
            raise ValueError(algorithm)
        uid = secrets.token_hex(16)
        row = StoredKey(uid=uid, algorithm=algorithm, label=label[:128], public_key=public,
                        sealed_private_key=sm.sm4_gcm_seal(self._sm4_key, private_raw, self._aad(uid, algorithm)),
                        master_key_id=self.master_key_id, created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
        session.add(row)
        session.flush()
        return KeyHandle(row.id, algorithm, public)

    def _unseal(self, session: Session, key_id: int) -> _Unsealed:
        row = session.get(StoredKey, key_id)
        if row is None:
            raise NotFound("签名密钥不存在。", code="key_not_found")
        cached = self._cache.get(row.uid)
        if cached is not None:
            return cached
        if row.master_key_id != self.master_key_id:
            raise Conflict("签名密钥由另一个主密钥保护，请确认 TONGBAN_KEYSTORE_MASTER_KEY 配置正确。",
                           code="keystore_master_key_mismatch")
        try:
            raw = sm.sm4_gcm_open(self._sm4_key, row.sealed_private_key, self._aad(row.uid, row.algorithm))
        except ValueError as exc:
            raise Conflict("签名密钥无法解封：密钥数据被改动或主密钥不正确。", code="key_unseal_failed") from exc
        private: bytes | ec.EllipticCurvePrivateKey
        if row.algorithm == "ecdsa-p256":
            loaded = serialization.load_der_private_key(raw, password=None)
            assert isinstance(loaded, ec.EllipticCurvePrivateKey)
            private = loaded
        else:
            private = raw
        unsealed = _Unsealed(row.algorithm, row.public_key, private)
        self._cache[row.uid] = unsealed
        return unsealed

    def sign(self, session: Session, key_id: int, data: bytes) -> bytes:
        """Sign `data` with the stored key (SM2 with Z and the default ID, or ECDSA with SHA-256)."""
        key = self._unseal(session, key_id)
        if isinstance(key.private, bytes):
            return sm.sm2_sign(key.private, key.public_key, data)
        return key.private.sign(data, ec.ECDSA(hashes.SHA256()))

    def public_key(self, session: Session, key_id: int) -> KeyHandle:
        """The public half of a stored key."""
        row = session.get(StoredKey, key_id)
        if row is None:
            raise NotFound("签名密钥不存在。", code="key_not_found")
        return KeyHandle(row.id, row.algorithm, row.public_key)

    @use_case
    def reseal(self, session: Session, new_master_key: str) -> int:
        """Re-seal every key under a new master key (rotation), all keys or none; returns the number of keys."""
        new = DatabaseKeyStore(new_master_key)
        count = 0
        for row in session.execute(select(StoredKey).order_by(StoredKey.id)).scalars():
            if row.master_key_id == new.master_key_id:
                continue
            if row.master_key_id != self.master_key_id:
                raise Conflict(f"密钥 {row.id} 由未知主密钥保护，无法轮换。", code="keystore_master_key_mismatch")
            raw = sm.sm4_gcm_open(self._sm4_key, row.sealed_private_key, self._aad(row.uid, row.algorithm))
            row.sealed_private_key = sm.sm4_gcm_seal(new._sm4_key, raw, self._aad(row.uid, row.algorithm))
            row.master_key_id = new.master_key_id
            count += 1
        self._cache.clear()
        return count


_stores: dict[str, DatabaseKeyStore] = {}


def get_keystore() -> KeyStore:
    """The process's key store for the configured master key."""
    master = get_settings().keystore_master_key
    store = _stores.get(master)
    if store is None:
        store = _stores[master] = DatabaseKeyStore(master)
    return store
