"""Every main page of every demo role, once, checked by axe-core (the `page` fixture fails the test on any
serious or critical violation; see tests/browser/axe.py)."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tongban.demo import city, loader
from tongban.demo.loader import DemoSummary

ROLES = ["admin", "supervisor", "amr_data", "amr_clerk", "psb_reviewer",
         city.CITIZENS[0].resident_id, city.ENTERPRISES[0].uscc]
PUBLIC = ["/login", "/catalog", "/verify"]


def _log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("用户名 / 身份证号 / 信用代码").fill(username)
    page.get_by_label("密码").fill(loader.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def test_every_main_page_of_every_demo_role_passes_axe(demo: DemoSummary, live_server: str, page: Page, session: Session) -> None:
    for path in PUBLIC:
        page.goto(live_server + path)
    visited: set[str] = set()
    for username in ROLES:
        _log_in(page, live_server, username)
        menu = page.locator("nav.mainnav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert "/home" in menu
        # The menu's pages, and the first detail page each list links to (one of each kind is enough).
        for path in menu:
            page.goto(live_server + path)
            expect(page.locator("h1").first).to_be_visible()
            detail = page.locator(f"main table a[href^='{path}/'], main .cat-result a[href^='{path}/']").first
            href = detail.get_attribute("href") if detail.count() else None
            if href and href.split("?")[0] not in visited and not href.endswith((".pdf", ".xlsx", "/pdf")):
                visited.add(href.split("?")[0])
                page.goto(live_server + href)
        if "/admin/licence-types" in menu:
            # The 停用/启用 buttons sit on the white panel with no background of their own: axe leaves
            # such text "incomplete", so check that they are not white-on-white (they once were).
            page.goto(f"{live_server}/admin/licence-types")
            button = page.get_by_role("button", name="停用").first
            expect(button).to_be_visible()
            assert button.evaluate("b => getComputedStyle(b).color") != "rgb(255, 255, 255)"
            expect(page.locator("table th").last).not_to_be_empty()
        # Error pages wear the same layout and must pass too.
        page.goto(f"{live_server}/no/such/page")
        expect(page.get_by_role("heading", name="未找到")).to_be_visible()
