"""The catalog pages' read models, called directly: what each actor sees and may do, without HTML."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.factories import actor_of, published_resource, resource_in
from tongban.authz import ANONYMOUS
from tongban.catalog import queries
from tongban.catalog import service as catalog
from tongban.errors import Forbidden, NotFound


def _draft(session: Session, city):  # type: ignore[no-untyped-def]
    return catalog.create_resource(session=session, actor=actor_of(city.users["hrss_data"]),
                                   resource_in=resource_in(classification_code="3", name="社会保险参保登记信息"))


def test_detail_flags_follow_the_actor(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    resource = published_resource(session, city.users["hrss_data"])
    own = queries.resource_detail(session, actor_of(city.users["hrss_data"]), resource.id)
    other = queries.resource_detail(session, actor_of(city.users["amr_data"]), resource.id)
    clerk = queries.resource_detail(session, actor_of(city.users["amr_clerk"]), resource.id)
    admin = queries.resource_detail(session, actor_of(city.users["admin"]), resource.id)
    # The provider edits but does not apply for its own data; another department applies but does not edit.
    assert (own.editable, own.can_request) == (True, False)
    assert (other.editable, other.can_request) == (False, True)
    assert (clerk.editable, clerk.can_request) == (False, False)  # a window clerk does no data work
    assert (admin.editable, admin.can_request) == (True, False)  # a platform role never applies for a department
    assert own.r.code == resource.code and [v.version for v in own.versions] == [1]
    assert own.class_path.startswith("基础信息资源")


def test_a_draft_is_seen_only_by_its_department(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    draft = _draft(session, city)
    assert queries.resource_detail(session, actor_of(city.users["hrss_data"]), draft.id).editable
    # Another department's editor, and the own department's clerk (drafts are the editors' work), see nothing.
    for user in ("amr_data", "hrss_clerk"):
        with pytest.raises(NotFound):
            queries.resource_detail(session, actor_of(city.users[user]), draft.id)
    with pytest.raises(NotFound):
        queries.resource_detail(session, ANONYMOUS, draft.id)


def test_home_lists_what_the_actor_may_see(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    published_resource(session, city.users["hrss_data"])  # conditional, not open to the public
    _draft(session, city)
    filters = queries.CatalogFilters()
    owner = queries.catalog_home(session, actor_of(city.users["hrss_data"]), filters, page=1, size=20)
    other = queries.catalog_home(session, actor_of(city.users["amr_data"]), filters, page=1, size=20)
    public = queries.catalog_home(session, ANONYMOUS, filters, page=1, size=20)
    assert owner.result.total == 2 and (owner.is_staff, owner.is_editor) == (True, True)
    assert other.result.total == 1 and [r.status for r in other.result.items] == ["published"]
    assert public.result.total == 0 and (public.is_staff, public.is_editor) == (False, False)
    clerk = queries.catalog_home(session, actor_of(city.users["amr_clerk"]), filters, page=1, size=20)
    assert (clerk.is_staff, clerk.is_editor) == (True, False)
    assert [g["label"] for g in owner.class_facets] == ["基础信息资源", "部门信息资源"]


def test_editor_offers_departments_only_to_admins(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    officer = queries.resource_editor(session, actor_of(city.users["hrss_data"]))
    admin = queries.resource_editor(session, actor_of(city.users["admin"]))
    assert officer.departments == [] and len(admin.departments) >= 3
    assert officer.form["provider_id"] == city.hrss.id and officer.resource is None
    # An officer's 部门信息资源 choices are their own department's 项 only.
    own_codes = [code for _, options in officer.class_groups for code, _ in options if code.startswith("3")]
    assert own_codes == ["3"]
    with pytest.raises(Forbidden):
        queries.resource_editor(session, actor_of(city.users["amr_clerk"]))


def test_editor_of_a_resource_is_the_providers(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    resource = published_resource(session, city.users["hrss_data"])
    editor = queries.resource_editor(session, actor_of(city.users["hrss_data"]), resource.id)
    assert editor.resource is resource and editor.form["name"] == resource.name and len(editor.rows) == 5
    assert editor.error is None
    with pytest.raises(Forbidden):
        queries.resource_editor(session, actor_of(city.users["amr_data"]), resource.id)
    catalog.retire_resource(session=session, actor=actor_of(city.users["hrss_data"]), resource_id=resource.id,
                            reason="系统停用，数据改由省平台提供")
    retired = queries.resource_editor(session, actor_of(city.users["hrss_data"]), resource.id)
    assert retired.error == "已下架的资源不能修改。"


def test_classifications_and_stats(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    published_resource(session, city.users["hrss_data"])
    _draft(session, city)  # creates the department's 项 under 部门信息资源
    officer = queries.classifications(session, actor_of(city.users["hrss_data"]))
    clerk = queries.classifications(session, actor_of(city.users["hrss_clerk"]))
    admin = queries.classifications(session, actor_of(city.users["admin"]))
    assert officer.can_add and not clerk.can_add and admin.can_add
    assert officer.parents and all(code.startswith("3") for code, _ in officer.parents)
    assert clerk.parents == [] and len(admin.parents) > len(officer.parents)
    with pytest.raises(Forbidden):
        queries.classifications(session, ANONYMOUS)
    staff = queries.catalog_stats(session, actor_of(city.users["amr_clerk"]), "items")
    public = queries.catalog_stats(session, ANONYMOUS, "nonsense")
    assert staff.stats.resources == 1 and staff.sort == "items" and staff.is_staff
    assert public.stats.resources == 0 and public.sort == "resources" and not public.is_staff


def test_version_page_and_import_page(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    resource = published_resource(session, city.users["hrss_data"])
    page = queries.resource_version(session, actor_of(city.users["amr_data"]), resource.id, 1)
    assert page.v.version == 1 and page.r.name == resource.name
    with pytest.raises(NotFound):
        queries.resource_version(session, actor_of(city.users["amr_data"]), resource.id, 2)
    assert queries.catalog_import(actor_of(city.users["hrss_data"])).department_id == city.hrss.id
    with pytest.raises(Forbidden):
        queries.catalog_import(actor_of(city.users["hrss_clerk"]))
