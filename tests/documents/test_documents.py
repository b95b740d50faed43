"""Official documents (文书): each kind is numbered, rendered, sealed, stored and verifies like an e-licence."""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.documents.conftest import DocumentWorld
from tests.factories import actor_of, csrf_from, login
from tongban import clock
from tongban.crypto import ca
from tongban.db import make_session_factory
from tongban.documents import kinds, render
from tongban.documents import service as documents
from tongban.documents.models import Document
from tongban.errors import Forbidden, ValidationFailed
from tongban.files import get_store
from tongban.licences import verify
from tongban.seals import service as seals

KINDS = ("acceptance", "rejection", "supplement", "approval", "refusal")
NUMBER = re.compile(r"^安市监(受|不受|补|许|不许)字〔(\d{4})〕第(\d{5})号$")


def _pdf(doc: Document) -> bytes:
    return get_store().read_blob(doc.pdf_sha256)


def _check(session: Session, pdf: bytes) -> verify.Verdict:
    return verify.verify_online(session, pdf, ecdsa=ca.trust(session, "ecdsa-p256"), sm2=ca.trust(session, "sm2"),
                                now=dt.datetime.now(dt.UTC), today=clock.today())


def _outcome(html: str) -> str:
    m = re.search(r'data-outcome="([a-z_]+)"', html)
    assert m, "no verdict on the page"
    return m.group(1)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_numbered_sealed_and_verifies(session: Session, world: DocumentWorld, kind: str) -> None:
    doc = world.issue(session, kind)
    m = NUMBER.match(doc.number)
    assert m and m.group(1) == kinds.KINDS[kind].word and int(m.group(2)) == clock.today().year, doc.number
    assert m.group(3) == "00001" and doc.sequence == 1 and doc.status == "issued"
    assert doc.recipient_code.count("*") >= 8  # the citizen's ID is stored masked
    verdict = _check(session, _pdf(doc))
    assert verdict.outcome == "valid", verdict.reasons
    assert verdict.checks == {"pdf_signature": True, "pdf_certificate": True, "seal_signature": True,
                              "seal_certificate": True, "registered": True}
    assert verdict.kind == "document" and verdict.type_name == kinds.KINDS[kind].title
    assert verdict.number == doc.number and verdict.issuer_name == "安康市市场监督管理局"
    assert verdict.holder == "李*"  # a person's name is masked for the public
    signed = orjson.loads(doc.canonical)
    assert signed["fields"]["item_name"] == "食品经营许可" and signed["seal"] == world.seal.es_id


def test_refusals_tell_the_remedies_and_the_text_is_deterministic(world: DocumentWorld) -> None:
    for kind in KINDS:
        spec = kinds.KINDS[kind]
        clean = kinds.check_fields(spec, {"item_name": "食品经营许可", "case_number": "BJ1", "applied_on": "2026-12-01",
                                          **_fields(kind)})
        body = kinds.body_paragraphs(spec, clean, "安康市人民政府")
        remedies = [p for p in body if "行政复议" in p]
        if kind in ("rejection", "refusal"):
            assert remedies == ["如不服本决定，可以自收到本决定书之日起六十日内向安康市人民政府申请行政复议，"
                                "也可以自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"]
        else:
            assert not remedies
        assert body[0].startswith("你（单位）于2026年12月1日提出的食品经营许可申请（申请编号：BJ1）")
        document = render.OfficialDocument(authority="安康市市场监督管理局", number="安市监受字〔2026〕第00001号",
                                           title=spec.title, addressee="李四", paragraphs=body,
                                           issue_date=dt.date(2026, 12, 3),
                                           seal=seals.design_of(world.seal), note=documents.VERIFY_NOTE)
        first = render.render_pdf(document)
        assert first.startswith(b"%PDF") and first == render.render_pdf(document)
    supplement = kinds.body_paragraphs(kinds.KINDS["supplement"], kinds.check_fields(kinds.KINDS["supplement"], {
        "item_name": "x", "case_number": "y", "applied_on": "2026-12-01", "materials": ["营业执照", "身份证明"]}), "")
    assert "1. 营业执照" in supplement and "2. 身份证明" in supplement


