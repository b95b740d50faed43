"""A shared registry resource with records, a consumer system holding a grant, and evidence files."""

from __future__ import annotations

import csv
import datetime as dt
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import actor_of, app_client, department, published_resource, staff
from tongban import clock
from tongban.authz import SYSTEM
from tongban.catalog.schemas import ItemIn
from tongban.db import make_session_factory
from tongban.demo.city import resident_id
from tongban.exchange import service as sharing
from tongban.exchange.schemas import ComplianceDecision, RequestCreate
from tongban.org.auth import new_api_key
from tongban.org.models import ApiKey
from tongban.registries import ingest as registry

ITEMS = [
    ItemIn(name="公民身份号码", key="id_number", data_type="resident_id", length=18, required=True, is_key=True,
           sensitivity="personal_sensitive"),
    ItemIn(name="姓名", key="name", length=50, required=True, sensitivity="sensitive"),
    ItemIn(name="性别", key="gender", length=1, sensitivity="internal"),
    ItemIn(name="户籍地址", key="address", data_type="address", length=200, sensitivity="personal_sensitive"),
    ItemIn(name="联系电话", key="phone", data_type="phone", sensitivity="personal_sensitive"),
]
IDS = [resident_id("610902", dt.date(1985, 3, 1) + dt.timedelta(days=i), 10 + i, i % 2 == 1) for i in range(5)]
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
    resource = published_resource(session, city.users["hrss_data"], name="户籍人口（疑义测试）",
                                  share_type="unconditional", share_condition="", items=ITEMS)
    path = tmp_path / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([i.key for i in ITEMS])
        for n, rid in enumerate(IDS):
            w.writerow([rid, ["王建华", "李秀英", "张伟", "刘洋", "陈静"][n], "男" if n % 2 == 0 else "女",
                        f"陕西省安康市汉滨区老城街道兴安路{n + 1}号", "13912345678"])
    registry.ingest(factory=make_session_factory(engine), actor=SYSTEM, resource_code=resource.code, path=path)
    client = app_client(session, city.amr, code="amr-register")
    secret, prefix, digest = new_api_key()
    session.add(ApiKey(client_id=client.id, key_prefix=prefix, key_hash=digest, label="test"))
    session.commit()
    req = sharing.submit_request(session=session, actor=actor_of(city.users["amr_data"]), request_in=RequestCreate(
        resource_id=resource.id, client_id=client.id, items=GRANTED,
        purpose="企业开办登记核验法定代表人身份", legal_basis="《市场主体登记管理条例》", scenario="企业开办",
        period_start=clock.today(), period_end=clock.today() + dt.timedelta(days=30)))
    sharing.compliance_check(session=session, actor=actor_of(city.users["admin"]), request_id=req.id,
                             decision=ComplianceDecision(decision="pass"))
    grant = sharing.grant_for(session, req.id)
    assert grant is not None
    # Tests move the clock to chosen dates; the grant covers them all.
    grant.valid_from, grant.valid_until = dt.date(2025, 1, 1), dt.date(2028, 12, 31)
    # A third department that uses no shared data of hrss.
    edu = department(session, "安康市教育局", code="city-edu")
    edu_data = staff(session, "edu_data", edu, "data_officer", name="教育局数据员")
    session.commit()
    return {"resource": resource, "client": client, "secret": secret, "grant": grant, "edu": edu, "edu_data": edu_data}
