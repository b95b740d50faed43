"""A bundle's merged materials keep what the platform needs to fetch them: the licence type or the shared
resource and items (ref), so that a bundle's draft offers 从电子证照库获取 / 从共享数据获取 like an item's."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cases.conftest import CasesWorld
from tongban.cases import service
from tongban.cases.models import CaseMaterial
from tongban.cases.schemas import CaseCreate
from tongban.items import reads as item_reads


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
