"""Issuing a licence and verifying it: genuine, altered, revoked, suspended, expired, superseded."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tests.factories import actor_of, csrf_from
from tests.licences.conftest import LicenceWorld
from tongban import clock
from tongban.crypto import ca
from tongban.files import get_store
from tongban.licences import identifier, issuing, verify
from tongban.licences.models import LicenceVersion
from tongban.seals import service as seals


def _versions(session: Session, licence_id: int) -> list[LicenceVersion]:
    return list(session.execute(select(LicenceVersion).where(LicenceVersion.licence_id == licence_id)
                                .order_by(LicenceVersion.version)).scalars())


def _pdf(version: LicenceVersion) -> bytes:
    return get_store().read_blob(version.pdf_sha256)  # the signed PDF lives in the file store


def _check(session: Session, pdf: bytes) -> verify.Verdict:
    return verify.verify_online(session, pdf, ecdsa=ca.trust(session, "ecdsa-p256"), sm2=ca.trust(session, "sm2"),
                                now=dt.datetime.now(dt.UTC), today=clock.today())


def test_issued_licence_verifies(session: Session, world: LicenceWorld) -> None:
    licence = world.issue(session)
    ident = identifier.parse(licence.identifier)
    assert ident.type_code == world.licence_type.code and ident.issuer_code == world.city.amr.uscc
    assert ident.version == 1
    pdf = _pdf(_versions(session, licence.id)[0])
    verdict = _check(session, pdf)
    assert verdict.outcome == "valid", verdict.reasons
    assert all(verdict.checks.values()), verdict.checks
    assert verdict.identifier == licence.identifier
    assert verdict.issuer_name == "安康市市场监督管理局"
    assert verdict.holder == "安康汉水云科技有限公司"  # an enterprise is not masked


def test_one_changed_byte_is_detected(session: Session, world: LicenceWorld) -> None:
    pdf = bytearray(_pdf(_versions(session, world.issue(session).id)[0]))
    for position in (len(pdf) // 3, len(pdf) // 2, len(pdf) - 200):
        altered = bytearray(pdf)
        altered[position] ^= 0x01
        verdict = _check(session, bytes(altered))
        assert verdict.outcome == "altered", (position, verdict)
        assert verdict.reasons


def test_revoked_and_suspended_licence(session: Session, world: LicenceWorld) -> None:
    licence = world.issue(session)
    pdf = _pdf(_versions(session, licence.id)[0])
    reviewer = actor_of(world.city.users["amr_reviewer"])
    issuing.change_status(session=session, actor=reviewer, licence_id=licence.id, action="suspend", reason="核查中")
    assert _check(session, pdf).outcome == "suspended"
    issuing.change_status(session=session, actor=reviewer, licence_id=licence.id, action="resume", reason="")
    assert _check(session, pdf).outcome == "valid"
    issuing.change_status(session=session, actor=reviewer, licence_id=licence.id, action="revoke", reason="企业注销")
    verdict = _check(session, pdf)
    assert verdict.outcome == "revoked" and "企业注销" in verdict.reasons[0]


def test_revoked_or_suspended_seal_is_reported(session: Session, world: LicenceWorld) -> None:
    pdf = _pdf(_versions(session, world.issue(session).id)[0])
    admin = actor_of(world.city.users["admin"])
    seals.change_status(session=session, actor=admin, seal_id=world.seal.id, action="suspend", reason="印章保管人变更")
    verdict = _check(session, pdf)
    assert verdict.outcome == "suspended" and "印章" in verdict.reasons[0]
    seals.change_status(session=session, actor=admin, seal_id=world.seal.id, action="revoke", reason="密钥泄露")
    verdict = _check(session, pdf)
    assert verdict.outcome == "revoked" and "印章" in verdict.reasons[0]


def test_annotation_supersedes_the_earlier_version(session: Session, world: LicenceWorld) -> None:
    licence = world.issue(session)
    reviewer = actor_of(world.city.users["amr_reviewer"])
    issuing.annotate(session=session, actor=reviewer, licence_id=licence.id, text="住所变更为汉滨区金州路 1 号")
    first, second = _versions(session, licence.id)
    assert identifier.parse(second.identifier).version == 2
    assert _check(session, _pdf(first)).outcome == "superseded"
    assert _check(session, _pdf(second)).outcome == "valid"


def test_expired_licence(session: Session, world: LicenceWorld) -> None:
    licence = world.issue(session, valid_to=clock.today().isoformat())
    pdf = _pdf(_versions(session, licence.id)[0])
    with clock.frozen(clock.today() + dt.timedelta(days=1)):
        assert _check(session, pdf).outcome == "expired"
        assert issuing.expire_due(session=session, actor=actor_of(world.city.users["admin"])) == 1
        assert _check(session, pdf).outcome == "expired"


def test_private_keys_never_unencrypted_in_the_database(session: Session, world: LicenceWorld) -> None:
    from tongban.crypto.keystore import get_keystore

    world.issue(session)
    store = get_keystore()
    rows = session.execute(text("SELECT id, algorithm, sealed_private_key FROM licence_keys")).all()
    assert len(rows) >= 6  # two CAs × two algorithms, and the seal's two keys
    secrets = [store._unseal(session, r[0]).private for r in rows]  # type: ignore[attr-defined]
    raw = []
    for secret in secrets:
        if isinstance(secret, bytes):
            raw.append(secret)
        else:
            raw.append(secret.private_numbers().private_value.to_bytes(32, "big"))
    dump = b"".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
                    for table in ("licence_keys", "seals", "licence_ca_certificates", "licence_versions")
                    for row in session.execute(text(f"SELECT * FROM {table}")).all() for v in row)
    for secret in raw:
        assert secret not in dump


def test_concurrent_issues_get_distinct_serials(engine, session: Session, world: LicenceWorld) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    from tongban.db import make_session_factory
    from tongban.licences.models import Licence

    factory = make_session_factory(engine)

    def issue_three(_: int) -> list[str]:
        with factory() as own:
            return [world.issue(own).serial for _ in range(3)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        serials = [s for batch in pool.map(issue_three, range(2)) for s in batch]
    assert len(set(serials)) == 6
    assert sorted(s[-4:] for s in serials) == [f"{n:04d}" for n in range(1, 7)]  # no gaps
    assert session.execute(select(Licence.id)).scalars().all().__len__() == 6


def _unsigned_pdf() -> bytes:
    """A valid PDF, as any office program writes one: no signature, no licence inside."""
    from io import BytesIO

    from reportlab.pdfgen import canvas

    out = BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Business licence (scan)")
    page.save()
    return out.getvalue()


def test_a_file_that_is_no_licence_of_this_platform_is_said_to_be_none(session: Session, world: LicenceWorld) -> None:
    """Not "altered": nothing in these files claims to be a licence of this platform (issue 11, item 15)."""
    import secrets

    for pdf in (b"%PDF-1.7\n" + secrets.token_bytes(4000), _unsigned_pdf(), b"PK\x03\x04" + secrets.token_bytes(100)):
        verdict = _check(session, pdf)
        assert verdict.outcome == "not_a_licence", (pdf[:10], verdict)
        assert verdict.label == "不是本平台的电子证照" and "不是本平台签发的电子证照" in verdict.reasons[0]
        assert not verdict.identifier
    # A licence of this platform that was changed stays "altered", even where the change breaks the file.
    pdf = _pdf(_versions(session, world.issue(session).id)[0])
    for broken in (pdf[: len(pdf) - 400], pdf.replace(b"/ByteRange", b"/ByteRangX", 1)):
        assert _check(session, broken).outcome == "altered"


def test_not_a_licence_on_the_page_and_in_the_api(client: TestClient) -> None:
    import secrets

    random_pdf = b"%PDF-1.4\n" + secrets.token_bytes(2000)
    for content in (random_pdf, _unsigned_pdf()):
        r = client.post("/api/v1/verify", files={"file": ("licence.pdf", content, "application/pdf")})
        assert r.status_code == 200 and r.json()["outcome"] == "not_a_licence", r.text
        assert r.json()["label"] == "不是本平台的电子证照"
        token = csrf_from(client.get("/verify").text)
        page = client.post("/verify", data={"csrf_token": token},
                           files={"file": ("licence.pdf", content, "application/pdf")})
        assert page.status_code == 200
        assert 'data-outcome="not_a_licence"' in page.text and "不是本平台的电子证照" in page.text
        assert "核验结果：<strong class=\"verdict-label\">已被篡改" not in page.text
