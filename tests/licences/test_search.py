"""Licence search for staff (证照检索) through the shared search component: by holder name, number, identifier,
holder ID, type name and colloquial word; ranking, suggestion and partial fallback; a department's staff
find only their department's licences (read model, API and page); a person's name and ID stay masked in
results and highlights and are not copied into the search tables; every search that shows licences is audited."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tests.factories import actor_of, login, make_resident_id
from tests.licences.conftest import LicenceWorld
from tongban.audit.models import AuditEntry
from tongban.demo.licence_data import LICENCE_TYPES, type_code
from tongban.errors import Forbidden
from tongban.identifiers import mask_name, mask_resident_id
from tongban.licences import indexing, issuing, licence_types, queries
from tongban.licences.models import Licence, LicenceType
from tongban.seals import service as seals
from tongban.search import service as terms
from tongban.search.models import SearchDocument
from tongban.search.schemas import TermIn
from tongban.transactions import scope


def _type(session: Session, world: LicenceWorld, name: str, department_id: int) -> LicenceType:
    seed = next(s for s in LICENCE_TYPES if s.name == name)
    return licence_types.create_type(session=session, actor=actor_of(world.city.users["admin"]),
                                     type_in=licence_types.LicenceTypeIn(
                                         code=type_code(seed), name=seed.name,
                                         defining_org_name=seed.defining_org_name,
                                         defining_org_code=type_code(seed)[:18], holder_kind=seed.holder_kind,
                                         items=seed.items, layout=seed.layout, validity_years=seed.validity_years,
                                         issuer_department_ids=[department_id]))


def _issue(session: Session, world: LicenceWorld, who: str, licence_type: LicenceType, holder_name: str,
           holder_code: str, number: str) -> Licence:
    data = {i["key"]: ("2020-01-01" if i["type"] == "date" else "C1") for i in licence_type.items if i["required"]}
    return issuing.issue(session=session, actor=actor_of(world.city.users[who]),
                         licence_in=issuing.LicenceIssue.model_validate(
                             {"type_id": licence_type.id, "holder_name": holder_name, "holder_code": holder_code,
                              "number": number, "data": data}))


@dataclass
class People:
    zhang_id: str
    wang_id: str
    zhang_driving: Licence  # 市场监管局 (in these tests) issues 机动车驾驶证
    wang_driving: Licence
    business: Licence  # 营业执照 of an enterprise, same department
    zhang_card: Licence  # 人社局 issues 张建华 a 社会保障卡: another department


@pytest.fixture
def people(session: Session, world: LicenceWorld) -> People:
    city = world.city
    terms.add_term(session=session, actor=actor_of(city.users["admin"]),
                   term_in=TermIn(word="驾照", official="机动车驾驶证", kind="colloquial", source="测试"))
    driving = _type(session, world, "机动车驾驶证", city.amr.id)
    zhang_id, wang_id = make_resident_id(), make_resident_id()
    zhang = _issue(session, world, "amr_reviewer", driving, "张建华", zhang_id, "DL-2024-0001")
    wang = _issue(session, world, "amr_reviewer", driving, "王晓明", wang_id, "DL-2024-0002")
    business = world.issue(session, number="YY20240001")
    seals.create_seal(session=session, actor=actor_of(city.users["admin"]),
                      seal_in=seals.SealCreate(department_id=city.hrss.id, kind="approval"))
    card = _type(session, world, "社会保障卡", city.hrss.id)
    zhang_card = _issue(session, world, "hrss_reviewer", card, "张建华", zhang_id, "SB-2024-0001")
    return People(zhang_id, wang_id, zhang, wang, business, zhang_card)


def _find(session: Session, world: LicenceWorld, who: str, q: str, **filters: Any) -> queries.IssuedSearch:
    return queries.search_issued(session=session, actor=actor_of(world.city.users[who]), q=q, **filters)


def _ids(found: queries.IssuedSearch) -> list[int]:
    return [r.id for r in found.rows]


def _reads(session: Session) -> list[dict[str, Any]]:
    return [json.loads(d) if isinstance(d, str) else dict(d) for d in session.execute(select(AuditEntry.detail).where(
        AuditEntry.action == "licence.read", AuditEntry.object_type == "licence_list").order_by(AuditEntry.seq))
        .scalars()]


def test_by_holder_name_within_the_department(session: Session, world: LicenceWorld, people: People) -> None:
    found = _find(session, world, "amr_clerk", "张建华")
    assert _ids(found) == [people.zhang_driving.id] and found.total == 1 and not found.fallback
    # The other department's clerk finds only its own licence of the same person.
    assert _ids(_find(session, world, "hrss_clerk", "张建华")) == [people.zhang_card.id]
    # The enterprise by its name (words of it) and by its credit code.
    assert _ids(_find(session, world, "amr_clerk", "汉水云科技")) == [people.business.id]
    assert _ids(_find(session, world, "amr_clerk", world.holder_code)) == [people.business.id]


def test_by_number_serial_and_identifier_exact_first(session: Session, world: LicenceWorld, people: People) -> None:
    lic = people.zhang_driving
    found = _find(session, world, "amr_clerk", "DL-2024-0001")
    assert _ids(found) == [lic.id] and found.exact_keys == ("DL-2024-0001",)
    assert _ids(_find(session, world, "amr_clerk", "dl-2024-0001")) == [lic.id]  # case does not matter
    # A serial is unique per issuer, type and day only: every licence with it, none of another department.
    assert lic.id in _ids(_find(session, world, "amr_clerk", lic.serial))
    assert people.zhang_card.id not in _ids(_find(session, world, "amr_clerk", people.zhang_card.serial))
    assert _ids(_find(session, world, "amr_clerk", lic.identifier)) == [lic.id]
    # A part of a number searches the words: both driving licences, the one whose number it is first.
    assert _ids(_find(session, world, "amr_clerk", "DL 2024 0002")) == [people.wang_driving.id]
    found = _find(session, world, "amr_clerk", "2024 驾驶证")
    assert set(_ids(found)) == {people.zhang_driving.id, people.wang_driving.id}
    # After an annotation (加注) the licence has a new identifier; both the new and the old one find it.
    old = lic.identifier
    issuing.annotate(session=session, actor=actor_of(world.city.users["amr_reviewer"]), licence_id=lic.id,
                     text="准驾车型变更")
    assert lic.identifier != old
    assert _ids(_find(session, world, "amr_clerk", lic.identifier)) == [lic.id]
    assert _ids(_find(session, world, "amr_clerk", old)) == [lic.id]
    # A holder's full ID number finds their licences of this department only, and highlights nothing unmasked.
    found = _find(session, world, "amr_clerk", people.zhang_id)
    assert _ids(found) == [lic.id]
    row = queries.issued_row(found.rows[0], found)
    assert people.zhang_id not in str(row.marked) and row.holder_code == mask_resident_id(people.zhang_id)


def test_by_type_name_and_colloquial_word(session: Session, world: LicenceWorld, people: People) -> None:
    driving = {people.zhang_driving.id, people.wang_driving.id}
    found = _find(session, world, "amr_clerk", "驾照")
    assert set(_ids(found)) == driving and found.expanded == ["驾照 → 机动车驾驶证"]
    assert set(_ids(_find(session, world, "amr_clerk", "机动车驾驶证"))) == driving
    assert _ids(_find(session, world, "amr_clerk", "营业执照")) == [people.business.id]
    # Word and name together; the type filter and status filter still apply.
    assert _ids(_find(session, world, "amr_clerk", "驾照 王晓明")) == [people.wang_driving.id]
    assert _find(session, world, "amr_clerk", "驾照", type_id=people.business.type_id).rows == []
    assert _find(session, world, "amr_clerk", "驾照", status="revoked").rows == []
    # Kept up to date by the use-cases: a revoked licence is found by its status word.
    issuing.change_status(session=session, actor=actor_of(world.city.users["amr_reviewer"]),
                          licence_id=people.wang_driving.id, action="revoke", reason="驾驶人死亡")
    assert _ids(_find(session, world, "amr_clerk", "驾照 已注销")) == [people.wang_driving.id]
    assert _ids(_find(session, world, "amr_clerk", "驾照", status="revoked")) == [people.wang_driving.id]
    # 人社局 does not issue 驾驶证: its clerk finds none of them.
    assert _find(session, world, "hrss_clerk", "驾照").rows == []


def test_suggestion_and_partial_fallback(session: Session, world: LicenceWorld, people: People) -> None:
    typo = _find(session, world, "amr_clerk", "机动车驾使证")  # a wrong character that sounds the same
    assert typo.suggestion == "机动车驾驶证" and len(typo.rows) == 2
    partial = _find(session, world, "amr_clerk", "驾照 李四")  # no 驾驶证 of 李四: some words match
    assert partial.fallback and set(_ids(partial)) == {people.zhang_driving.id, people.wang_driving.id}
    # The suggestion is made from type names and the dictionary only: never from another department's holders.
    assert _find(session, world, "hrss_clerk", "王晓鸣").suggestion == ""
    assert _find(session, world, "hrss_clerk", "王晓明").rows == []


def test_masking_and_no_personal_data_in_the_search_tables(session: Session, world: LicenceWorld,
                                                           people: People) -> None:
    found = _find(session, world, "amr_clerk", "张建华 驾照")
    row = queries.issued_row(found.rows[0], found)
    assert (row.holder_name, row.holder_code) == (mask_name("张建华"), mask_resident_id(people.zhang_id))
    shown = " ".join(str(v) for v in row.marked.values())
    assert "张建华" not in shown and people.zhang_id not in shown and "<mark>机动车驾驶证</mark>" in shown
    # The index holds the names (searched) but no resident ID, and names only types (the vocabulary of
    # the component's suggestions).
    docs = session.execute(select(SearchDocument).where(SearchDocument.kind == indexing.KIND)).scalars().all()
    assert len(docs) == 4 and {d.name for d in docs} == {"机动车驾驶证", "营业执照", "社会保障卡"}
    for d in docs:
        for value in (d.name, d.abstract, d.body, d.tags):
            assert people.zhang_id not in value and people.wang_id not in value


def test_every_search_that_shows_licences_is_audited(session: Session, world: LicenceWorld, people: People) -> None:
    before = len(_reads(session))
    _find(session, world, "amr_clerk", "驾照")
    _find(session, world, "amr_clerk", "没有这种证")  # nothing shown: nothing to log
    reads = _reads(session)[before:]
    assert reads == [{"count": 2, "query": "驾照", "status": ""}]
    with pytest.raises(Forbidden):
        _find(session, world, "amr_data", "驾照")


def _rows_html(html: str) -> str:
    return html[html.index("<tbody>"):html.index("</tbody>")]


def test_page_and_api_refuse_other_departments(client: TestClient, session: Session, world: LicenceWorld,
                                               people: People) -> None:
    login(client, "amr_clerk")
    page = client.get("/licences", params={"q": "张建华"})
    assert page.status_code == 200
    rows = _rows_html(page.text)
    assert "DL-2024-0001" in rows and "SB-2024-0001" not in rows and "社会保障卡" not in rows
    assert "张**" in rows and "张建华" not in rows and people.zhang_id not in rows
    page = client.get("/licences", params={"q": people.zhang_id})
    rows = _rows_html(page.text)
    assert "DL-2024-0001" in rows and people.zhang_id not in rows and mask_resident_id(people.zhang_id) in rows
    page = client.get("/licences", params={"q": "驾照"})
    assert "已按规范用语一并检索：驾照 → 机动车驾驶证" in page.text and "<mark>机动车驾驶证</mark>" in page.text
    page = client.get("/licences", params={"q": "驾照 李四"})
    assert "以下是包含部分检索词的结果" in page.text
    page = client.get("/licences", params={"q": "SB-2024-0001"})  # the other department's number
    assert "没有符合条件的证照" in page.text and "SB-2024-0001" not in _rows_html(page.text)

    api = client.get("/api/v1/licences", params={"q": "张建华"})
    assert api.status_code == 200
    body = api.json()
    assert [i["id"] for i in body["items"]] == [people.zhang_driving.id] and body["total"] == 1
    hl = body["items"][0]["highlights"]
    assert hl["holder_name"] == "张**" and hl["holder_code"] == mask_resident_id(people.zhang_id)
    assert client.get("/api/v1/licences", params={"q": "SB-2024-0001"}).json()["items"] == []
    assert client.get("/api/v1/licences", params={"q": "社会保障卡"}).json()["items"] == []
    body = client.get("/api/v1/licences", params={"q": "驾照"}).json()
    assert body["readings"] == ["驾照 → 机动车驾驶证"] and body["total"] == 2 and not body["fallback"]
    # Without a query the list is as before: newest first, no highlights.
    body = client.get("/api/v1/licences").json()
    assert body["total"] == 3 and all(i["highlights"] == {} for i in body["items"])


def test_reindex_command_rebuilds_the_kind(session: Session, world: LicenceWorld, people: People) -> None:
    with scope(session):
        session.execute(delete(SearchDocument).where(SearchDocument.kind == indexing.KIND))
    assert _find(session, world, "amr_clerk", "张建华").rows == []
    result = subprocess.run([sys.executable, "-m", "tongban", "licence", "reindex"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "4 本证照" in result.stdout
    session.expire_all()
    assert session.execute(select(func.count()).select_from(SearchDocument)
                           .where(SearchDocument.kind == indexing.KIND)).scalar_one() == 4
    assert _ids(_find(session, world, "amr_clerk", "张建华")) == [people.zhang_driving.id]


def test_control_characters_in_a_licence_search_are_no_error(client, city) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import login

    login(client, "amr_clerk")
    for q in ["\x00", "\U000fe67dP\U000c4d06\x85", "营"]:
        r = client.get("/api/v1/licences", params={"q": q, "page": 1440, "size": 48})
        assert r.status_code == 200, r.text
