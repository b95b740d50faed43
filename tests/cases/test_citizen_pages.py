"""The applicant's pages over real HTTP (issue 14 §4): 在线申请 with pre-fill and its sources, a material fetched only
when asked, previewed and confirmed, uploads checked by content, submission and receipt, 我的办件, 补正, 撤回, the
anonymous progress lookup, and another applicant's case not found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.cases.conftest import LICENCE_DATA, CasesWorld
from tests.cases.test_prefill import IDS, _grant, _system
from tests.factories import PASSWORD, SmallCity, actor_of, login, population_world
from tests.files.test_inspect import pdf
from tongban.cases import handling, service
from tongban.cases.api import LOOKUPS_PER_MINUTE, _lookups
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.schemas import CaseCreate, Decision, Review, SupplementRequest
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.items import service as items
from tongban.items.models import Implementation
from tongban.items.schemas import BasicItemIn, ImplementationIn
from tongban.licences.models import Licence
from tongban.org.auth import hash_password
from tongban.org.models import User
from tongban.seals import service as seals
from tongban.workflow import service as wf

PDF = pdf(1)
HTML = {"accept": "text/html"}


@dataclass
class World:
    city: SmallCity
    impl: Implementation
    a: User  # 王建华, in the population register
    b: User


def _citizen(session: Session, rid: str, name: str) -> User:
    u = User(username=rid, display_name=name, kind="citizen", id_number=rid, password_hash=hash_password(PASSWORD))
    session.add(u)
    session.commit()
    return u


@pytest.fixture
def applicants(tmp_path: Path, engine: Engine, session: Session, city: SmallCity) -> World:
    """户籍人口基本信息 in the hub, 一网通办平台 granted on it, a 承诺件 of the 人社局 taking an upload and a shared
    material, the department's seal (its notices are sealed), two citizens in the register."""
    admin = actor_of(city.users["admin"])
    wf.publish_shipped(session=session)
    seals.create_seal(session=session, actor=admin, seal_in=seals.SealCreate(department_id=city.hrss.id,
                                                                             kind="approval"))
    found = population_world(session, engine, city, tmp_path, name="户籍人口基本信息", granted=["id_number"])
    system = _system(session, city)
    _grant(session, city, system, found["resource"].id, ["id_number", "name", "gender", "address"], "hrss_data")
    items.create_basic_item(session=session, actor=admin, item_in=BasicItemIn(
        code="011000000009", name="就业创业证申领", item_type="公共服务", legal_basis="《就业服务与就业管理规定》",
        levels=["市级"]))
    hrss = actor_of(city.users["hrss_admin"])
    impl = items.create_implementation(session=session, actor=hrss, implementation_in=ImplementationIn.model_validate(
        dict(basic_code="011000000009", legal_days=20, promised_days=5, fee="不收费", conditions=[],
             steps=["申请", "受理", "审查", "决定"], visits=0, channels=["网上办理"], service_objects=["自然人"],
             online=True, instant=False, result_name="就业创业证", licence_type=None, materials=[
                 {"name": "申请书", "source": "upload"},
                 {"name": "申请人户籍信息", "source": "shared", "ref": "户籍人口基本信息:id_number,name,address"}])))
    items.submit_implementation(session=session, actor=hrss, implementation_id=impl.id)
    impl = items.approve_implementation(session=session, actor=admin, implementation_id=impl.id)
    _lookups._events.clear()  # each test starts with no lookups counted
    return World(city, impl, _citizen(session, IDS[0], "王建华"), _citizen(session, IDS[1], "李秀英"))


def _token(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m
    return m.group(1)


def _start(client: TestClient, world: World) -> tuple[int, str]:
    """Log in as 王建华, open 在线申请 from the guide, start: the draft's id and the CSRF token."""
    csrf = login(client, IDS[0])
    guide = client.get("/services/items/011000000009")
    assert "/services/apply/011000000009" in guide.text and "在线申请" in guide.text
    start = client.get("/services/apply/011000000009", headers=HTML)
    assert start.status_code == 200 and "开始申请" in start.text and "5 个工作日" in start.text
    r = client.post("/services/apply/011000000009", data={"csrf_token": csrf, "implementation_id": world.impl.id},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    case_id = int(r.headers["location"].split("/")[3])
    return case_id, csrf


def _materials(session: Session, case_id: int) -> dict[str, CaseMaterial]:
    session.expire_all()
    return {m.name: m for m in session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case_id))}


