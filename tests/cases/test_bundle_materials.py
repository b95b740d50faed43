"""A bundle (一件事) from the applicant's side: its merged materials keep what the platform needs to fetch them
(the licence type, or the shared resource and items: ref), so that a bundle's draft offers 从电子证照库获取 /
从共享数据获取 like an item's; its page shows every result of its sub-cases."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cases.conftest import LICENCE_DATA, CasesWorld
from tests.factories import PASSWORD, login
from tests.files.test_inspect import pdf
from tongban.cases import handling, service
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.schemas import CaseCreate, Decision
from tongban.items import reads as item_reads
from tongban.licences.models import Licence
from tongban.org.auth import hash_password


def test_a_bundle_drafts_fetchable_materials_keep_their_reference(session: Session, world: CasesWorld) -> None:
    merged = {m.name: m for m in item_reads.bundle(session, "KBQY").materials}
    assert (merged["营业执照"].source, merged["营业执照"].ref) == ("licence", "营业执照")
    draft = service.create_draft(session=session, actor=world.actor("enterprise"),
                                 case_in=CaseCreate(bundle_code="KBQY"))
    session.commit()
    refs = {m.name: (m.source, m.ref) for m in session.scalars(
        select(CaseMaterial).where(CaseMaterial.case_id == draft.id))}
    assert refs["营业执照"] == ("licence", "营业执照")
    assert refs["法定代表人身份信息"] == ("shared", "户籍人口基本信息:name")


def test_a_joint_bundles_page_shows_the_licences_of_its_sub_cases(client: TestClient, session: Session,
                                                                   world: CasesWorld) -> None:
    """The applicant follows one case and receives every result: the bundle's page names the e-licences its
    departments issued (each sub-case holds its own), with the way to 我的证照."""
    actor = world.actor("enterprise")
    draft = service.create_draft(session=session, actor=actor, case_in=CaseCreate.model_validate(
        {"bundle_code": "KBQY", "form_data": {"employees": 3, "licence": LICENCE_DATA}}))
    for m in session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == draft.id,
                                                        CaseMaterial.source == "upload")):
        service.upload_material(session=session, actor=actor, case_id=draft.id, material_id=m.id, content=pdf(1),
                                filename="申请书.pdf")
    parent = service.submit(session=session, actor=actor, case_id=draft.id).case
    handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=parent.id)
    for who, sub in (("amr_reviewer", f"{parent.number}-1"), ("hrss_reviewer", f"{parent.number}-2")):
        sub_case = session.scalar(select(Case).where(Case.number == sub))
        assert sub_case is not None
        handling.decide(session=session, actor=world.actor(who), case_id=sub_case.id,
                        decision=Decision(decision="approve"))
    session.commit()
    issued = session.scalar(select(Licence).join(Case, Case.licence_id == Licence.id).where(
        Case.parent_id == parent.id))
    assert issued is not None and parent.licence_id is None
    world.enterprise.password_hash = hash_password(PASSWORD)
    session.commit()
    login(client, world.enterprise.username)
    page = client.get(f"/my/cases/{parent.id}").text
    assert "准予许可" in page and "电子证照已发放" in page and 'href="/my/licences"' in page
    assert issued.identifier in page
