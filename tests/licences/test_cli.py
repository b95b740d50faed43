"""`tongban licence verify FILE`: offline verification with the CA certificates, as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.licences.conftest import LicenceWorld
from tongban.files import get_store
from tongban.licences.models import LicenceVersion


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tongban", "licence", "verify", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_offline_verification(client: TestClient, session: Session, world: LicenceWorld, tmp_path: Path) -> None:
    licence = world.issue(session)
    pdf = get_store().read_blob(session.execute(select(LicenceVersion.pdf_sha256).where(
        LicenceVersion.licence_id == licence.id)).scalar_one())
    genuine = tmp_path / "licence.pdf"
    genuine.write_bytes(pdf)
    trust = tmp_path / "trust.pem"
    trust.write_text(client.get("/api/v1/ca/trust.pem").text)

    result = _run(str(genuine), "--ca", str(trust), "--json")
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["outcome"] == "valid" and verdict["offline"] and verdict["identifier"] == licence.identifier

    altered = tmp_path / "altered.pdf"
    data = bytearray(pdf)
    data[len(data) // 2] ^= 0x01
    altered.write_bytes(bytes(data))
    result = _run(str(altered), "--ca", str(trust))
    assert result.returncode == 1 and "已被篡改" in result.stdout

    # A trust file whose SM2 root is another CA's: the PDF signature is fine, the seal is not trusted.
    import datetime as dt

    from tongban.crypto import certs, sm

    private, public = sm.sm2_generate()
    now = dt.datetime.now(dt.UTC)
    foreign = certs.issue_certificate(
        algorithm="sm2", subject=certs.make_name("别的根 CA"), subject_public_key_info=certs.sm2_public_key_info(public),
        issuer=None, sign=lambda tbs: sm.sm2_sign(private, public, tbs), serial=7, not_before=now,
        not_after=now + dt.timedelta(days=30), is_ca=True, key_usage={"key_cert_sign"})
    blocks = [b + "-----END CERTIFICATE-----\n" for b in trust.read_text().split("-----END CERTIFICATE-----")
              if "BEGIN" in b]
    ecdsa = [b for b in blocks if certs.load_certificate(b.encode()).algorithm == "ecdsa-p256"]
    mixed = tmp_path / "foreign.pem"
    mixed.write_text(certs.to_pem(foreign) + "".join(ecdsa))
    result = _run(str(genuine), "--ca", str(mixed), "--json")
    assert result.returncode == 1 and json.loads(result.stdout)["outcome"] == "unknown"
