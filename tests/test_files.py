"""The file store (files.py): evidence on disk under its SHA-256, not in rows; stored once; read only through
the owning domain's access rule; migration 0015 moves existing blobs out of the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.disputes.conftest import IDS, pdf_bytes, png_bytes, world  # noqa: F401 - the disputes world fixture
from tests.factories import actor_of, login
from tests.migration_support import foreign_keys_off, insert_row
from tongban import files
from tongban.cli import alembic_config
from tongban.config import REPO_ROOT, Settings
from tongban.db import make_engine
from tongban.disputes import evidence
from tongban.disputes.models import DisputeAttachment
from tongban.errors import NotFound

BASE = "/api/v1/disputes"


def _raise_with(client: TestClient, disputes_world: dict[str, Any], *uploads: tuple[str, bytes, str]) -> dict[str, Any]:
    key = {"Authorization": f"Bearer {disputes_world['secret']}"}
    r = client.post(BASE, json={"resource_id": disputes_world["resource"].id, "record_key": IDS[0], "items": ["address"],
                                "description": "办件核验时申请人出示的户口簿地址与共享数据不一致。"}, headers=key)
    assert r.status_code == 201, r.text
    d: dict[str, Any] = r.json()
    r = client.post(f"{BASE}/{d['id']}/attachments", headers=key, files=[("files", u) for u in uploads])
    assert r.status_code == 201, r.text
    d["attachments"] = r.json()
    return d


def _stored(settings: Settings) -> list[Path]:
    root = Path(settings.files_dir)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_evidence_goes_to_disk_under_its_hash_and_the_row_keeps_only_the_hash(
        client: TestClient, session: Session, settings: Settings, world: dict[str, Any]) -> None:  # noqa: F811
    png = png_bytes()
    d = _raise_with(client, world, ("户口簿本人页.png", png, "image/png"))
    digest = hashlib.sha256(png).hexdigest()
    on_disk = Path(settings.files_dir) / digest[:2] / digest[2:4] / digest
    assert _stored(settings) == [on_disk] and on_disk.read_bytes() == png
    assert not os.access(on_disk, os.W_OK) or os.geteuid() == 0  # written once (read-only; root ignores modes)
    columns = {c["name"] for c in sa.inspect(session.get_bind()).get_columns("data_dispute_attachments")}
    assert "content" not in columns and "sha256" in columns
    row = session.get(DisputeAttachment, d["attachments"][0]["id"])
    assert row is not None and row.sha256 == digest and row.size == len(png)
    # The provider downloads it byte for byte.
    provider = TestClient(client.app)
    login(provider, "hrss_data")
    got = provider.get(f"{BASE}/{d['id']}/attachments/{row.id}")
    assert got.status_code == 200 and got.content == png


def test_identical_content_is_stored_once(client: TestClient, session: Session, settings: Settings,
                                          world: dict[str, Any]) -> None:  # noqa: F811
    pdf = pdf_bytes()
    first = _raise_with(client, world, ("迁移证明.pdf", pdf, "application/pdf"), ("副本.pdf", pdf, "application/pdf"))
    assert [a["sha256"] for a in first["attachments"]] == [hashlib.sha256(pdf).hexdigest()] * 2
    assert len(_stored(settings)) == 1
    assert files.get_store().put(pdf) == hashlib.sha256(pdf).hexdigest() and len(_stored(settings)) == 1


def test_someone_elses_evidence_is_refused_whatever_they_know(client: TestClient, session: Session, city: Any,
                                                               world: dict[str, Any]) -> None:  # noqa: F811
    d = _raise_with(client, world, ("户口簿本人页.png", png_bytes(), "image/png"))
    attachment = d["attachments"][0]
    # Over HTTP, a department with no part in the dispute gets 404, as for a dispute that does not exist.
    outsider = TestClient(client.app)
    login(outsider, "edu_data")
    assert outsider.get(f"{BASE}/{d['id']}/attachments/{attachment['id']}").status_code == 404
    # Through the store's one read path, knowing the hash does not help: the domain's rule decides.
    with pytest.raises(NotFound):
        files.read(session=session, actor=actor_of(world["edu_data"]), kind=evidence.FILE_KIND,
                   ref=(d["id"], attachment["id"]))
    # The provider, whom the rule lets see the dispute, gets the bytes through the same path.
    provider = actor_of(city.users["hrss_data"])
    got = files.read(session=session, actor=provider, kind=evidence.FILE_KIND, ref=(d["id"], attachment["id"]))
    assert got.content == png_bytes() and got.file.filename == "户口簿本人页.png"


def test_a_file_altered_on_disk_is_not_handed_out(client: TestClient, settings: Settings,
                                                  world: dict[str, Any]) -> None:  # noqa: F811
    png = png_bytes()
    d = _raise_with(client, world, ("户口簿本人页.png", png, "image/png"))
    digest = d["attachments"][0]["sha256"]
    path = Path(settings.files_dir) / digest[:2] / digest[2:4] / digest
    path.chmod(0o644)
    path.write_bytes(png + b"tampered")
    provider = TestClient(client.app)
    login(provider, "hrss_data")
    got = provider.get(f"{BASE}/{d['id']}/attachments/{d['attachments'][0]['id']}")
    assert got.status_code == 500 and got.json()["code"] == "file_content_missing"


def test_only_the_store_reads_blobs_without_an_access_rule() -> None:
    """read_blob skips every domain's rule: no module of the application may call it but the store (files/store.py)."""
    offenders = [str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "src" / "tongban").rglob("*.py")
                 if p.relative_to(REPO_ROOT).as_posix() != "src/tongban/files/store.py" and re.search(r"\bread_blob\(", p.read_text(encoding="utf-8"))]
    assert offenders == []


