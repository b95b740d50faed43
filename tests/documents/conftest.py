"""A small city with an approval seal of the market regulator, and a helper that issues its documents."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of
from tongban.documents import hooks, service
from tongban.documents.models import Document
from tongban.seals import service as seals
from tongban.seals.models import Seal

FIELDS: dict[str, dict[str, object]] = {
    "acceptance": {"due_on": "2026-12-31", "contact": "0915-3261234"},
    "rejection": {"reason": "申请事项不属于本机关职权范围，请向县级市场监管部门申请"},
    "supplement": {"materials": ["营业执照副本（加盖公章）", "法定代表人身份证明"]},
    "approval": {"content": "准予食品经营许可，经营项目：预包装食品销售", "result": "食品经营许可证已签发，可在“我的证照”中查看。"},
    "refusal": {"reason": "经营场所与有毒有害场所的距离不符合规定"},
}
# Tests own an owner type of their own: the applicant of "test-case" 1 is the city's citizen.
hooks.register_recipient("test-case", "tests.documents.conftest:is_applicant")


def is_applicant(session: Session, actor: object, owner_id: str) -> bool:
    return owner_id == "1" and getattr(actor, "kind", "") == "citizen"


@dataclass
class DocumentWorld:
    city: SmallCity
    seal: Seal

    def issue(self, session: Session, kind: str = "acceptance", *, user: str = "amr_clerk",
              department_id: int | None = None, **fields: object) -> Document:
        body: dict[str, object] = {"item_name": "食品经营许可", "case_number": "BJ202612030001",
                                   "applied_on": "2026-12-01", **FIELDS[kind], **fields}
        citizen = self.city.users["citizen"]
        assert citizen.id_number is not None
        return service.issue(session=session, actor=actor_of(self.city.users[user]), kind=kind,
                             owner_type="test-case", owner_id=1,
                             department_id=department_id or self.city.amr.id,
                             recipient_name=citizen.display_name, recipient_code=citizen.id_number, fields=body)


@pytest.fixture
def world(session: Session, city: SmallCity) -> DocumentWorld:
    seal = seals.create_seal(session=session, actor=actor_of(city.users["admin"]),
                             seal_in=seals.SealCreate(department_id=city.amr.id, kind="approval"))
    return DocumentWorld(city, seal)
