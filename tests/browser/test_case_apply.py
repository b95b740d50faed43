"""Issue 14 §4 on a phone (390 × 844) with axe-core on every page (the `page` fixture): a citizen opens a
guide, 在线申请, sees the form pre-filled with its source, asks for a shared material, previews and confirms it,
uploads the application form, submits, keeps the 查询码 from the receipt, finds the case in 我的办件, and anyone
looks its progress up by number and 查询码 — nothing sticking out sideways."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, expect
from sqlalchemy.orm import Session

from tests.browser.test_phone_width import _overflow
from tests.cases.test_citizen_pages import IDS, World, applicants  # noqa: F401  (the fixture)
from tests.factories import PASSWORD
from tests.files.test_inspect import pdf

SHOTS = Path(os.environ.get("TONGBAN_SCREENSHOTS", "var/screenshots"))
PHONE: ViewportSize = {"width": 390, "height": 844}


def test_citizen_applies_on_a_phone(live_server: str, page: Page, session: Session, applicants: World,  # noqa: F811
                                    tmp_path: Path) -> None:
    page.set_viewport_size(PHONE)
    too_wide: list[str] = []

    # Not logged in: 在线申请 asks for the login first and comes back.
    page.goto(f"{live_server}/services/items/011000000009")
    page.locator("[data-apply]").click()
    expect(page).to_have_url(f"{live_server}/login?next=/services/apply/011000000009")
    page.get_by_label("用户名 / 身份证号 / 信用代码").fill(IDS[0])
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("在线申请：就业创业证申领")
    too_wide += _overflow(page, "apply start")
    page.get_by_role("button", name="开始申请").click()

    # The form, pre-filled with where each value came from (masked as the exchange masks).
    expect(page.get_by_role("heading", level=1)).to_have_text("填写申请：就业创业证申领")
    name = page.locator("[data-field=name]")
    expect(name.locator("[data-value]")).to_have_text("王**")
    expect(name.locator("[data-source]")).to_contain_text("户籍人口基本信息")
    too_wide += _overflow(page, "form")

    # Fetched only when asked, previewed, then confirmed.
    hukou = page.locator("[data-material=申请人户籍信息]")
    hukou.get_by_role("button", name="从共享数据获取").click()
    preview = page.locator("[data-preview]")
    expect(preview).to_contain_text("王**")
    too_wide += _overflow(page, "preview")
    preview.get_by_role("button", name="确认使用").click()
    expect(page.locator("[data-material=申请人户籍信息] [data-provided]")).to_have_text("共享数据调取")

    # The application form is uploaded (a real PDF), then the case is submitted.
    form_pdf = tmp_path / "申请书.pdf"
    form_pdf.write_bytes(pdf(1))
    upload = page.locator("[data-material=申请书]")
    upload.locator("input[type=file]").set_input_files(str(form_pdf))
    upload.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("[data-material=申请书] [data-provided]")).to_have_text("已上传")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申请已提交")
    number = page.locator("[data-number]").inner_text().strip()
    code = page.locator("[data-check-code]").inner_text().strip()
    expect(page.get_by_role("note")).to_contain_text("只显示这一次")
    too_wide += _overflow(page, "receipt")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "case-receipt-390.png"), full_page=True)

    # 我的办件 and the case page.
    page.goto(f"{live_server}/my/cases")
    card = page.locator(f"[data-case='{number}']")
    expect(card).to_contain_text("已提交待受理")
    too_wide += _overflow(page, "/my/cases")
    card.get_by_role("link", name="就业创业证申领").click()
    expect(page.locator("[data-timeline]")).to_contain_text("提交申请")
    too_wide += _overflow(page, "case page")

    # Anyone with the number and the 查询码.
    page.context.clear_cookies()
    page.goto(f"{live_server}/services/progress")
    page.get_by_label("办件编号").fill(number)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("[data-progress] [data-status]")).to_have_text("已提交待受理")
    too_wide += _overflow(page, "/services/progress")
    assert too_wide == [], "pages wider than a phone: " + "; ".join(too_wide)