# ---------------------------------------------------------------- migration 0015


def test_migration_0015_moves_blobs_out_and_numbers_continue(fresh_url: str, settings: Settings) -> None:
    evidence_png, licence_pdf = png_bytes(), pdf_bytes()
    cfg = alembic_config(fresh_url)
    command.upgrade(cfg, "0014")
    engine = make_engine(fresh_url)
    with engine.begin() as conn:
        foreign_keys_off(conn)
        insert_row(conn, "data_disputes", id=1, number="JC202612010007")
        insert_row(conn, "data_dispute_attachments", id=1, dispute_id=1, filename="户口簿.png",
                content_type="image/png", size=len(evidence_png), sha256=hashlib.sha256(evidence_png).hexdigest(),
                content=evidence_png)
        insert_row(conn, "licence_versions", id=1, licence_id=1, version=1, identifier="1.2.156.3005.2.x",
                pdf=licence_pdf, pdf_sha256=hashlib.sha256(licence_pdf).hexdigest())
        insert_row(conn, "sharing_requests", id=1, number="GX202612010012")
        insert_row(conn, "licence_counters", issuer_department_id=4, type_id=2, day=dt.date(2026, 12, 1), last=3)
    command.upgrade(cfg, "0015")
    store = files.get_store()
    assert store.read_blob(hashlib.sha256(evidence_png).hexdigest()) == evidence_png
    assert store.read_blob(hashlib.sha256(licence_pdf).hexdigest()) == licence_pdf
    assert len(_stored(settings)) == 2
    inspector = sa.inspect(engine)
    assert "content" not in {c["name"] for c in inspector.get_columns("data_dispute_attachments")}
    assert "pdf" not in {c["name"] for c in inspector.get_columns("licence_versions")}
    assert "licence_counters" not in inspector.get_table_names()
    with engine.connect() as conn:
        counters = {(s, p): n for s, p, n in conn.execute(sa.text("SELECT series, period, last FROM number_counters"))}
    # The next numbers of that day follow the ones already issued.
    assert counters == {("data_dispute", "20261201"): 7, ("sharing_request", "20261201"): 12,
                        ("licence:4:2", "20261201"): 3}
    engine.dispose()
