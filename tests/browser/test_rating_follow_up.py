"""Issue 15's browser test: a citizen rates a finished case 非常不满意 on a phone; the department calls back,
verifies, rectifies within a deadline and tells the applicant; the supervisor sees the whole trail (every step,
who and when, in Beijing time) and the department's 差评整改率 go from 0 % to 100 % on the indicators dashboard.

The demo city (one copy), with the demo citizen's house-transfer draft submitted and handled to 办结 through the
cases' use-cases as the setup (as the other browser tests build their cases). Everything after that happens on
real pages: the citizen on a 390 px phone, the department's window clerk and the supervisor on desktops, each in
a browser context of their own, logged in once; every page of every context is checked with axe-core. The
indicators' rollup job (indicators.refresh) runs as a setup step before each reading, as the job runner would.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.axe import AxeAudit, audited
from tests.browser.login import login
from tests.browser.test_phone_width import _overflow
from tests.files.test_inspect import pdf
from tongban.audit.models import AuditEntry
from tongban.cases import handling, service
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.schemas import Decision, Review
from tongban.demo import city
from tongban.demo.loader import DEMO_PASSWORD, DemoSummary
from tongban.identifiers import mask_name
from tongban.indicators import rollup
from tongban.org.auth import user_actor
from tongban.org.models import Department, User
from tongban.ratings.models import Rating
from tongban.ratings.standard import BAD_TAGS, ONLINE
from tongban.web.templating import beijing

SHOTS = Path(os.environ.get("TONGBAN_SCREENSHOTS", "var/screenshots"))
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
HANDLER = "bdc_clerk"  # the window clerk of the department that handled the case (window_clerk: rating.handle)
TAG = BAD_TAGS[ONLINE]["XS03"]  # 办事不便捷（跑动次数多、重复提交材料）
COMPLAINT = "网上申请后又被要求到窗口重复提交身份证复印件，跑了两趟。"
NOTICE = "已取消窗口重复收取身份证复印件的要求，办事指南已更正，感谢您的监督。"


@dataclass(frozen=True)
class Finished:
    number: str  # 办件编号
    item_name: str
    department: str
    citizen_login: str
    citizen_name: str
    handler_name: str


def _actor(session: Session, username: str):  # type: ignore[no-untyped-def]
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return user_actor(user, client_ip="127.0.0.1")


def _finish(session: Session) -> Finished:
    """The demo citizen's draft (房屋转移登记 at the real-estate centre) submitted, accepted, reviewed, refused
    (不予登记: no e-licence to fill in) and concluded (办结). Runs in a worker thread: signing the decision starts
    an event loop, and playwright's sync API keeps one running in the test's thread."""
    citizen = city.CITIZENS[0]
    applicant = _actor(session, citizen.resident_id)
    case = session.scalars(select(Case).where(Case.applicant_user_id == applicant.id,
                                              Case.status == "draft")).one()
    for m in session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case.id,
                                                        CaseMaterial.source == "upload",
                                                        CaseMaterial.required.is_(True))):
        service.upload_material(session=session, actor=applicant, case_id=case.id, material_id=m.id,
                                content=pdf(1), filename=f"{m.name[:40]}.pdf")
    service.submit(session=session, actor=applicant, case_id=case.id)
    clerk, reviewer = _actor(session, HANDLER), _actor(session, "bdc_reviewer")
    handling.accept(session=session, actor=clerk, case_id=case.id)
    handling.review(session=session, actor=reviewer, case_id=case.id,
                    review_in=Review(opinion="房屋存在查封登记，不符合转移登记条件。"))
    handling.decide(session=session, actor=reviewer, case_id=case.id, decision=Decision(
        decision="refuse", reason="该房屋已被人民法院查封，依据《不动产登记暂行条例》第二十二条不予登记。"))
    handling.close(session=session, actor=clerk, case_id=case.id)
    session.commit()
    department = session.get(Department, case.department_id)
    handler = session.execute(select(User).where(User.username == HANDLER)).scalar_one()
    assert case.number and department is not None and case.status == "closed"
    return Finished(case.number, case.item_name, department.name, citizen.resident_id, citizen.name,
                    handler.display_name)


@pytest.fixture
def finished(demo: DemoSummary, session: Session) -> Finished:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_finish, session).result()


def _rollup(session: Session) -> None:
    """The indicators.refresh job's pass (the job runner calls the same function)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(rollup.refresh, session).result()


def _login(page: Page, base: str, username: str) -> None:
    login(page, base, username, DEMO_PASSWORD)


