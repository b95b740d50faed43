"""A data officer finds a resource by a Chinese keyword and requests two of its items; the platform
passes the compliance check, the provider approves in their inbox, and the consumer sees the grant."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.browser.login import login
from tongban.demo import loader
from tongban.demo.loader import DemoSummary

SHOTS = Path(os.environ.get("TONGBAN_SCREENSHOTS", "var/screenshots"))


def _login(page: Page, base: str, username: str) -> None:
    login(page, base, username, loader.DEMO_PASSWORD)


def test_find_request_approve_and_see_the_grant(demo: DemoSummary, live_server: str, page: Page, session: Session) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)

    # 1. 市场监管局's data officer searches the catalog in Chinese.
    _login(page, live_server, "amr_data")
    page.locator(".mainnav").get_by_role("link", name="目录", exact=True).click()
    page.get_by_label("检索信息资源").fill("无犯罪记录")
    page.get_by_role("button", name="检索").click()
    result = page.locator("#catalog-results").get_by_role("link", name="无犯罪记录证明开具信息")
    expect(result).to_be_visible()
    page.screenshot(path=str(SHOTS / "catalog-search.png"), full_page=True)
    result.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("无犯罪记录证明开具信息")
    expect(page.locator("body")).to_contain_text("安康市公安局")

    # 2. … and asks for two of its items for the department's registration system.
    page.get_by_role("link", name="申请共享").click()
    page.get_by_label("公民身份号码").check()
    page.get_by_label("证明用途").check()
    page.get_by_role("textbox", name="用途", exact=True).fill("办理娱乐场所从业人员备案时核验无犯罪记录证明")
    page.get_by_label("履职依据").fill("《娱乐场所管理条例》第五条")
    page.get_by_label("使用场景").fill("娱乐场所从业人员备案一网通办")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("status")).to_contain_text("申请已提交")
    number = page.locator("h1 .mono").inner_text()

    # 3. The platform's compliance check passes it to the provider.
    _login(page, live_server, "admin")
    page.goto(f"{live_server}/sharing?tab=compliance")
    page.get_by_role("link", name=number).click()
    page.get_by_role("button", name="合规，通过").click()
    expect(page.get_by_role("status")).to_contain_text("合规审查意见已提交")

    # 4. 公安局's data officer finds it in the inbox, with its deadline, and approves.
    _login(page, live_server, "psb_data")
    page.locator(".mainnav").get_by_role("link", name="数据共享").click()
    page.get_by_role("link", name="待本部门答复").click()
    row = page.locator("tr", has=page.get_by_role("link", name=number))
    expect(row).to_contain_text("待提供方答复")
    page.screenshot(path=str(SHOTS / "provider-inbox.png"), full_page=True)
    page.get_by_role("link", name=number).click()
    page.get_by_role("button", name="同意共享").click()
    expect(page.get_by_role("status")).to_contain_text("答复已提交")

    # 5. The consumer sees the grant with exactly the two items.
    _login(page, live_server, "amr_data")
    page.goto(f"{live_server}/sharing?tab=grants")
    grant_row = page.locator("tr", has_text="无犯罪记录证明开具信息")
    expect(grant_row).to_contain_text("有效")
    expect(grant_row).to_contain_text("2 项")
    grant_row.get_by_role("link").first.click()
    expect(page.locator(".facts")).to_contain_text("公民身份号码")
    expect(page.locator(".facts")).to_contain_text("证明用途")
    page.screenshot(path=str(SHOTS / "consumer-grant.png"), full_page=True)
