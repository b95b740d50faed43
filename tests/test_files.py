"""The file store (tongban/files): evidence on disk under its SHA-256, not in rows; stored once; read only
through the owning domain's access rule; migration 0015 moves existing blobs out of the database; files no
row names are swept once older than the grace period, never while a kind of file has no referrer."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
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
from tongban.files import store as file_store
from tongban.files import sweep
from tongban.jobs import registry
from tongban.transactions import scope

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


# ---------------------------------------------------------------- the sweep of unreferenced files


class Boom(Exception):
    pass


def _age(path: Path, hours: float) -> None:
    """Make the file look written `hours` ago (no sleeping)."""
    when = path.stat().st_mtime - hours * 3600
    os.utime(path, (when, when))


def _path(settings: Settings, digest: str) -> Path:
    return Path(settings.files_dir) / digest[:2] / digest[2:4] / digest


def _rolled_back_evidence(session: Session, content: bytes) -> str:
    """A use-case stores an evidence file, then fails: the rows roll back, the file stays behind."""
    with pytest.raises(Boom), scope(session):
        _name, _ctype, digest = evidence.store(evidence.Upload("户口簿.png", content))
        raise Boom
    return digest


def test_the_sweep_removes_only_old_files_no_row_names(client: TestClient, session: Session, settings: Settings,
                                                       world: dict[str, Any]) -> None:  # noqa: F811
    referenced = _raise_with(client, world, ("户口簿本人页.png", png_bytes(), "image/png"))["attachments"][0]["sha256"]
    orphan = _rolled_back_evidence(session, png_bytes() + b"\x00orphan")
    fresh = _rolled_back_evidence(session, png_bytes() + b"\x00fresh")
    assert session.execute(sa.select(DisputeAttachment.sha256)).scalars().all() == [referenced]
    grace = settings.files_sweep_grace_hours
    _age(_path(settings, referenced), grace + 48)  # old, but a row names it
    _age(_path(settings, orphan), grace + 1)
    _age(_path(settings, fresh), grace - 1)

    listed = sweep.sweep(session, dry_run=True)
    assert [f.sha256 for f in listed.removed] == [orphan] and _path(settings, orphan).exists()

    report = sweep.sweep(session)
    assert not report.refused
    assert [f.sha256 for f in report.removed] == [orphan]
    assert report.removed_bytes == len(png_bytes() + b"\x00orphan")
    assert (report.kept_referenced, report.kept_young) == (1, 1)
    assert {p.name for p in _stored(settings)} == {referenced, fresh}
    # The referenced evidence is still handed out.
    provider = TestClient(client.app)
    login(provider, "hrss_data")
    d = session.execute(sa.select(DisputeAttachment)).scalar_one()
    assert provider.get(f"{BASE}/{d.dispute_id}/attachments/{d.id}").content == png_bytes()


def test_an_old_orphan_stored_again_is_not_swept(session: Session, settings: Settings,
                                                 world: dict[str, Any]) -> None:  # noqa: F811
    content = png_bytes() + b"\x00again"
    digest = _rolled_back_evidence(session, content)
    _age(_path(settings, digest), settings.files_sweep_grace_hours + 1)
    # A use-case uploads the same bytes: put() finds them stored and restarts their age, so the sweep that
    # runs before its row commits keeps the file.
    assert files.get_store().put(content) == digest
    report = sweep.sweep(session)
    assert report.removed == [] and report.kept_young == 1
    assert files.get_store().read_blob(digest) == content


def test_the_sweep_puts_back_a_file_stored_again_while_it_runs(session: Session, settings: Settings,
                                                               world: dict[str, Any]) -> None:  # noqa: F811
    content = png_bytes() + b"\x00race"
    digest = _rolled_back_evidence(session, content)
    path = _path(settings, digest)
    _age(path, settings.files_sweep_grace_hours + 1)
    cutoff = path.stat().st_mtime + 1  # it was old when listed …
    os.utime(path)  # … and a put() touched it just before the sweep moved it aside
    assert sweep._remove_if_still_old(path, cutoff) is None
    assert files.get_store().read_blob(digest) == content
    assert [p.name for p in path.parent.iterdir()] == [digest]


def test_a_kind_of_file_without_a_referrer_stops_the_sweep(session: Session, settings: Settings,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture,
                                                           world: dict[str, Any]) -> None:  # noqa: F811
    orphan = _rolled_back_evidence(session, png_bytes() + b"\x00orphan")
    _age(_path(settings, orphan), settings.files_sweep_grace_hours + 1)
    sweep.load_registrations()
    monkeypatch.setitem(file_store._READERS, "imaginary_kind", lambda session, actor, ref: None)  # no referrer
    with caplog.at_level(logging.ERROR, logger="tongban.files"):
        report = sweep.sweep(session)
    assert "imaginary_kind" in report.refused and report.removed == []
    assert _path(settings, orphan).exists()
    assert "refused" in caplog.text and "imaginary_kind" in caplog.text


def test_every_kind_of_file_read_has_a_referrer() -> None:
    sweep.load_registrations()
    assert {"dispute_evidence", "licence_pdf"} <= file_store.reader_kinds()
    assert sweep.missing_referrers() == set()


def test_the_daily_job_sweeps_and_logs_what_it_removed(session: Session, settings: Settings,
                                                       caplog: pytest.LogCaptureFixture,
                                                       world: dict[str, Any]) -> None:  # noqa: F811
    registry.discover()
    spec = registry.get("files.sweep")
    assert spec is not None and spec.periodic is not None and spec.periodic.daily_at is not None
    orphan = _rolled_back_evidence(session, png_bytes() + b"\x00orphan")
    _age(_path(settings, orphan), settings.files_sweep_grace_hours + 1)
    with caplog.at_level(logging.INFO, logger="tongban.files"):
        spec.handler(session, {})
    assert not _path(settings, orphan).exists()
    size = len(png_bytes() + b"\x00orphan")
    assert f"1 unreferenced files ({size} bytes) removed" in caplog.text


def test_the_sweep_command_lists_with_dry_run_and_removes_without(session: Session, settings: Settings,
                                                                  world: dict[str, Any]) -> None:  # noqa: F811
    from typer.testing import CliRunner

    from tongban.cli import app

    orphan = _rolled_back_evidence(session, png_bytes() + b"\x00orphan")
    _age(_path(settings, orphan), settings.files_sweep_grace_hours + 1)
    session.close()  # the command opens its own connection (SQLite: no lock held here)
    runner = CliRunner()
    listed = runner.invoke(app, ["files", "sweep", "--dry-run"])
    assert listed.exit_code == 0, listed.output
    assert orphan in listed.output and "将删除 1 个" in listed.output and _path(settings, orphan).exists()
    done = runner.invoke(app, ["files", "sweep"])
    assert done.exit_code == 0, done.output
    assert "已删除 1 个" in done.output and not _path(settings, orphan).exists()