def _fields(kind: str) -> dict[str, object]:
    from tests.documents.conftest import FIELDS

    return FIELDS[kind]


def test_missing_and_unknown_fields_are_named(session: Session, world: DocumentWorld) -> None:
    with pytest.raises(ValidationFailed) as refused:
        world.issue(session, "refusal", reason="", colour="red", applied_on="2026/12/01")
    assert refused.value.code == "document_fields_invalid"
    message = str(refused.value.message)
    assert "请填写“不予许可理由”" in message and "“colour”不是不予行政许可决定书的内容项" in message
    assert "“申请日期”应为 YYYY-MM-DD 格式的日期" in message
    with pytest.raises(ValidationFailed) as wrong_kind:
        world.issue(session, "acceptance") if False else documents.issue(
            session=session, actor=actor_of(world.city.users["amr_clerk"]), kind="notice", owner_type="test-case",
            owner_id=1, department_id=world.city.amr.id, recipient_name="李四",
            recipient_code=str(world.city.users["citizen"].id_number), fields={})
    assert wrong_kind.value.code == "document_kind_invalid"
    assert session.execute(select(Document.id)).first() is None


def test_only_the_departments_own_staff_issue(session: Session, world: DocumentWorld) -> None:
    for user in ("hrss_clerk", "hrss_reviewer", "admin", "amr_data"):
        with pytest.raises(Forbidden) as refused:
            world.issue(session, user=user)
        assert refused.value.code == "document_issue_forbidden", user
    assert session.execute(select(Document.id)).first() is None
    # Clerks (受理) and reviewers (决定) of the department do; numbers restart per kind.
    assert world.issue(session, user="amr_reviewer", kind="approval").sequence == 1
    assert world.issue(session, user="amr_clerk").sequence == 1


