"""Materials know where they come from: what each applicant must upload, and why."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import actor_of
from tests.items.conftest import ItemsWorld, impl_in, publish
from tests.licences.conftest import LicenceWorld
from tongban.items import reads, service
from tongban.licences.models import LicenceType
from tongban.org.models import User
from tongban.seals import service as seals


def _licence_world(session: Session, world: ItemsWorld, holder_code: str) -> LicenceWorld:
    city = world.city
    seal = seals.create_seal(session=session, actor=actor_of(city.users["admin"]),
                             seal_in=seals.SealCreate(department_id=city.amr.id, kind="approval"))
    licence_type = session.execute(select(LicenceType).where(LicenceType.name == "营业执照")).scalar_one()  # items_world
    return LicenceWorld(city, seal, licence_type, holder_code)


def _enterprise(session: Session, uscc: str, name: str) -> User:
    from tests.factories import _PASSWORD_HASH

    user = User(username=uscc, display_name=name, kind="enterprise", credit_code=uscc, legal_representative="王建国",
                password_hash=_PASSWORD_HASH)
    session.add(user)
    session.commit()
    return user


def test_materials_of_every_source_for_each_applicant(session: Session, items_world: ItemsWorld) -> None:
    from tests.factories import make_uscc

    impl = service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                         implementation_in=impl_in())
    publish(session, items_world, impl)
    holder, other = make_uscc("610902", "91"), make_uscc("610902", "91")
    lw = _licence_world(session, items_world, holder)
    lw.issue(session)
    with_licence = actor_of(_enterprise(session, holder, "安康汉水云科技有限公司"))
    without = actor_of(_enterprise(session, other, "安康另一家有限公司"))

    def answers(actor):  # type: ignore[no-untyped-def]
        return {a.name: (a.must_upload, a.reason) for a in reads.materials_for(session, impl, actor)}

    holder_answers = answers(with_licence)
    assert holder_answers == {
        "食品经营许可申请书": (True, "需上传"),
        "营业执照": (False, "您已有有效的电子证照‘营业执照’，无需提交"),
        "法定代表人身份信息": (False, "可由平台调取共享数据，经您确认后使用"),
        "从业人员健康证明": (False, "由同一件事中的‘从业人员健康检查’办理结果提供"),
        "身份证件复印件": (False, "免提交：国办发〔2018〕47号：能通过电子证照、数据共享核验的不再要求提供"),
    }
    assert answers(without)["营业执照"] == (True, "需上传（未查到您名下有效的电子证照‘营业执照’）")
    anonymous = answers(None)
    assert anonymous["营业执照"][0] is None and "持有有效电子证照‘营业执照’的无需提交" in anonymous["营业执照"][1]
    # Staff are not the applicant: the general answer too.
    assert answers(items_world.actor("amr_clerk"))["营业执照"][0] is None
    # The same over the published version, as the API reads it.
    read = reads.materials_of(session, with_licence, impl.id)
    assert read.applicant == "本人" and [m.must_upload for m in read.materials] == [True, False, False, False, False]
    # A revoked licence no longer counts.
    from sqlalchemy import select

    from tongban.licences import issuing
    from tongban.licences.models import Licence

    licence = session.execute(select(Licence).where(Licence.holder_code == holder)).scalar_one()
    issuing.change_status(session=session, actor=actor_of(items_world.city.users["amr_reviewer"]),
                          licence_id=licence.id, action="revoke", reason="依法撤销登记")
    assert answers(with_licence)["营业执照"][0] is True
