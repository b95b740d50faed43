"""Tables of the registries domain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base, utcnow

_BIG = BigInteger().with_variant(Integer, "sqlite")
_JSON = JSON().with_variant(JSONB(), "postgresql")


class RegistryLoad(Base):
    """One ingest of a file into a resource: staged, validated, then merged in one transaction."""

    __tablename__ = "registry_loads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))  # upsert / replace
    status: Mapped[str] = mapped_column(String(16))  # loading / published / failed
    source_name: Mapped[str] = mapped_column(String(255))
    rows_read: Mapped[int] = mapped_column(_BIG, default=0)
    rows_rejected: Mapped[int] = mapped_column(_BIG, default=0)
    rows_changed: Mapped[int] = mapped_column(_BIG, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RegistryStaging(Base):
    """Validated rows of a load in progress; the published records are untouched until the merge."""

    __tablename__ = "registry_staging"
    __table_args__ = (Index("ix_registry_staging_load_key", "load_id", "record_key"),)

    # No foreign key: checked once per staged row it slowed bulk loads; the code that ends a load
    # deletes its staging rows (0010).
    load_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    row_no: Mapped[int] = mapped_column(_BIG, primary_key=True)
    record_key: Mapped[str] = mapped_column(String(255))
    checksum: Mapped[str] = mapped_column(String(32))
    data: Mapped[Any] = mapped_column(_JSON)


class RegistryRecord(Base):
    """The current state of one record; `seq` is the resource's change sequence at its last change."""

    __tablename__ = "registry_records"
    __table_args__ = (Index("ix_registry_records_resource_seq", "resource_id", "seq"),)

    # No foreign key: checked once per row it cost a fifth of a bulk merge; the head row has it (0009).
    resource_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    checksum: Mapped[str] = mapped_column(String(32))
    data: Mapped[Any] = mapped_column(_JSON)
    seq: Mapped[int] = mapped_column(_BIG)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    load_id: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RegistryHead(Base):
    """Per resource: the last change sequence number, the published load, and the record count."""

    __tablename__ = "registry_heads"

    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(_BIG, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)  # number of published loads
    published_load_id: Mapped[int | None] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(_BIG, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