def _submit(client: TestClient, session: Session, world: World) -> tuple[int, str, str]:
    case_id, csrf = _start(client, world)
    mats = _materials(session, case_id)
    r = client.post(f"/my/cases/{case_id}/materials/{mats['申请书'].id}/file", data={"csrf_token": csrf},
                    files={"file": ("申请书.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    receipt = client.post(f"/my/cases/{case_id}/apply", data={"csrf_token": csrf, "action": "submit",
                                                               "note": "首次申领"})
    assert receipt.status_code == 200, receipt.text
    number = re.search(r'data-number>([^<]+)<', receipt.text)
    code = re.search(r'data-check-code><strong>([^<]+)<', receipt.text)
    assert number and code
    return case_id, number.group(1), code.group(1)


def test_login_is_asked_first_and_leads_back(client: TestClient, applicants: World) -> None:
    r = client.get("/services/apply/011000000009", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/services/apply/011000000009"


def test_the_form_is_prefilled_with_its_sources_and_nothing_is_fetched_before_asked(
        client: TestClient, session: Session, applicants: World) -> None:
    case_id, _ = _start(client, applicants)
    page = client.get(f"/my/cases/{case_id}/apply")
    assert page.status_code == 200
    text = page.text
    assert "王**" in text and "已脱敏" in text  # masked as the exchange masks
    assert "来源：共享数据“户籍人口基本信息”（安康市人力资源和社会保障局）" in text
    assert "不是我的信息？修改" in text
    assert "从共享数据获取" in text and "保存草稿" in text
    assert 'accept=".jpg,.jpeg,.jpe,.ofd,.pdf,.png' in text
    # The prefill is the only exchange call so far; it names the draft and shows in the applicant's data uses.
    entries = session.scalars(select(ExchangeLogEntry)).all()
    number = session.get(Case, case_id).number  # type: ignore[union-attr]
    assert len(entries) == 1 and entries[0].end_user == IDS[0] and "预填申请表" in entries[0].purpose
    assert number and entries[0].case_number == number
    uses = client.get("/my/data-uses", headers=HTML)
    assert "一网通办平台" in uses.text and "预填申请表" in uses.text

    # 不是我的信息？修改: a typed value replaces the registry's and no longer claims it as its source.
    csrf = _token(text)
    r = client.post(f"/my/cases/{case_id}/apply", data={"csrf_token": csrf, "action": "save", "f_name": "王建华",
                                                        "f_address": "西安市雁塔区长安南路 1 号", "note": "草稿"},
                    follow_redirects=False)
    assert r.status_code == 303 and "notice=" in r.headers["location"]
    again = client.get(f"/my/cases/{case_id}/apply").text
    assert "由您填写" in again and "西安市雁塔区长安南路 1 号" in again
    session.expire_all()
    case = session.get(Case, case_id)
    assert case is not None and case.form_data["address"] == "西安市雁塔区长安南路 1 号"
    assert case.form_data["name"] == "王建华"  # typed instead of the masked 王**
    source = {f["key"]: f for f in case.form_data["_prefill"]["fields"]}
    assert source["address"]["resource_name"] == "户籍人口基本信息" and source["name"]["masked"]


def test_fetch_preview_confirm(client: TestClient, session: Session, applicants: World) -> None:
    case_id, csrf = _start(client, applicants)
    hukou = _materials(session, case_id)["申请人户籍信息"]
    preview = client.post(f"/my/cases/{case_id}/materials/{hukou.id}/fetch", data={"csrf_token": csrf})
    assert preview.status_code == 200
    assert "确认使用" in preview.text and "改为上传" in preview.text and "王**" in preview.text
    assert _materials(session, case_id)["申请人户籍信息"].provided == "none"  # not used before confirmed
    token = re.search(r'name="token" value="(exchange:\d+)"', preview.text)
    assert token
    # A token of someone else's call (or made up) is refused with a Chinese message beside the material.
    bad = client.post(f"/my/cases/{case_id}/materials/{hukou.id}/confirm",
                      data={"csrf_token": csrf, "token": "exchange:999999"})
    assert bad.status_code == 422 and "调取记录无效" in bad.text
    ok = client.post(f"/my/cases/{case_id}/materials/{hukou.id}/confirm",
                     data={"csrf_token": csrf, "token": token.group(1)}, follow_redirects=False)
    assert ok.status_code == 303
    m = _materials(session, case_id)["申请人户籍信息"]
    assert (m.provided, m.shared_ref, m.confirmed_by_applicant) == ("shared", token.group(1), True)
    form = client.get(f"/my/cases/{case_id}/apply").text
    assert "共享数据调取" in form and f"/materials/{hukou.id}/upload-instead" in form
    # 改为上传: always allowed; the fetched data is no longer used.
    back = client.post(f"/my/cases/{case_id}/materials/{hukou.id}/upload-instead", data={"csrf_token": csrf},
                       follow_redirects=False)
    assert back.status_code == 303
    m = _materials(session, case_id)["申请人户籍信息"]
    assert (m.provided, m.shared_ref) == ("none", None)
    assert f"/materials/{hukou.id}/file" in client.get(f"/my/cases/{case_id}/apply").text


def test_a_disguised_executable_is_refused_in_chinese_next_to_the_field(
        client: TestClient, session: Session, applicants: World) -> None:
    case_id, csrf = _start(client, applicants)
    form = _materials(session, case_id)["申请书"]
    exe = b"MZ" + b"\x00" * 62 + b"This program cannot be run in DOS mode" + b"\x00" * 200
    r = client.post(f"/my/cases/{case_id}/materials/{form.id}/file", data={"csrf_token": csrf},
                    files={"file": ("申请书.pdf", exe, "application/pdf")})
    assert r.status_code == 422
    assert f'id="err-{form.id}"' in r.text and "可执行程序" in r.text
    assert _materials(session, case_id)["申请书"].provided == "none"
    # Submitting without it names what is missing.
    refused = client.post(f"/my/cases/{case_id}/apply", data={"csrf_token": csrf, "action": "submit"})
    assert refused.status_code == 422 and "请先上传这些必需材料：申请书" in refused.text


def test_submit_receipt_my_cases_and_the_anonymous_lookup(client: TestClient, session: Session,
                                                          applicants: World) -> None:
    case_id, number, code = _submit(client, session, applicants)
    receipt_case = session.get(Case, case_id)
    assert receipt_case is not None and receipt_case.status == "submitted" and receipt_case.number == number
    mine = client.get("/my/cases")
    assert number in mine.text and "已提交待受理" in mine.text and "等待窗口受理" in mine.text
    assert "受理期限" in mine.text
    page = client.get(f"/my/cases/{case_id}")
    assert page.status_code == 200 and "提交申请" in page.text and "撤回申请" in page.text
    # The departments' case page by number leads the applicant to their own view of the case.
    by_number = client.get(f"/cases/{number}", follow_redirects=False)
    assert by_number.status_code == 303 and by_number.headers["location"] == f"/my/cases/{case_id}"
    home = client.get("/home")
    assert "我的办件·办理中" in home.text

    anon = TestClient(client.app, base_url="http://testserver")
    form = anon.get("/services/progress")
    csrf = _token(form.text)
    wrong = anon.post("/services/progress", data={"csrf_token": csrf, "number": number, "check_code": "AAAAAA"})
    assert wrong.status_code == 422 and "办件编号或查询码不正确" in wrong.text and "data-progress" not in wrong.text
    right = anon.post("/services/progress", data={"csrf_token": csrf, "number": number, "check_code": code})
    assert right.status_code == 200 and "data-progress" in right.text and "已提交待受理" in right.text
    assert "王*" in right.text and "王建华" not in right.text and IDS[0] not in right.text


def test_the_anonymous_lookup_is_rate_limited_like_the_api(client: TestClient, session: Session,
                                                           applicants: World) -> None:
    csrf = _token(client.get("/services/progress").text)
    for _ in range(LOOKUPS_PER_MINUTE):
        r = client.post("/services/progress", data={"csrf_token": csrf, "number": "BJ2026120400001",
                                                     "check_code": "ZZZZZZ"})
        assert r.status_code == 422
    # The page and the API count together: the next guess is refused whichever way it comes.
    api = client.post("/api/v1/case-lookup", json={"number": "BJ2026120400001", "check_code": "ZZZZZZ"},
                      headers={"X-CSRF-Token": csrf})
    assert api.status_code == 429
    page = client.post("/services/progress", data={"csrf_token": csrf, "number": "BJ2026120400001",
                                                    "check_code": "ZZZZZZ"})
    assert page.status_code == 429 and "查询过于频繁" in page.text


def test_another_citizens_case_is_not_found(client: TestClient, session: Session, applicants: World) -> None:
    case_id, number, _ = _submit(client, session, applicants)
    client.cookies.clear()
    csrf = login(client, IDS[1])
    assert client.get(f"/my/cases/{case_id}", headers=HTML).status_code == 404
    assert client.get(f"/cases/{number}", headers=HTML, follow_redirects=False).status_code == 404
    assert client.get(f"/my/cases/{case_id}/apply", headers=HTML).status_code == 404
    r = client.post(f"/my/cases/{case_id}/withdraw", data={"csrf_token": csrf, "confirm": "yes"}, headers=HTML)
    assert r.status_code == 404
    mine = client.get("/my/cases").text
    assert "您还没有办件" in mine and number not in mine


def test_supplement_on_the_case_page(client: TestClient, session: Session, applicants: World) -> None:
    case_id, _, _ = _submit(client, session, applicants)
    form = _materials(session, case_id)["申请书"]
    handling.request_supplement(session=session, actor=actor_of(applicants.city.users["hrss_clerk"]), case_id=case_id,
                                request=SupplementRequest(items=[{"material_id": form.id, "how": "upload",
                                                                  "note": "申请书缺少本人签名"}]))
    session.commit()
    page = client.get(f"/my/cases/{case_id}")
    assert "补正材料" in page.text and "申请书缺少本人签名" in page.text and "提交补正" in page.text
    assert "补正材料通知书" in page.text  # the sealed notice, downloadable
    pdf_link = re.search(r'href="(/api/v1/documents/\d+/pdf)"', page.text)
    assert pdf_link and client.get(pdf_link.group(1)).content.startswith(b"%PDF")
    csrf = _token(page.text)
    early = client.post(f"/my/cases/{case_id}/supplement", data={"csrf_token": csrf})
    assert early.status_code == 422 and "请先补交这些材料：申请书" in early.text
    up = client.post(f"/my/cases/{case_id}/materials/{form.id}/file", data={"csrf_token": csrf},
                     files={"file": ("申请书（已签名）.pdf", pdf(2), "application/pdf")}, follow_redirects=False)
    assert up.status_code == 303 and up.headers["location"].startswith(f"/my/cases/{case_id}?")
    done = client.post(f"/my/cases/{case_id}/supplement", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Case, case_id).status == "submitted"  # type: ignore[union-attr]


def test_withdraw_with_a_reason_after_confirming(client: TestClient, session: Session, applicants: World) -> None:
    case_id, _, _ = _submit(client, session, applicants)
    csrf = _token(client.get(f"/my/cases/{case_id}").text)
    unconfirmed = client.post(f"/my/cases/{case_id}/withdraw", data={"csrf_token": csrf, "reason": "信息填错"})
    assert unconfirmed.status_code == 422 and "请勾选“确认撤回”" in unconfirmed.text and "信息填错" in unconfirmed.text
    r = client.post(f"/my/cases/{case_id}/withdraw", data={"csrf_token": csrf, "reason": "信息填错",
                                                           "confirm": "yes"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(f"/my/cases/{case_id}").text
    assert "已撤回" in page and "申请人撤回申请" in page and "撤回申请</h2>" not in page


# ---------------------------------------------------------------- an enterprise (tests/cases/conftest.py's world)


def _enterprise_login(client: TestClient, session: Session, world: CasesWorld) -> str:
    world.enterprise.password_hash = hash_password(PASSWORD)
    session.commit()
    return login(client, world.enterprise.username)


def _approved(session: Session, world: CasesWorld) -> Case:
    """营业执照 applied for (service level), accepted, reviewed, approved: the licence goes to the enterprise."""
    actor = world.actor("enterprise")
    case = service.create_draft(session=session, actor=actor, case_in=CaseCreate(
        implementation_id=world.company.id, form_data={"licence": LICENCE_DATA}))
    for m in session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case.id,
                                                        CaseMaterial.source == "upload")):
        service.upload_material(session=session, actor=actor, case_id=case.id, material_id=m.id, content=PDF,
                                filename="申请书.pdf")
    service.submit(session=session, actor=actor, case_id=case.id)
    clerk, reviewer = world.actor("amr_clerk"), world.actor("amr_reviewer")
    handling.accept(session=session, actor=clerk, case_id=case.id)
    handling.review(session=session, actor=reviewer, case_id=case.id, review_in=Review(opinion="材料齐全"))
    handling.decide(session=session, actor=reviewer, case_id=case.id, decision=Decision(decision="approve"))
    session.commit()
    return case


def test_the_result_links_the_delivered_licence_and_a_licence_is_fetched_previewed_confirmed(
        client: TestClient, session: Session, world: CasesWorld) -> None:
    first = _approved(session, world)
    csrf = _enterprise_login(client, session, world)
    page = client.get(f"/my/cases/{first.id}").text
    assert "准予许可" in page and 'href="/my/licences"' in page and "电子证照已发放" in page
    assert "准予行政许可决定书" in page and "撤回申请</h2>" not in page

    # Applying again: the 营业执照 now in the library is offered, fetched only on the click, previewed.
    r = client.post("/services/apply/011000000001", data={"csrf_token": csrf}, follow_redirects=False)
    case_id = int(r.headers["location"].split("/")[3])
    form = client.get(f"/my/cases/{case_id}/apply").text
    assert "从电子证照库获取" in form and "暂未能从共享数据预填" in form
    licence = _materials(session, case_id)["营业执照"]
    preview = client.post(f"/my/cases/{case_id}/materials/{licence.id}/fetch", data={"csrf_token": csrf}).text
    held = session.get(Licence, first.licence_id)
    assert held is not None
    assert "证照类型" in preview and held.number in preview and "确认使用" in preview
    assert (f'href="/my/licences/{held.id}/pdf"' in preview and "长期" in preview) or str(held.valid_to) in preview
    token = re.search(r'name="token" value="(licence:\d+:\d+)"', preview)
    assert token
    ok = client.post(f"/my/cases/{case_id}/materials/{licence.id}/confirm",
                     data={"csrf_token": csrf, "token": token.group(1)}, follow_redirects=False)
    assert ok.status_code == 303
    m = _materials(session, case_id)["营业执照"]
    assert (m.provided, m.licence_identifier) == ("licence", held.identifier)


def test_a_bundle_asks_its_question_and_submits_sub_cases(client: TestClient, session: Session,
                                                         world: CasesWorld) -> None:
    csrf = _enterprise_login(client, session, world)
    bundle_page = client.get("/services/bundles/KBQY").text
    assert "/services/apply/bundle/KBQY" in bundle_page
    start = client.get("/services/apply/bundle/KBQY", headers=HTML).text
    assert "开办企业一件事" in start and "单位参保登记" in start
    r = client.post("/services/apply/bundle/KBQY", data={"csrf_token": csrf}, follow_redirects=False)
    case_id = int(r.headers["location"].split("/")[3])
    form = client.get(f"/my/cases/{case_id}/apply").text
    assert "有雇员的需办理参保登记" in form and 'name="q_employees"' in form
    for m in _materials(session, case_id).values():
        if m.source == "upload" and m.required:
            client.post(f"/my/cases/{case_id}/materials/{m.id}/file", data={"csrf_token": csrf},
                        files={"file": ("申请书.pdf", PDF, "application/pdf")})
    unanswered = client.post(f"/my/cases/{case_id}/apply", data={"csrf_token": csrf, "action": "submit"})
    assert unanswered.status_code == 422 and "请先回答一件事的情形问题" in unanswered.text
    receipt = client.post(f"/my/cases/{case_id}/apply", data={"csrf_token": csrf, "action": "submit",
                                                               "q_employees": "3"})
    assert receipt.status_code == 200 and "申请已提交" in receipt.text
    assert "有限责任公司设立登记" in receipt.text and "单位参保登记" in receipt.text  # its sub-cases
    page = client.get(f"/my/cases/{case_id}").text
    assert page.count("data-sub-case=") == 2


def test_a_supplement_asking_the_platform_to_fetch_is_fetched_and_confirmed_on_the_case_page(
        client: TestClient, session: Session, applicants: World) -> None:
    case_id, _, _ = _submit(client, session, applicants)
    hukou = _materials(session, case_id)["申请人户籍信息"]
    assert hukou.provided == "none"
    handling.request_supplement(session=session, actor=actor_of(applicants.city.users["hrss_clerk"]),
                                case_id=case_id, request=SupplementRequest(items=[
                                    {"material_id": hukou.id, "how": "fetch", "note": "请授权调取户籍信息"}]))
    session.commit()
    page = client.get(f"/my/cases/{case_id}").text
    assert "授权平台调取" in page and "从共享数据获取" in page
    # The notice asks for the fetch; uploading instead stays the applicant's choice (tests/cases/test_upload_instead.py).
    assert f"/materials/{hukou.id}/file" in page and "或自行上传“申请人户籍信息”" in page
    csrf = _token(page)
    preview = client.post(f"/my/cases/{case_id}/materials/{hukou.id}/fetch", data={"csrf_token": csrf})
    assert preview.status_code == 200 and "补正材料" in preview.text and "确认使用" in preview.text
    token = re.search(r'name="token" value="(exchange:\d+)"', preview.text)
    assert token
    ok = client.post(f"/my/cases/{case_id}/materials/{hukou.id}/confirm",
                     data={"csrf_token": csrf, "token": token.group(1)}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].startswith(f"/my/cases/{case_id}?")
    done = client.post(f"/my/cases/{case_id}/supplement", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    session.expire_all()
    case = session.get(Case, case_id)
    assert case is not None and case.status == "submitted"
    assert _materials(session, case_id)["申请人户籍信息"].provided == "shared"
