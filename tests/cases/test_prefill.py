"""预填与免提交 (cases/prefill.py): the platform's own system 一网通办平台 calls the exchange under its grants,
with the applicant as end user and the case number; fetched only when asked; another person's data never."""

from __future__ import annotations

import datetime as dt
import socket
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import (
    SmallCity,
    actor_of,
    applicant_case,
    login,
    make_uscc,
    population_ids,
    population_items,
    population_world,
    published_resource,
    staff,
)
from tongban import clock
from tongban.cases import prefill
from tongban.demo.loader import DemoSummary
from tongban.errors import NotFound, ValidationFailed
from tongban.exchange import endpoints
from tongban.exchange.log_models import ExchangeLogEntry, ExchangeLogSubject
from tongban.exchange.queries import my_data_uses
from tongban.items.rules import MaterialFact
from tongban.licences.models import Licence
from tongban.org.models import AppClient, User
from tongban.sharing import service as sharing
from tongban.sharing.schemas import ComplianceDecision, ProviderDecision, RequestCreate
from tongban.transactions import scope

IDS = population_ids()  # 王建华, 李秀英, … in the test population register
CASE_A, CASE_B, CASE_C = "BJ2026000123", "BJ2026000124", "BJ2026000125"


@dataclass
class Impl:
    """What prefill needs of an implementation: its materials (items' MaterialFact)."""

    materials: list[MaterialFact] = field(default_factory=list)


def _citizen(session: Session, rid: str, name: str) -> User:
    u = User(username=rid, display_name=name, kind="citizen", id_number=rid, password_hash="x")
    session.add(u)
    session.commit()
    return u


def _enterprise(session: Session, uscc: str, name: str) -> User:
    u = User(username=uscc, display_name=name, kind="enterprise", credit_code=uscc, password_hash="x")
    session.add(u)
    session.commit()
    return u


def _draft(session: Session, user: User, *numbers: str) -> None:
    """Draft cases of the applicant with these numbers: the exchange serves 一网通办平台 only for the end user's
    own case in a draft or 补正 (exchange/access.py, cases/end_users.py)."""
    for n in numbers:
        applicant_case(session, user, n)


def _grant(session: Session, city: SmallCity, system: AppClient, resource_id: int, items: list[str],
           provider: str) -> None:
    """The normal sharing path: the data bureau's officer asks, the platform checks, the provider approves."""
    req = sharing.submit_request(session=session, actor=actor_of(city.users["dsj_data"]), request_in=RequestCreate(
        resource_id=resource_id, client_id=system.id, items=items, purpose="一网通办办件时预填申请表、调取申请材料",
        legal_basis="《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》", scenario="一网通办",
        period_start=clock.today(), period_end=clock.today() + dt.timedelta(days=365)))
    req = sharing.compliance_check(session=session, actor=actor_of(city.users["admin"]), request_id=req.id,
                                   decision=ComplianceDecision(decision="pass"))
    if req.status == "pending_provider":
        sharing.provider_decide(session=session, actor=actor_of(city.users[provider]), request_id=req.id,
                                decision=ProviderDecision(decision="approve"))
    assert sharing.grant_for(session, req.id) is not None


def _system(session: Session, city: SmallCity) -> AppClient:
    if "dsj_data" not in city.users:
        city.users["dsj_data"] = staff(session, "dsj_data", city.data_bureau, "data_officer", name="韩雪")
        session.commit()
    return prefill.ensure_platform_system(session=session, actor=actor_of(city.users["admin"]))


@pytest.fixture
def people(tmp_path: Path, engine: Engine, session: Session, city: SmallCity):  # type: ignore[no-untyped-def]
    """户籍人口基本信息 in the hub (five persons), 一网通办平台 granted id_number, name, gender, address."""
    world = population_world(session, engine, city, tmp_path, name="户籍人口基本信息", granted=["id_number"])
    system = _system(session, city)
    _grant(session, city, system, world["resource"].id, ["id_number", "name", "gender", "address"], "hrss_data")
    a, b = _citizen(session, IDS[0], "王建华"), _citizen(session, IDS[1], "李秀英")
    _draft(session, a, CASE_A, CASE_B)
    return {"resource": world["resource"], "system": system, "a": a, "b": b}


HUKOU = MaterialFact("申请人户籍信息", "shared", "户籍人口基本信息:id_number,name,address")
UNGRANTED = MaterialFact("联系电话核验", "shared", "户籍人口基本信息:phone")
UPLOAD = MaterialFact("申请书", "upload")


