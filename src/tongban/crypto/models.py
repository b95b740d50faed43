"""Tables of the platform's cryptography: the database key store and the certificate authorities it trusts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base, utcnow


class StoredKey(Base):
    """A private key of the database key store, sealed with SM4-GCM under the master key.

    The plaintext key exists only in the signing service's memory while it signs; the database
    (and its backups) hold the sealed bytes, bound to `uid` and the algorithm as associated data.
    """

    __tablename__ = "licence_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    algorithm: Mapped[str] = mapped_column(String(16))  # sm2 / ecdsa-p256
    label: Mapped[str] = mapped_column(String(128))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # sm2: X||Y (64 bytes); ecdsa: SPKI DER
    sealed_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    master_key_id: Mapped[str] = mapped_column(String(16))  # which master key sealed it (rotation)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CaCertificate(Base):
    """A certificate of a certificate authority the platform trusts: its own or an external CA's."""

    __tablename__ = "licence_ca_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(16))  # sm2 / ecdsa-p256
    role: Mapped[str] = mapped_column(String(16))  # root / issuing
    source: Mapped[str] = mapped_column(String(16))  # own / external
    subject: Mapped[str] = mapped_column(String(255))
    serial: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    not_before: Mapped[dt.datetime] = mapped_column(DateTime)
    not_after: Mapped[dt.datetime] = mapped_column(DateTime)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[int | None] = mapped_column(ForeignKey("licence_keys.id"))  # own CAs only
    status: Mapped[str] = mapped_column(String(16), default="active")  # active / retired
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
