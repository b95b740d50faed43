"""The licence pages' read models, called directly: what each department and role sees, the flags that
show forms, and the audit of reads of personal data (the read models that show licences to staff)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, actor_of
from tests.licences.conftest import LicenceWorld
from tongban.audit.models import AuditEntry
from tongban.authz import Actor
from tongban.errors import Forbidden, NotFound, ValidationFailed
from tongban.licences import issuing, queries
from tongban.org.auth import hash_password
from tongban.org.models import User


def _actor(world: LicenceWorld, who: str) -> Actor:
    return actor_of(world.city.users[who])


def _reads(session: Session, object_type: str) -> int:
    return session.execute(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "licence.read", AuditEntry.object_type == object_type)).scalar_one()


def test_licences_home_per_department(session: Session, world: LicenceWorld) -> None:
    licence = world.issue(session)
    home = queries.licences_home(session, _actor(world, "amr_reviewer"), status="nonsense")
    assert [r.licence.id for r in home.rows] == [licence.id] and home.total == 1
    row = home.rows[0]
    # An enterprise's name and code are public; the status is today's.
    assert (row.holder_name, row.holder_code, row.status) == (licence.holder_name, licence.holder_code, "valid")
    assert home.status == "" and home.can_issue and [t.id for t in home.types] == [world.licence_type.id]
    assert _reads(session, "licence_list") == 1  # the list shows personal data: audited
    # Another department reads none of it (and nothing is logged for an empty list); a clerk issues nothing.
    other = queries.licences_home(session, _actor(world, "hrss_clerk"))
    assert other.rows == [] and other.total == 0 and not other.can_issue
    assert _reads(session, "licence_list") == 1
    assert queries.licences_home(session, _actor(world, "amr_reviewer"), status="revoked").rows == []
    for who in ("amr_data", "citizen"):
        with pytest.raises(Forbidden):
            queries.licences_home(session, _actor(world, who))


def test_licence_detail_flags_and_audit(session: Session, world: LicenceWorld) -> None:
    licence = world.issue(session)
    detail = queries.licence_detail(session, _actor(world, "amr_reviewer"), licence.id)
    assert detail.licence.id == licence.id and [v.version for v in detail.versions] == [1]
    assert [e.action for e in detail.events] == ["issue"] and detail.status == "valid"
    assert ("法定代表人", "王建国") in detail.items
    assert detail.verify_url.endswith(f"/verify/{licence.identifier}")
    assert detail.can_issue and detail.can_annotate and detail.can_change_status
    assert _reads(session, "licence") == 1
    # A clerk of the issuer reads it but may not act on it.
    clerk = queries.licence_detail(session, _actor(world, "amr_clerk"), licence.id)
    assert not (clerk.can_issue or clerk.can_annotate or clerk.can_change_status)
    # Another department's licence is as if not there; a citizen does not read staff pages.
    with pytest.raises(NotFound):
        queries.licence_detail(session, _actor(world, "hrss_reviewer"), licence.id)
    with pytest.raises(Forbidden):
        queries.licence_detail(session, _actor(world, "citizen"), licence.id)
    issuing.change_status(session=session, actor=_actor(world, "amr_reviewer"), licence_id=licence.id,
                          action="suspend", reason="核查中")
    suspended = queries.licence_detail(session, _actor(world, "amr_reviewer"), licence.id)
    assert suspended.status == "suspended" and not suspended.can_annotate and suspended.can_change_status
    issuing.change_status(session=session, actor=_actor(world, "amr_reviewer"), licence_id=licence.id,
                          action="revoke", reason="依法注销")
    revoked = queries.licence_detail(session, _actor(world, "amr_reviewer"), licence.id)
    assert revoked.can_issue and not (revoked.can_annotate or revoked.can_change_status)


def test_licence_types_and_their_form(session: Session, world: LicenceWorld) -> None:
    admin = queries.licence_types_home(session, _actor(world, "admin"))
    assert admin.can_manage and [t.id for t in admin.types] == [world.licence_type.id]
    assert admin.department_names[world.city.amr.id] == world.city.amr.name
    reviewer = queries.licence_types_home(session, _actor(world, "amr_reviewer"))
    assert not reviewer.can_manage and reviewer.types == admin.types
    with pytest.raises(Forbidden):
        queries.licence_types_home(session, _actor(world, "amr_data"))

    new = queries.licence_type_form(session, _actor(world, "admin"), None)
    assert new.row is None and new.form == queries.NEW_TYPE_FORM
    assert world.city.amr.id in {d.id for d in new.departments}
    edit = queries.licence_type_form(session, _actor(world, "admin"), world.licence_type.id)
    assert edit.row is not None and edit.form["code"] == world.licence_type.code
    assert edit.form["issuers"] == [str(world.city.amr.id)] and "legal_representative|法定代表人" in edit.form["items"]
    with pytest.raises(Forbidden):
        queries.licence_type_form(session, _actor(world, "amr_reviewer"), world.licence_type.id)
    with pytest.raises(NotFound):
        queries.licence_type_form(session, _actor(world, "admin"), world.licence_type.id + 100)


def test_issue_form_offers_the_departments_types(session: Session, world: LicenceWorld) -> None:
    amr = queries.issue_form(session, _actor(world, "amr_reviewer"), None)
    assert [t.id for t in amr.types] == [world.licence_type.id]
    assert amr.chosen is not None and amr.chosen.id == world.licence_type.id  # the only one: chosen
    hrss = queries.issue_form(session, _actor(world, "hrss_reviewer"), world.licence_type.id)
    assert hrss.types == [] and hrss.chosen is None  # not an issuer of the type
    for who in ("amr_clerk", "admin"):  # issuing is the department's own act
        with pytest.raises(Forbidden):
            queries.issue_form(session, _actor(world, who), None)


def test_my_licences_home_is_the_holders(session: Session, world: LicenceWorld) -> None:
    licence = world.issue(session)
    holder = User(username=world.holder_code, display_name="安康汉水云科技有限公司", kind="enterprise",
                  credit_code=world.holder_code, password_hash=hash_password(PASSWORD))
    session.add(holder)
    session.commit()
    mine = queries.my_licences_home(session, actor_of(holder))
    assert [(r.licence.id, r.status) for r in mine.rows] == [(licence.id, "valid")]
    assert mine.rows[0].verify_url.endswith(f"/verify/{licence.identifier}")
    assert queries.my_licences_home(session, _actor(world, "citizen")).rows == []
    assert _reads(session, "licence") == 0  # a holder reading their own licences is not audited
    with pytest.raises(Forbidden):
        queries.my_licences_home(session, _actor(world, "amr_reviewer"))


def test_identifier_verification_is_public(session: Session, world: LicenceWorld) -> None:
    licence = world.issue(session)
    checked = queries.identifier_verification(session, licence.identifier.lower())
    assert checked.identifier == licence.identifier and checked.verdict.outcome == "valid"
    with pytest.raises(ValidationFailed):
        queries.identifier_verification(session, "not-an-identifier")