def test_the_system_is_registered_once_for_the_platform_operator(session: Session, city: SmallCity) -> None:
    first = _system(session, city)
    second = _system(session, city)
    assert first.id == second.id and first.name == "一网通办平台" and first.department_id == city.data_bureau.id
    assert prefill.platform_system(session) is not None


def test_prefill_is_masked_and_shows_in_the_applicants_data_uses(session: Session, people) -> None:  # type: ignore[no-untyped-def]
    a = actor_of(people["a"])
    result = prefill.prefill_form(session, applicant=a, implementation=Impl([UPLOAD]), purpose=CASE_A)
    assert result.available, result.message
    by_key = {f.key: f for f in result.fields}
    assert set(by_key) == {"id_number", "name", "gender", "address"}  # granted items only
    assert by_key["name"].value == "王**" and by_key["name"].masked  # masked as the exchange masks
    assert by_key["id_number"].value != IDS[0] and by_key["id_number"].value[:6] == IDS[0][:6]
    assert by_key["gender"].value == "男" and not by_key["gender"].masked
    assert by_key["name"].resource_name == "户籍人口基本信息" and by_key["name"].name == "姓名"
    assert by_key["name"].provider == "安康市人力资源和社会保障局"

    entry = session.get(ExchangeLogEntry, result.log_seq)
    assert entry is not None and entry.client_id == people["system"].id and entry.result == "ok"
    assert entry.end_user == IDS[0] and entry.case_number == CASE_A
    uses = my_data_uses(session, a).rows
    assert len(uses) == 1
    assert uses[0].case_number == CASE_A and CASE_A in uses[0].purpose and "预填申请表" in uses[0].purpose
    assert uses[0].system == "一网通办平台" and uses[0].department == "安康市政务服务和数据管理局"
    # Nothing of it is the other applicant's.
    assert my_data_uses(session, actor_of(people["b"])).rows == []