@pytest.fixture
def desks(browser: Browser, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Page]]:
    """The department's window clerk and the supervisor, each in a context of their own on a desktop screen,
    every page checked with axe-core."""
    audits: list[AxeAudit] = []
    with ExitStack() as stack:
        pages = {}
        for who in (HANDLER, "supervisor"):
            context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=DESKTOP)
            stack.callback(context.close)
            pages[who] = context.new_page()
            audits.append(stack.enter_context(audited(pages[who], monkeypatch)))
        yield pages
    failures = "\n".join(a.failures() for a in audits if a.violations)
    assert not failures, "axe-core: serious or critical accessibility violations\n" + failures


def _rectified_rate(page: Page) -> tuple[str, str]:
    """The 差评整改率 of the selection shown, and its numerator / denominator, from the dashboard's table."""
    row = page.locator('#table-totals tr[data-code="rectified_rate"]')
    return row.locator(".value").inner_text().strip(), row.locator("td.mono").inner_text().strip()


def _dashboard(page: Page, base: str, department: str, period: str) -> tuple[str, str]:
    page.goto(f"{base}/indicators")
    page.get_by_label("统计期间").fill(period)
    chooser = page.get_by_role("combobox", name="部门", exact=True)
    chooser.select_option(label=department)
    page.get_by_role("button", name="统计").click()
    expect(chooser.locator("option:checked")).to_have_text(department)
    return _rectified_rate(page)


