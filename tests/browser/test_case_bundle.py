"""Issue 14's browser test, end to end: a citizen applies for a bundle (一件事) with prefill, previews a fetched
licence, submits; two reviewers of two departments approve in parallel; the citizen receives the e-licences and
verifies one.

The citizen is on a phone (390 px), the staff on desktops, each in a browser context of their own; every page of
every context is checked with axe-core. The world is built through the domains' services: the `applicants` world
(户籍人口基本信息 in the hub, 一网通办平台 granted on it, 王建华 in the register), plus a 公安局 that issued 王建华's
居民身份证, and a published bundle of two items of two departments, each issuing its own e-licence with its seal.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.axe import AxeAudit, audited
from tests.browser.login import login
from tests.browser.test_phone_width import _overflow
from tests.cases.test_citizen_pages import IDS, World, applicants  # noqa: F401  (the fixture)
from tests.factories import PASSWORD, SmallCity, actor_of, department, staff
from tests.files.test_inspect import pdf
from tongban.cases.models import Case
from tongban.demo.licence_data import LICENCE_TYPES, defining_code, type_code
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.items import service as items
from tongban.items.schemas import BasicItemIn, BundleIn, ImplementationIn
from tongban.licences import issuing, licence_types
from tongban.licences.models import Licence, LicenceType
from tongban.org.models import Department
from tongban.seals import service as seals

SHOTS = Path(os.environ.get("TONGBAN_SCREENSHOTS", "var/screenshots"))
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
BUNDLE, BUNDLE_NAME = "JNJY", "技能就业一件事"
AMR_ITEM, HRSS_ITEM = "特种设备作业人员资格认定", "就业创业证申领（技能就业）"
AMR_LICENCE, HRSS_LICENCE = "特种设备安全管理和作业人员证", "就业创业证"
ID_CARD = "居民身份证"


@dataclass
class BundleWorld:
    applicants: World
    id_card_number: str  # 王建华's 居民身份证, issued by the 公安局 before he applies


def _licence_type(session: Session, city: SmallCity, name: str, org: str, serial: str, issuer: Department,
                  items_: list[dict[str, Any]], validity_years: int | None = None) -> LicenceType:
    code = defining_code(org) + serial
    return licence_types.create_type(session=session, actor=actor_of(city.users["admin"]),
                                     type_in=licence_types.LicenceTypeIn(
                                         code=code, name=name, defining_org_name=org, defining_org_code=code[:18],
                                         holder_kind="person", items=items_, validity_years=validity_years,
                                         layout={"title": name, "orientation": "portrait", "columns": 1},
                                         issuer_department_ids=[issuer.id]))


def _item(session: Session, city: SmallCity, dept_user: str, code: str, name: str, licence: str,
          materials: list[dict[str, str]]) -> None:
    admin = actor_of(city.users["admin"])
    items.create_basic_item(session=session, actor=admin, item_in=BasicItemIn(
        code=code, name=name, item_type="行政许可", legal_basis="《中华人民共和国行政许可法》", levels=["市级"]))
    who = actor_of(city.users[dept_user])
    impl = items.create_implementation(session=session, actor=who, implementation_in=ImplementationIn.model_validate(
        dict(basic_code=code, legal_days=20, promised_days=10, fee="不收费", conditions=[],
             steps=["申请", "受理", "审批", "决定"], visits=0, channels=["网上办理"], service_objects=["自然人"],
             online=True, instant=False, result_name=licence, licence_type=licence, materials=materials)))
    items.submit_implementation(session=session, actor=who, implementation_id=impl.id)
    items.approve_implementation(session=session, actor=admin, implementation_id=impl.id)


def _build(session: Session, world: World) -> str:
    """The 公安局 and 王建华's 居民身份证; the two items, their licence types and seals; the bundle. Returns the
    identity card's number. Runs in a worker thread: signing starts an event loop, which cannot start in the
    thread where playwright's sync API keeps its own."""
    city = world.city
    admin = actor_of(city.users["admin"])
    psb = department(session, "安康市公安局汉滨分局", code="hanbin-psb")
    police = staff(session, "psb_reviewer", psb, "reviewer", name="周立新")
    session.commit()
    for dept in (psb, city.amr):  # 人社局's seal is the applicants world's
        seals.create_seal(session=session, actor=admin, seal_in=seals.SealCreate(department_id=dept.id,
                                                                                 kind="approval"))
    seed = next(s for s in LICENCE_TYPES if s.name == ID_CARD)
    id_card = licence_types.create_type(session=session, actor=admin, type_in=licence_types.LicenceTypeIn(
        code=type_code(seed), name=seed.name, defining_org_name=seed.defining_org_name,
        defining_org_code=type_code(seed)[:18], holder_kind=seed.holder_kind, items=seed.items, layout=seed.layout,
        validity_years=20, issuer_department_ids=[psb.id]))
    card = issuing.issue(session=session, actor=actor_of(police), licence_in=issuing.LicenceIssue(
        type_id=id_card.id, holder_name="王建华", holder_code=IDS[0],
        data={"gender": "男", "nation": "汉", "birth_date": "1985-03-01", "address": "陕西省安康市汉滨区兴安路 3 号"},
        service_item_name="居民身份证申领"))
    gender = [{"key": "gender", "name": "性别", "type": "text", "required": True}]
    _licence_type(session, city, AMR_LICENCE, "国家市场监督管理总局", "903", city.amr, gender, validity_years=4)
    _licence_type(session, city, HRSS_LICENCE, "人力资源和社会保障部", "902", city.hrss, gender)
    hukou = {"name": "申请人户籍信息", "source": "shared", "ref": "户籍人口基本信息:id_number,name,address"}
    _item(session, city, "amr_admin", "011000000031", AMR_ITEM, AMR_LICENCE, [
        {"name": "申请书", "source": "upload"}, {"name": ID_CARD, "source": "licence", "ref": ID_CARD}, hukou])
    _item(session, city, "hrss_admin", "011000000032", HRSS_ITEM, HRSS_LICENCE, [
        {"name": "申请书", "source": "upload"}, {"name": ID_CARD, "source": "licence", "ref": ID_CARD}])
    items.create_bundle(session=session, actor=admin, bundle_in=BundleIn(
        code=BUNDLE, name=BUNDLE_NAME, event="技能就业", audience="person", lead_department_id=city.hrss.id,
        members=[{"basic_code": "011000000031"}, {"basic_code": "011000000032"}]))
    session.commit()
    return card.number