def test_the_data_uses_page_shows_the_prefill(client: TestClient, session: Session, people) -> None:  # type: ignore[no-untyped-def]
    people["a"].password_hash = session.execute(select(User.password_hash).where(
        User.username == "admin")).scalar_one()
    session.commit()
    prefill.prefill_form(session, applicant=actor_of(people["a"]), implementation=Impl(), purpose=CASE_A)
    login(client, IDS[0])
    page = client.get("/my/data-uses", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert CASE_A in page.text and "一网通办平台" in page.text and "预填申请表" in page.text


def test_nothing_is_fetched_before_the_applicant_asks(session: Session, people) -> None:  # type: ignore[no-untyped-def]
    a = actor_of(people["a"])
    impl = Impl([UPLOAD, HUKOU, UNGRANTED, MaterialFact("营业执照", "licence", "营业执照")])
    options = prefill.fetchable_materials(session, a, impl)
    assert [(o.name, o.fetchable) for o in options] == [("申请书", False), ("申请人户籍信息", True),
                                                       ("联系电话核验", False), ("营业执照", False)]
    assert "尚未获得" in options[2].reason and "未查到您名下有效的电子证照" in options[3].reason
    assert session.execute(select(ExchangeLogEntry)).scalars().all() == []  # nothing fetched

    preview = prefill.fetch_material(session, applicant=a, implementation=impl, index=1, purpose=CASE_A)
    assert preview.available and preview.token.startswith("exchange:")
    assert {f.key: f.value for f in preview.fields} == {"id_number": preview.fields[0].value, "name": "王**",
                                                       "address": preview.fields[2].value}
    seq = int(preview.token.split(":")[1])
    entry = session.get(ExchangeLogEntry, seq)
    assert entry is not None and entry.case_number == CASE_A and "申请人户籍信息" in entry.purpose
    subjects = session.execute(select(ExchangeLogSubject.subject).where(ExchangeLogSubject.seq == seq)).scalars()
    assert list(subjects) == [IDS[0]]
    assert [u.case_number for u in my_data_uses(session, a).rows] == [CASE_A]

    refused = prefill.fetch_material(session, applicant=a, implementation=impl, index=2, purpose=CASE_A)
    assert not refused.available and refused.may_upload and "请上传" in refused.message


def test_an_applicant_not_in_the_register_types_the_form(session: Session, people, city: SmallCity) -> None:  # type: ignore[no-untyped-def]
    _draft(session, city.users["citizen"], CASE_C)
    result = prefill.prefill_form(session, applicant=actor_of(city.users["citizen"]), implementation=Impl(),
                                  purpose=CASE_C)
    assert not result.available and "未查到您的记录" in result.message and "自行填写" in result.message


def test_staff_and_use_cases_cannot_prefill(session: Session, people, city: SmallCity) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as exc:
        prefill.prefill_form(session, applicant=actor_of(city.users["amr_clerk"]), implementation=Impl(),
                             purpose=CASE_A)
    assert exc.value.code == "not_an_applicant"
    with scope(session), pytest.raises(RuntimeError):
        prefill.prefill_form(session, applicant=actor_of(people["a"]), implementation=Impl(), purpose=CASE_A)


def test_another_persons_registry_data_is_never_read(session: Session, people) -> None:  # type: ignore[no-untyped-def]
    """Every call's key is the applicant's own identifier: A's calls touch A alone, whatever A's case is."""
    a, b = actor_of(people["a"]), actor_of(people["b"])
    prefill.prefill_form(session, applicant=a, implementation=Impl(), purpose=CASE_A)
    prefill.fetch_material(session, applicant=a, implementation=Impl([HUKOU]), index=0, purpose=CASE_B)
    entries = session.execute(select(ExchangeLogEntry)).scalars().all()
    assert {e.end_user for e in entries} == {IDS[0]}
    subjects = set(session.execute(select(ExchangeLogSubject.subject)).scalars())
    assert subjects == {IDS[0]}
    assert my_data_uses(session, b).rows == []
    # The exchange's own checks: an end user that is no identifier is refused (and logged as denied).
    bad = actor_of(people["a"])
    object.__setattr__(bad, "holder_code", "not-an-id")
    result = prefill.prefill_form(session, applicant=bad, implementation=Impl(), purpose=CASE_A)
    assert not result.available and "X-End-User" in result.message
    denied = session.execute(select(ExchangeLogEntry).where(ExchangeLogEntry.result == "denied")).scalars().all()
    assert [d.end_user for d in denied] == ["not-an-id"]


# ---------------------------------------------------------------- the exchange down


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_provider_that_is_down_leaves_typing_and_uploading(session: Session, city: SmallCity) -> None:
    """户籍人口基本信息 as a 接口 resource whose provider system does not answer: a Chinese message, no error."""
    resource = published_resource(session, city.users["hrss_data"], name="户籍人口基本信息", share_type="unconditional",
                                  share_condition="", share_methods=["interface"], items=population_items())
    endpoints.register_endpoint(session=session, actor=actor_of(city.users["hrss_data"]), resource_id=resource.id,
                                endpoint_in=endpoints.EndpointIn(url=f"http://127.0.0.1:{_closed_port()}/people",
                                                                 timeout_ms=2000))
    system = _system(session, city)
    _grant(session, city, system, resource.id, ["id_number", "name", "address"], "hrss_data")
    user = _citizen(session, IDS[0], "王建华")
    _draft(session, user, CASE_A)
    a = actor_of(user)

    result = prefill.prefill_form(session, applicant=a, implementation=Impl(), purpose=CASE_A)
    assert not result.available and "暂时无法" in result.message and "自行填写" in result.message
    assert "无法连接提供部门的业务系统" in result.message
    impl = Impl([HUKOU])
    assert prefill.fetchable_materials(session, a, impl)[0].fetchable  # granted: the applicant may ask
    preview = prefill.fetch_material(session, applicant=a, implementation=impl, index=0, purpose=CASE_A)
    assert not preview.available and preview.may_upload and preview.token == ""
    assert "上传" in preview.message
    failed = session.execute(select(ExchangeLogEntry.result, ExchangeLogEntry.status_code,
                                    ExchangeLogEntry.case_number)).all()
    assert failed == [("error", 502, CASE_A), ("error", 502, CASE_A)]  # logged like every call


# ---------------------------------------------------------------- licences


@pytest.fixture
def licences(session: Session, city: SmallCity):  # type: ignore[no-untyped-def]
    """Two enterprises each holding a 营业执照."""
    from tests.licences.conftest import LicenceWorld, business_licence_type
    from tongban.seals import service as seals

    seal = seals.create_seal(session=session, actor=actor_of(city.users["admin"]),
                             seal_in=seals.SealCreate(department_id=city.amr.id, kind="approval"))
    world = LicenceWorld(city, seal, business_licence_type(session, city), make_uscc("610902", "91"))
    mine = world.issue(session)
    other_code = make_uscc("610902", "91")
    theirs = world.issue(session, holder_code=other_code, holder_name="安康汉江物流有限公司")
    _system(session, city)
    a = _enterprise(session, world.holder_code, "安康汉水云科技有限公司")
    b = _enterprise(session, other_code, "安康汉江物流有限公司")
    return {"mine": mine, "theirs": theirs, "a": a, "b": b}


BIZ = MaterialFact("营业执照", "licence", "营业执照")


def test_a_licence_is_previewed_after_asking(session: Session, licences) -> None:  # type: ignore[no-untyped-def]
    a = actor_of(licences["a"])
    impl = Impl([UPLOAD, BIZ])
    options = prefill.fetchable_materials(session, a, impl)
    assert [o.fetchable for o in options] == [False, True]
    assert session.execute(select(ExchangeLogEntry)).scalars().all() == []

    preview = prefill.fetch_material(session, applicant=a, implementation=impl, index=1, purpose=CASE_A)
    mine: Licence = licences["mine"]
    assert preview.holder_name == "安康汉水云科技有限公司"  # an enterprise's name is public
    assert preview.available, preview.message
    assert preview.token == f"licence:{mine.id}:{mine.version}"
    assert preview.licence_type == "营业执照" and preview.licence_number == mine.number
    assert preview.identifier == mine.identifier and preview.valid_from == mine.valid_from
    assert preview.pdf_url == f"/my/licences/{mine.id}/pdf" and preview.issuer_name == mine.issuer_name
    # The PDF is read through the licence library's holder path.
    assert preview.pdf_url.endswith("/pdf")


def test_another_persons_licence_is_refused(session: Session, licences) -> None:  # type: ignore[no-untyped-def]
    a = actor_of(licences["a"])
    with pytest.raises(NotFound) as exc:
        prefill.fetch_material(session, applicant=a, implementation=Impl([BIZ]), index=0, purpose=CASE_A,
                               licence_id=licences["theirs"].id)
    assert exc.value.code == "licence_not_found"
    own = prefill.fetch_material(session, applicant=a, implementation=Impl([BIZ]), index=0, purpose=CASE_A,
                                 licence_id=licences["mine"].id)
    assert own.available and own.licence_id == licences["mine"].id


def test_a_licence_type_not_held_is_uploaded(session: Session, licences, city: SmallCity) -> None:  # type: ignore[no-untyped-def]
    other = actor_of(_enterprise(session, make_uscc("610902", "91"), "安康新设企业有限公司"))
    options = prefill.fetchable_materials(session, other, Impl([BIZ]))
    assert not options[0].fetchable and "请上传" in options[0].reason
    preview = prefill.fetch_material(session, applicant=other, implementation=Impl([BIZ]), index=0, purpose=CASE_A)
    assert not preview.available and preview.may_upload


# ---------------------------------------------------------------- the demo


def test_the_demo_city_prefills_a_demo_citizens_form(demo: DemoSummary, session: Session) -> None:
    """The demo load registers 一网通办平台 with grants approved on the sharing path; a demo citizen's form is
    pre-filled and a shared material of a demo item fetched, both in their data uses with the case number."""
    from tongban.demo import city as demo_city
    from tongban.demo import registry_loader
    from tongban.items.models import Implementation
    from tongban.sharing.models import Grant, SharingRequest

    system = prefill.platform_system(session)
    assert system is not None and system.name == "一网通办平台"
    requests = session.execute(select(SharingRequest).where(SharingRequest.client_id == system.id)).scalars().all()
    assert requests and all(r.compliance_by is not None for r in requests)  # the platform checked every one
    assert registry_loader.platform_system_grants(session) == 0  # idempotent
    granted = session.execute(select(Grant).where(Grant.client_id == system.id)).scalars().all()
    assert len(granted) >= 2

    person = demo_city.CITIZENS[0]
    user = session.execute(select(User).where(User.username == person.resident_id)).scalar_one()
    _draft(session, user, CASE_A)
    applicant = actor_of(user)
    impl = next(i for i in session.execute(select(Implementation).where(Implementation.published_version > 0)
                                           .order_by(Implementation.id)).scalars()
                if any(m.source == "shared" and m.ref.startswith("户籍人口基本信息:") for m in i.materials))
    result = prefill.prefill_form(session, applicant=applicant, implementation=impl, purpose=CASE_A)
    assert result.available, result.message
    assert result.value("name") == person.name[0] + "**"
    options = prefill.fetchable_materials(session, applicant, impl)
    index = next(o.index for o in options if o.fetchable and o.source == "shared")
    preview = prefill.fetch_material(session, applicant=applicant, implementation=impl, index=index, purpose=CASE_A)
    assert preview.available, preview.message
    mine = [u for u in my_data_uses(session, applicant).rows if u.case_number == CASE_A]
    assert len(mine) == 2 and all(u.system == "一网通办平台" for u in mine)