def test_a_bad_rating_called_back_rectified_told_and_seen_by_the_supervisor(
        live_server: str, page: Page, desks: dict[str, Page], session: Session, finished: Finished) -> None:
    base = live_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    too_wide: list[str] = []
    page.set_viewport_size(PHONE)

    # 1. The citizen, on a phone, opens the finished case and follows the rating link.
    _login(page, base, finished.citizen_login)
    page.goto(f"{base}/my/cases")
    page.locator(f"[data-case='{finished.number}']").get_by_role("link", name=finished.item_name).click()
    expect(page.locator("[data-status]").first).to_have_text("已办结")
    too_wide += _overflow(page, "case page")
    page.locator("[data-rate]").click()
    expect(page).to_have_url(f"{base}/my/ratings/{finished.number}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"评价：{finished.item_name}")
    too_wide += _overflow(page, "rating form")

    # … rates 非常不满意 with a standard tag and free text.
    page.get_by_label("非常不满意").check()
    page.get_by_label(TAG).check()
    page.get_by_label("评价内容").fill(COMPLAINT)
    page.screenshot(path=str(SHOTS / "rating-form-390.png"), full_page=True)
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("status")).to_contain_text("感谢您的评价")
    rated = page.locator("[data-rating]")
    expect(rated.locator("[data-level]")).to_have_text("非常不满意")
    expect(rated).to_contain_text(TAG)
    expect(rated).to_contain_text(COMPLAINT)
    expect(rated).to_contain_text("承办部门处理中：待回访")
    number = rated.get_attribute("data-rating") or ""
    assert number.startswith("PJ"), number
    too_wide += _overflow(page, "rated")

    session.expire_all()
    rating = session.scalars(select(Rating).where(Rating.number == number)).one()
    period = beijing(rating.created_at, "%Y-%m")

    # 2. The supervisor reads the department's 差评整改率 before any follow-up (the rollup job has run).
    _rollup(session)
    supervisor = desks["supervisor"]
    _login(supervisor, base, "supervisor")
    supervisor.locator(".mainnav").get_by_role("link", name="绩效指标").click()
    before = _dashboard(supervisor, base, finished.department, period)
    assert before == ("0.00%", "0 / 1"), before

    # 3. The department's window clerk finds the rating under 好差评 and follows it up step by step.
    clerk = desks[HANDLER]
    _login(clerk, base, HANDLER)
    clerk.locator(".mainnav").get_by_role("link", name="好差评").click()
    row = clerk.locator(f"tr[data-rating='{number}']")
    expect(row).to_contain_text("非常不满意")
    expect(row).to_contain_text("待回访")
    expect(row).to_contain_text(mask_name(finished.citizen_name))
    row.get_by_role("link", name=number).click()
    expect(clerk.get_by_role("heading", level=1)).to_have_text(f"评价 {number}")
    expect(clerk.locator("[data-tags]")).to_contain_text(TAG)

    expect(clerk.get_by_label("回访时间（北京时间）")).not_to_have_value("")  # now, in Beijing time: kept
    clerk.get_by_label("回访情况").fill("电话回访申请人，确认窗口要求重复提交身份证复印件。")
    clerk.get_by_role("button", name="记录回访").click()
    expect(clerk.get_by_role("status")).to_contain_text("回访已记录")
    clerk.get_by_label("核实情况").fill("经核实，窗口仍按旧版办事指南收取复印件，网上已核验身份，属重复提交。")
    clerk.get_by_role("button", name="记录核实").click()
    expect(clerk.get_by_role("status")).to_contain_text("核实情况已记录")
    clerk.get_by_label("整改措施").fill("更正办事指南，窗口不再收取已网上核验的身份证复印件。")
    clerk.get_by_label("整改期限（工作日，5 至 15 个）").fill("5")
    clerk.get_by_role("button", name="限期整改").click()
    expect(clerk.get_by_role("status")).to_contain_text("整改期限已确定")
    expect(clerk.locator("[data-status]")).to_contain_text("整改中")
    expect(clerk.locator("[data-step=rectify_plan]")).to_contain_text("5 个工作日")
    clerk.screenshot(path=str(SHOTS / "rating-rectifying.png"), full_page=True)
    clerk.get_by_label("整改结果").fill("办事指南已更正并发布，窗口人员已培训。")
    clerk.get_by_role("button", name="整改完成").click()
    expect(clerk.get_by_role("status")).to_contain_text("整改结果已记录")
    clerk.get_by_label("告知申请人的处理结果").fill(NOTICE)
    clerk.get_by_role("button", name="告知申请人").click()
    expect(clerk.get_by_role("status")).to_contain_text("已告知申请人处理结果")
    expect(clerk.locator("[data-status]")).to_have_attribute("data-status", "notified")
    expect(clerk.locator("form[data-form]")).to_have_count(0)  # nothing left to do

    # The applicant sees the outcome on the rating page.
    page.reload()
    expect(page.locator("[data-outcome]")).to_contain_text(NOTICE)
    too_wide += _overflow(page, "outcome")
    page.screenshot(path=str(SHOTS / "rating-outcome-390.png"), full_page=True)
    assert too_wide == [], "pages wider than a phone: " + "; ".join(too_wide)

    # 4. The supervisor opens the rating and sees the whole trail: every step, who, which department, when.
    supervisor.locator(".mainnav").get_by_role("link", name="好差评").click()
    supervisor.locator(f"tr[data-rating='{number}']").get_by_role("link", name=number).click()
    expect(supervisor.get_by_role("heading", level=1)).to_have_text(f"评价 {number}")
    trail = supervisor.locator("[data-trail] tbody tr")
    session.expire_all()
    entries = session.scalars(select(AuditEntry).where(AuditEntry.object_id == number,
                                                       AuditEntry.action.like("rating.%"),
                                                       AuditEntry.result == "success").order_by(AuditEntry.seq)).all()
    assert [e.action for e in entries] == ["rating.create", "rating.callback", "rating.verify",
                                           "rating.rectify_plan", "rating.rectified", "rating.notify"]
    expect(trail).to_have_count(len(entries))
    shown = [[c.strip() for c in trail.nth(i).locator("td").all_inner_texts()] for i in range(len(entries))]
    assert [r[1] for r in shown] == ["提交好差评", "差评回访", "差评核实", "限期整改", "整改完成", "整改结果告知申请人"], shown
    assert [r[0] for r in shown] == [beijing(e.occurred_at) for e in entries]  # Beijing time, from the log
    assert shown[0][2] == mask_name(finished.citizen_name) and shown[0][4] == COMPLAINT
    assert {r[2] for r in shown[1:]} == {finished.handler_name}
    assert {r[3] for r in shown[1:]} == {finished.department}
    assert shown[-1][4] == NOTICE
    supervisor.screenshot(path=str(SHOTS / "rating-trail.png"), full_page=True)

    # … and on the dashboard, after the rollup job's next pass, the department's 差评整改率 at 100 %.
    _rollup(session)
    after = _dashboard(supervisor, base, finished.department, period)
    assert after == ("100.00%", "1 / 1"), after
    supervisor.screenshot(path=str(SHOTS / "rating-rectified-rate.png"), full_page=True)

    # What the pages showed is what happened.
    session.expire_all()
    follow = session.scalars(select(Rating).where(Rating.number == number)).one().follow_up
    assert follow is not None and follow.status == "notified" and follow.rectify_days == 5
    assert follow.notice_text == NOTICE