def test_numbers_are_sequential_per_department_kind_and_year_under_concurrency(
        engine: Engine, session: Session, world: DocumentWorld) -> None:
    factory = make_session_factory(engine)

    def issue_three(_: int) -> list[str]:
        with factory() as own:
            return [world.issue(own).number for _ in range(3)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        numbers = [n for batch in pool.map(issue_three, range(2)) for n in batch]
    assert len(set(numbers)) == 6
    assert sorted(NUMBER.match(n).group(3) for n in numbers) == [f"{n:05d}" for n in range(1, 7)]  # type: ignore[union-attr]
    assert world.issue(session, "supplement").number.endswith(f"补字〔{clock.today().year}〕第00001号")
    session.expire_all()
    assert len(session.execute(select(Document.id)).all()) == 7


def test_revoked_document_verifies_as_revoked(session: Session, world: DocumentWorld, client: TestClient) -> None:
    doc = world.issue(session, "approval", user="amr_reviewer")
    pdf = _pdf(doc)
    with pytest.raises(ValidationFailed):
        documents.revoke(session=session, actor=actor_of(world.city.users["amr_reviewer"]), document_id=doc.id,
                         reason=" ")
    with pytest.raises(Forbidden):
        documents.revoke(session=session, actor=actor_of(world.city.users["amr_data"]), document_id=doc.id,
                         reason="错误签发")
    documents.revoke(session=session, actor=actor_of(world.city.users["amr_reviewer"]), document_id=doc.id,
                     reason="申请人隐瞒有关情况，撤销许可")
    verdict = _check(session, pdf)
    assert verdict.outcome == "revoked" and verdict.label == "已注销"
    assert verdict.reasons == ["发文机关已撤销该文书：申请人隐瞒有关情况，撤销许可"]
    answer = client.post("/api/v1/verify", files={"file": ("doc.pdf", pdf, "application/pdf")}).json()
    assert answer["outcome"] == "revoked" and answer["kind"] == "document" and answer["number"] == doc.number


def test_verification_over_http_api_and_page(session: Session, world: DocumentWorld, app) -> None:  # type: ignore[no-untyped-def]
    doc = world.issue(session, "rejection")
    pdf = _pdf(doc)
    anonymous = TestClient(app, base_url="http://testserver")
    answer = anonymous.post("/api/v1/verify", files={"file": ("doc.pdf", pdf, "application/pdf")})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["outcome"], body["kind"], body["type_name"], body["number"], body["issuer_name"]) == (
        "valid", "document", "不予受理决定书", doc.number, "安康市市场监督管理局")
    assert body["holder"] == "李*" and "*" in body["holder_code"]
    altered = bytearray(pdf)
    altered[len(altered) // 2] ^= 0x01
    tampered = anonymous.post("/api/v1/verify", files={"file": ("doc.pdf", bytes(altered), "application/pdf")})
    assert tampered.json()["outcome"] == "altered"

    page = anonymous.get("/verify")
    token = csrf_from(page.text)
    r = anonymous.post("/verify", data={"csrf_token": token}, files={"file": ("doc.pdf", pdf, "application/pdf")})
    assert r.status_code == 200 and _outcome(r.text) == "valid"
    assert 'data-kind="document"' in r.text and "不予受理决定书" in r.text and doc.number in r.text
    assert "发文机关" in r.text and "持证主体" not in r.text
    r = anonymous.post("/verify", data={"csrf_token": token},
                       files={"file": ("doc.pdf", bytes(altered), "application/pdf")})
    assert _outcome(r.text) == "altered"


def test_tampered_document_data_fails_even_when_re_signed_elsewhere(session: Session, world: DocumentWorld) -> None:
    """Bytes changed anywhere fail the PDF signature; a register whose data differs says so too."""
    doc = world.issue(session, "supplement")
    pdf = _pdf(doc)
    for position in (len(pdf) // 3, len(pdf) - 300):
        altered = bytearray(pdf)
        altered[position] ^= 0x01
        assert _check(session, bytes(altered)).outcome == "altered", position
    # The register no longer holds what was signed (e.g. a row changed in the database): not valid.
    doc.canonical = doc.canonical.replace("营业执照".encode(), "身份证明".encode())
    session.flush()
    verdict = _check(session, pdf)
    assert verdict.outcome == "altered" and verdict.checks["registered"] is False


def test_download_for_recipient_and_department_staff_only(session: Session, world: DocumentWorld, app) -> None:  # type: ignore[no-untyped-def]
    doc = world.issue(session, "acceptance")
    session.commit()
    pdf = _pdf(doc)
    with TestClient(app, base_url="http://testserver") as staff:
        login(staff, "amr_reviewer")
        r = staff.get(f"/api/v1/documents/{doc.id}/pdf?inline=true")
        assert r.status_code == 200 and r.content == pdf
        assert r.headers["content-type"] == "application/pdf"
        assert r.headers["content-disposition"].startswith("inline;")
        assert r.headers["x-content-type-options"] == "nosniff"
        info = staff.get(f"/api/v1/documents/{doc.id}").json()
        assert info["title"] == "受理通知书" and info["number"] == doc.number and info["status_label"] == "有效"
    with TestClient(app, base_url="http://testserver") as citizen:
        login(citizen, str(world.city.users["citizen"].username))
        r = citizen.get(f"/api/v1/documents/{doc.id}/pdf")
        assert r.status_code == 200 and r.content == pdf
        assert r.headers["content-disposition"].startswith("attachment;")
    with TestClient(app, base_url="http://testserver") as other:
        login(other, "hrss_reviewer")
        hidden = other.get(f"/api/v1/documents/{doc.id}/pdf")
        missing = other.get("/api/v1/documents/999999/pdf")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()
    session.expire_all()
    from tongban.audit.models import AuditEntry

    actions = session.execute(select(AuditEntry.action).where(AuditEntry.object_type == "document")).scalars().all()
    assert actions.count("document.download") == 2 and "document.issue" in actions
