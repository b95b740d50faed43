"""A shared registry resource with records, a consumer system holding a grant, and evidence files."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import (
    department,
    population_ids,
    population_items,
    population_world,
    staff,
)

ITEMS = population_items()
IDS = population_ids()
GRANTED = ["id_number", "name", "address"]


def png_bytes() -> bytes:
    """A real 1×1 PNG (signature, IHDR, IDAT, IEND with correct CRCs)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def pdf_bytes() -> bytes:
    """A real one-page PDF with a correct cross-reference table."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def world(tmp_path: Path, engine: Engine, session: Session, city) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """户籍人口 of 人社局 (hrss) with five records; 市场监管局 (amr) holds a grant on three items for its system."""
    world = population_world(session, engine, city, tmp_path, name="户籍人口（疑义测试）", granted=GRANTED)
    grant = world["grant"]
    # Tests move the clock to chosen dates; the grant covers them all.
    grant.valid_from, grant.valid_until = dt.date(2025, 1, 1), dt.date(2028, 12, 31)
    # A third department that uses no shared data of hrss.
    edu = department(session, "安康市教育局", code="city-edu")
    edu_data = staff(session, "edu_data", edu, "data_officer", name="教育局数据员")
    session.commit()
    return {**world, "edu": edu, "edu_data": edu_data}
