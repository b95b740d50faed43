"""Ids are not an oracle (issue 11, item 9): an object of another department or person answers exactly
like one that does not exist — same status (404), same body — wherever its existence is itself
information: licences, sharing requests and grants, data disputes, catalog drafts. By API and page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import PG_URL, _admin_sql, _truncate_pg, copy_of_template, drop_template, new_template, settings_for
from tests.factories import (
    SmallCity,
    actor_of,
    department,
    login,
    make_uscc,
    population_ids,
    population_world,
    resource_in,
    small_city,
    staff,
)
from tests.licences.conftest import LicenceWorld, business_licence_type
from tongban import clock
from tongban.catalog import service as catalog
from tongban.config import get_settings
from tongban.db import make_engine, make_session_factory
from tongban.disputes import service as disputes
from tongban.disputes.schemas import DisputeCreate
from tongban.main import create_app
from tongban.org.models import User
from tongban.seals import service as seals
from tongban.sharing import service as sharing
from tongban.sharing.schemas import ComplianceDecision, RequestCreate

MISSING = 987654


def _build_objects(tmp_path: Path, engine: Engine, session: Session, city: SmallCity) -> dict[str, int]:
    """One object of each kind between 市场监管局 (amr) and 人社局 (hrss); 教育局 (edu) is party to none."""
    world = population_world(session, engine, city, tmp_path, name="户籍人口（存在性测试）",
                             granted=["id_number", "name", "address"])
    conditional = catalog.publish_resource(session=session, actor=actor_of(city.users["hrss_data"]),
                                           resource_id=catalog.create_resource(
                                               session=session, actor=actor_of(city.users["hrss_data"]),
                                               resource_in=resource_in(name="社保参保信息")).id)
    request = sharing.submit_request(session=session, actor=actor_of(city.users["amr_data"]), request_in=RequestCreate(
        resource_id=conditional.id, client_id=world["client"].id, items=["id_number", "name"],
        purpose="企业开办登记时核验法定代表人身份", legal_basis="《市场主体登记管理条例》第十五条",
        scenario="企业开办一网通办", period_start=clock.today(), period_end=clock.today() + dt.timedelta(days=30)))
    sharing.compliance_check(session=session, actor=actor_of(city.users["admin"]), request_id=request.id,
                             decision=ComplianceDecision(decision="pass"))
    dispute = disputes.raise_dispute(session=session, actor=actor_of(city.users["amr_data"]), dispute_in=DisputeCreate(
        resource_id=world["resource"].id, record_key=population_ids()[0], items=["address"],
        description="户籍地址与申请人提交的户口簿不一致，请核实更正。"))
    draft = catalog.create_resource(session=session, actor=actor_of(city.users["hrss_data"]),
                                    resource_in=resource_in(name="未发布的草稿资源"))
    seals.create_seal(session=session, actor=actor_of(city.users["admin"]),
                      seal_in=seals.SealCreate(department_id=city.amr.id, kind="approval"))
    lw = LicenceWorld(city, seals.list_seals(session=session, actor=actor_of(city.users["admin"]))[0],
                      business_licence_type(session, city), make_uscc("610902", "91"))
    licence = lw.issue(session)
    edu = department(session, "安康市教育局", code="city-edu")
    for role in ("data_officer", "reviewer", "dept_admin"):
        staff(session, f"edu_{role}", edu, role)
    session.commit()
    return {"request": request.id, "grant": world["grant"].id, "dispute": dispute.id, "draft": draft.id,
            "licence": licence.id, "citizen": city.users["citizen"].id}


@dataclass(frozen=True)
class _ObjectsTemplate:
    location: str  # SQLite: the file; PostgreSQL: the template database's name
    files_dir: Path
    ids: dict[str, int]


@pytest.fixture(scope="module")
def _objects_template(_migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[_ObjectsTemplate]:
    """The small city and its objects, built once for this module (in a database of their own, through the same app,
    factories and services as each test did before); each test starts from a copy, as tests asking for `demo` do
    (conftest.py, `_demo_template`). Building them per test cost about 0.85 s a test alone, 2.7 s in the full run,
    for 35 tests on each database."""
    where = tmp_path_factory.mktemp("existence")
    location, url = new_template("existence", where, _migrated_template)
    if PG_URL:
        # As each test's database on PostgreSQL is today: the migrated one after the reset (migration-seeded rows
        # outside the reference tables, e.g. supervision rules, removed).
        reset = make_engine(url)
        _truncate_pg(reset)
        reset.dispose()
    with pytest.MonkeyPatch.context() as mp:
        settings_for(mp, url, where)
        app = create_app(get_settings())
        engine = app.state.engine
        session = make_session_factory(engine)()
        try:
            ids = _build_objects(where, engine, session, small_city(session))
        finally:
            session.close()
            engine.dispose()  # no connection left: SQLite's WAL is folded into the file, PostgreSQL may copy it
            get_settings.cache_clear()
    (where / "files").mkdir(exist_ok=True)
    yield _ObjectsTemplate(location, where / "files", ids)
    drop_template(location)


@pytest.fixture
def database_url(_objects_template: _ObjectsTemplate, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """This module's tests: a copy of the objects' database and files (conftest.py's `database_url`, as for `demo`),
    not an empty one; same ids, changed freely."""
    url, copy_name = copy_of_template(_objects_template.location, _objects_template.files_dir, tmp_path, "existence")
    settings_for(monkeypatch, url, tmp_path)
    yield url
    get_settings.cache_clear()
    if copy_name:
        _admin_sql(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')


@pytest.fixture
def objects(_objects_template: _ObjectsTemplate, database_url: str) -> dict[str, int]:
    """The objects' ids, in this test's copy of their database."""
    return _objects_template.ids


# (object kind, method, path template, JSON body or form); {id} is the object's id.
API = [
    ("request", "GET", "/api/v1/sharing/requests/{id}", None),
    ("request", "POST", "/api/v1/sharing/requests/{id}/decision", {"decision": "approve"}),
    ("request", "POST", "/api/v1/sharing/requests/{id}/withdraw", None),
    ("request", "POST", "/api/v1/sharing/requests/{id}/objection", {"text": "按条例不应重复向群众收集这些信息"}),
    ("grant", "GET", "/api/v1/sharing/grants/{id}", None),
    ("grant", "POST", "/api/v1/sharing/grants/{id}/suspend", {"reason": "调用量异常，暂停核查"}),
    ("grant", "PUT", "/api/v1/sharing/grants/{id}/quota", {"calls_per_minute": 5, "calls_per_day": 50}),
    ("dispute", "GET", "/api/v1/disputes/{id}", None),
    ("dispute", "GET", "/api/v1/disputes/{id}/timeline", None),
    ("dispute", "GET", "/api/v1/disputes/{id}/attachments/1", None),
    ("dispute", "POST", "/api/v1/disputes/{id}/answer", {"decision": "corrected"}),
    ("dispute", "POST", "/api/v1/disputes/{id}/withdraw", None),
    ("draft", "GET", "/api/v1/catalog/resources/{id}", None),
    ("draft", "GET", "/api/v1/catalog/resources/{id}/versions", None),
    ("draft", "POST", "/api/v1/catalog/resources/{id}/publish", None),
    ("draft", "DELETE", "/api/v1/catalog/resources/{id}", None),
    ("licence", "GET", "/api/v1/licences/{id}", None),
    ("licence", "GET", "/api/v1/licences/{id}/pdf", None),
    ("licence", "POST", "/api/v1/licences/{id}/annotations", {"text": "住所变更为汉滨区金州路 1 号"}),
    ("licence", "POST", "/api/v1/licences/{id}/status/suspend", {"reason": "核查中"}),
]

PAGES = [
    ("request", "GET", "/sharing/requests/{id}", None),
    ("request", "POST", "/sharing/requests/{id}/decision", {"decision": "approve"}),
    ("request", "POST", "/sharing/requests/{id}/withdraw", {}),
    ("grant", "GET", "/sharing/grants/{id}", None),
    ("grant", "POST", "/sharing/grants/{id}/suspend", {"reason": "调用量异常，暂停核查"}),
    ("dispute", "GET", "/disputes/{id}", None),
    ("dispute", "POST", "/disputes/{id}/answer", {"decision": "corrected"}),
    ("draft", "GET", "/catalog/resources/{id}", None),
    ("draft", "GET", "/catalog/resources/{id}/edit", None),
    ("draft", "POST", "/catalog/resources/{id}/publish", {}),
    ("licence", "GET", "/licences/{id}", None),
    ("licence", "GET", "/licences/{id}/pdf", None),
    ("licence", "POST", "/licences/{id}/annotate", {"text": "住所变更为汉滨区金州路 1 号"}),
    ("licence", "POST", "/licences/{id}/status/suspend", {"reason": "核查中"}),
]

# Who is not party to each kind of object, yet holds the permission to read its kind in their department.
OUTSIDER = {"request": "edu_data_officer", "grant": "edu_data_officer", "dispute": "edu_data_officer",
            "draft": "edu_data_officer", "licence": "edu_reviewer"}


def _call(web: TestClient, csrf: str, method: str, path: str, body: object, *, page: bool):  # type: ignore[no-untyped-def]
    if method == "GET":
        return web.get(path, follow_redirects=False)
    if page:
        return web.request(method, path, data={**(body or {}), "csrf_token": csrf},  # type: ignore[dict-item]
                           follow_redirects=False)
    return web.request(method, path, json=body, headers={"X-CSRF-Token": csrf}, follow_redirects=False)


def _same_page(a: str, b: str, *ids: int) -> tuple[str, str]:
    """Page bodies with the ids and per-request incident numbers blanked, to compare what a person reads."""
    def blank(text: str) -> str:
        for n in ids:
            text = re.sub(rf"(?<!\d){n}(?!\d)", "ID", text)
        return re.sub(r"[0-9a-f]{8,}", "X", text)
    return blank(a), blank(b)


@pytest.mark.parametrize(("kind", "method", "path", "body"), API, ids=[f"{m} {p}" for _, m, p, _ in API])
def test_api_answers_not_yours_like_not_there(kind: str, method: str, path: str, body: object, client: TestClient,
                                              objects: dict[str, int]) -> None:
    csrf = login(client, OUTSIDER[kind])
    theirs = _call(client, csrf, method, path.format(id=objects[kind]), body, page=False)
    missing = _call(client, csrf, method, path.format(id=MISSING), body, page=False)
    assert theirs.status_code == missing.status_code == 404, (theirs.status_code, theirs.text, missing.text)
    assert theirs.json() == missing.json()


@pytest.mark.parametrize(("kind", "method", "path", "body"), PAGES, ids=[f"{m} {p}" for _, m, p, _ in PAGES])
def test_pages_answer_not_yours_like_not_there(kind: str, method: str, path: str, body: object, client: TestClient,
                                               objects: dict[str, int]) -> None:
    csrf = login(client, OUTSIDER[kind])
    theirs = _call(client, csrf, method, path.format(id=objects[kind]), body, page=True)
    missing = _call(client, csrf, method, path.format(id=MISSING), body, page=True)
    assert theirs.status_code == missing.status_code == 404, (theirs.status_code, missing.status_code)
    a, b = _same_page(theirs.text, missing.text, objects[kind], MISSING)
    assert a == b


def test_a_citizen_cannot_tell_someone_elses_licence_from_none(client: TestClient, session: Session,
                                                               objects: dict[str, int]) -> None:
    citizen = session.get(User, objects["citizen"])
    assert citizen is not None and citizen.kind == "citizen"
    login(client, citizen.username)
    theirs = client.get(f"/my/licences/{objects['licence']}/pdf")
    missing = client.get(f"/my/licences/{MISSING}/pdf")
    assert theirs.status_code == missing.status_code == 404
    assert _same_page(theirs.text, missing.text, objects["licence"], MISSING)[0] == \
        _same_page(theirs.text, missing.text, objects["licence"], MISSING)[1]
    r1 = client.get(f"/api/v1/licences/{objects['licence']}")
    r2 = client.get(f"/api/v1/licences/{MISSING}")
    assert r1.status_code == r2.status_code == 404 and r1.json() == r2.json()
