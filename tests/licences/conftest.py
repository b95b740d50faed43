"""A small city with a seal, a licence type and an issued licence."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of, make_uscc
from tongban.demo.licence_data import LICENCE_TYPES, type_code
from tongban.licences import issuing, licence_types
from tongban.licences.models import Licence, LicenceType
from tongban.seals import service as seals
from tongban.seals.models import Seal


@dataclass
class LicenceWorld:
    city: SmallCity
    seal: Seal
    licence_type: LicenceType
    holder_code: str

    def issue(self, session: Session, **overrides: object) -> Licence:
        data = {"entity_type": "有限责任公司（自然人投资或控股）", "legal_representative": "王建国",
                "registered_capital": "伍佰万元整", "established_on": "2021-03-15",
                "address": "陕西省安康市汉滨区兴安中路 88 号", "business_scope": "软件开发；信息技术咨询服务。"}
        body = {"type_id": self.licence_type.id, "holder_name": "安康汉水云科技有限公司",
                "holder_code": self.holder_code, "data": data, "service_item_code": "11610900MB2925183X4000117001",
                "service_item_name": "有限责任公司设立登记"}
        body.update(overrides)
        return issuing.issue(session=session, actor=actor_of(self.city.users["amr_reviewer"]),
                             licence_in=issuing.LicenceIssue.model_validate(body))


def business_licence_type(session: Session, city: SmallCity) -> LicenceType:
    seed = LICENCE_TYPES[0]
    return licence_types.create_type(session=session, actor=actor_of(city.users["admin"]),
                                     type_in=licence_types.LicenceTypeIn(
                                         code=type_code(seed), name=seed.name,
                                         defining_org_name=seed.defining_org_name,
                                         defining_org_code=type_code(seed)[:18], holder_kind=seed.holder_kind,
                                         items=seed.items, layout=seed.layout, validity_years=seed.validity_years,
                                         issuer_department_ids=[city.amr.id]))


@pytest.fixture
def world(session: Session, city: SmallCity) -> LicenceWorld:
    seal = seals.create_seal(session=session, actor=actor_of(city.users["admin"]),
                             seal_in=seals.SealCreate(department_id=city.amr.id, kind="approval"))
    return LicenceWorld(city, seal, business_licence_type(session, city), make_uscc("610902", "91"))