@pytest.fixture
def skilled(session: Session, applicants: World) -> BundleWorld:  # noqa: F811
    with ThreadPoolExecutor(1) as pool:
        number = pool.submit(_build, session, applicants).result()
    return BundleWorld(applicants, number)


def _login(page: Page, base: str, username: str) -> None:
    login(page, base, username, PASSWORD)


@pytest.fixture
def desks(browser: Browser, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Page]]:
    """The staff's browsers: the lead department's window clerk and one reviewer of each department, each in a
    context of its own (its own login) on a desktop screen, every page checked with axe-core."""
    audits: list[AxeAudit] = []
    with ExitStack() as stack:
        pages = {}
        for who in ("hrss_clerk", "amr_reviewer", "hrss_reviewer"):
            context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=DESKTOP)
            stack.callback(context.close)
            pages[who] = context.new_page()
            audits.append(stack.enter_context(audited(pages[who], monkeypatch)))
        yield pages
    failures = "\n".join(a.failures() for a in audits if a.violations)
    assert not failures, "axe-core: serious or critical accessibility violations\n" + failures


def test_a_bundle_applied_for_on_a_phone_approved_in_parallel_and_its_licence_verified(
        live_server: str, page: Page, desks: dict[str, Page], session: Session, skilled: BundleWorld,
        tmp_path: Path) -> None:
    base = live_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    too_wide: list[str] = []
    page.set_viewport_size(PHONE)

    # 1. The citizen logs in, opens the bundle's guide and 在线申请.
    _login(page, base, IDS[0])
    page.goto(f"{base}/services/bundles/{BUNDLE}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(BUNDLE_NAME)
    too_wide += _overflow(page, "bundle guide")
    page.locator("[data-apply]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"在线申请：{BUNDLE_NAME}")
    expect(page.locator("dl.facts")).to_contain_text(AMR_ITEM)
    page.get_by_role("button", name="开始申请").click()

    # 2. One form for both items, pre-filled from the population register with its source.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"填写申请：{BUNDLE_NAME}")
    name = page.locator("[data-field=name]")
    expect(name.locator("[data-value]")).to_have_text("王**")
    expect(name.locator("[data-source]")).to_contain_text("户籍人口基本信息")
    expect(page.locator("[data-field=gender] [data-value]")).to_have_text("男")
    expect(page.locator("[data-material]")).to_have_count(3)  # 申请书 and 居民身份证 asked once for both items
    too_wide += _overflow(page, "bundle form")

    # 3. The 居民身份证 from the licence library: fetched on the click, previewed, confirmed.
    card = page.locator(f"[data-material={ID_CARD}]")
    card.get_by_role("button", name="从电子证照库获取").click()
    preview = page.locator("[data-preview]")
    expect(preview).to_contain_text(skilled.id_card_number)
    expect(preview).to_contain_text("安康市公安局汉滨分局")
    expect(page.locator(f"[data-material={ID_CARD}] [data-provided]")).to_have_attribute("data-provided", "none")
    too_wide += _overflow(page, "licence preview")
    page.screenshot(path=str(SHOTS / "bundle-licence-preview-390.png"), full_page=True)
    preview.get_by_role("button", name="确认使用").click()
    expect(page.locator(f"[data-material={ID_CARD}] [data-provided]")).to_have_text("电子证照调取")

    # … the 户籍信息 from shared data the same way; the application form is uploaded.
    page.locator("[data-material=申请人户籍信息]").get_by_role("button", name="从共享数据获取").click()
    page.locator("[data-preview]").get_by_role("button", name="确认使用").click()
    expect(page.locator("[data-material=申请人户籍信息] [data-provided]")).to_have_text("共享数据调取")
    form_pdf = tmp_path / "申请书.pdf"
    form_pdf.write_bytes(pdf(1))
    upload = page.locator("[data-material=申请书]")
    upload.locator("input[type=file]").set_input_files(str(form_pdf))
    upload.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("[data-material=申请书] [data-provided]")).to_have_text("已上传")

    # 4. Submitted: one number, two sub-cases.
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申请已提交")
    number = page.locator("[data-number]").inner_text().strip()
    expect(page.locator("main")).to_contain_text(AMR_ITEM)
    expect(page.locator("main")).to_contain_text(HRSS_ITEM)
    too_wide += _overflow(page, "receipt")
    amr_sub, hrss_sub = f"{number}-1", f"{number}-2"

    # 5. The lead department's window clerk accepts the whole case.
    clerk = desks["hrss_clerk"]
    _login(clerk, base, "hrss_clerk")
    clerk.locator(".mainnav").get_by_role("link", name="受理队列").click()
    clerk.get_by_role("link", name=number, exact=True).click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text(number)
    clerk.get_by_role("button", name="受理", exact=True).click()
    expect(clerk.get_by_role("status")).to_contain_text("已受理")

    # 6. Both departments' tasks are open at once: each reviewer opens their sub-case before either decides.
    opened = {}
    for who, sub in (("amr_reviewer", amr_sub), ("hrss_reviewer", hrss_sub)):
        reviewer = desks[who]
        _login(reviewer, base, who)
        reviewer.locator(".mainnav").get_by_role("link", name="我的待办").click()
        reviewer.get_by_role("link", name=sub, exact=True).click()
        expect(reviewer.get_by_role("heading", level=1)).to_contain_text(sub)
        expect(reviewer.get_by_role("button", name="作出决定")).to_be_visible()
        opened[who] = reviewer
    opened["hrss_reviewer"].screenshot(path=str(SHOTS / "bundle-parallel-hrss.png"), full_page=True)
    for who in ("hrss_reviewer", "amr_reviewer"):  # the second's page was loaded before the first decided
        reviewer = opened[who]
        reviewer.get_by_label("准予许可").check()
        reviewer.get_by_role("button", name="作出决定").click()
        expect(reviewer.get_by_role("status")).to_contain_text("已作出决定")

    # 7. The lead department concludes the case (办结).
    clerk.goto(f"{base}/cases/{number}")
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("已决定")
    clerk.get_by_role("button", name="办结", exact=True).click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("已办结")

    # 8. The citizen's case: 办结, 准予许可, the sealed decisions of both departments.
    page.goto(f"{base}/my/cases")
    page.locator(f"[data-case='{number}']").get_by_role("link", name=BUNDLE_NAME).click()
    expect(page.locator("[data-status]").first).to_have_text("已办结")
    expect(page.locator("[data-result]")).to_contain_text("准予许可")
    expect(page.locator("[data-notice=准予行政许可决定书]")).to_have_count(2)
    expect(page.locator(f"[data-sub-case='{amr_sub}']")).to_contain_text("已办结")  # 办结 reaches every sub-case
    expect(page.locator("[data-result] [data-licence]")).to_have_count(2)  # each department's e-licence
    too_wide += _overflow(page, "case decided")
    page.screenshot(path=str(SHOTS / "bundle-decided-390.png"), full_page=True)

    # 9. 我的证照: both new e-licences; the sealed PDF downloaded and verified on /verify.
    page.locator("[data-result]").get_by_role("link", name="到“我的证照”查看和下载").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的证照")
    for licence_name, issuer in ((AMR_LICENCE, "安康市市场监督管理局"), (HRSS_LICENCE, "安康市人力资源和社会保障局")):
        expect(page.locator(".cat-result", has_text=licence_name)).to_contain_text(issuer)
    too_wide += _overflow(page, "/my/licences")
    result = page.locator(".cat-result", has_text=AMR_LICENCE)
    with page.expect_download() as download:
        result.get_by_role("link", name="下载证照 PDF").click()
    licence_pdf = Path(download.value.path()).read_bytes()
    assert licence_pdf.startswith(b"%PDF")
    page.goto(f"{base}/verify")
    page.get_by_label("证照 PDF 文件").set_input_files(
        files=[{"name": f"{AMR_LICENCE}.pdf", "mimeType": "application/pdf", "buffer": licence_pdf}])
    page.get_by_role("button", name="核验文件").click()
    verdict = page.locator("[data-outcome]")
    expect(verdict).to_have_attribute("data-outcome", "valid")
    expect(verdict).to_contain_text("有效")
    too_wide += _overflow(page, "/verify")
    page.screenshot(path=str(SHOTS / "bundle-licence-verified-390.png"), full_page=True)

    # 10. 谁用了我的数据: the platform's fetches for this case, the case number as their purpose.
    page.goto(f"{base}/my/data-uses")
    uses = page.locator("main")
    expect(uses).to_contain_text("一网通办平台")
    expect(uses).to_contain_text(number)
    too_wide += _overflow(page, "/my/data-uses")
    assert too_wide == [], "pages wider than a phone: " + "; ".join(too_wide)

    # What the pages showed is what happened.
    session.expire_all()
    parent = session.scalar(select(Case).where(Case.number == number))
    assert parent is not None and (parent.status, parent.decision, parent.process_key) == ("closed", "approve", "joint")
    subs = session.scalars(select(Case).where(Case.parent_id == parent.id).order_by(Case.number)).all()
    assert [(s.number, s.decision) for s in subs] == [(amr_sub, "approve"), (hrss_sub, "approve")]
    held = {lic.type.name for lic in session.scalars(select(Licence).where(Licence.holder_code == IDS[0]))}
    assert held == {ID_CARD, AMR_LICENCE, HRSS_LICENCE}
    entries = session.scalars(select(ExchangeLogEntry).where(ExchangeLogEntry.end_user == IDS[0])).all()
    assert entries and {e.case_number for e in entries} == {number}
