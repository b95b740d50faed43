"""Issue 13 §3 acceptance, on a phone (390 × 844): an anonymous visitor finds the portal from the landing
page, searches in colloquial words, opens the guide and its printable version; no page scrolls sideways
and axe-core finds no serious or critical violation (the `page` fixture)."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, expect
from sqlalchemy.orm import Session

from tongban.demo.loader import DemoSummary

SHOTS = Path(os.environ.get("TONGBAN_SCREENSHOTS", "var/screenshots"))
PHONE: ViewportSize = {"width": 390, "height": 844}

_OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > width + 0.5)
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : "")
      + " " + Math.round(e.getBoundingClientRect().right) + "px");
  return {scroll: document.scrollingElement.scrollWidth, width, wide};
}"""


def _fits(page: Page) -> None:
    m = page.evaluate(_OVERFLOW)
    assert m["scroll"] <= m["width"], f"{page.url}: {m['scroll']}px wide on a {m['width']}px screen: {m['wide']}"


def test_anonymous_visitor_finds_reads_and_prints_a_guide_on_a_phone(demo: DemoSummary, live_server: str, page: Page,
                                                                      session: Session) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)

    # The landing page (login for anonymous visitors) leads to the portal through the menu.
    page.goto(f"{live_server}/")
    page.locator("label.navbutton").click()
    page.locator(".mainnav").get_by_role("link", name="办事服务").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("办事服务")
    expect(page.get_by_role("heading", name="个人办事")).to_be_visible()
    _fits(page)
    page.screenshot(path=str(SHOTS / "portal-home-phone.png"), full_page=True)

    # Searching in colloquial words: 开饭店.
    page.get_by_label("搜索办事服务").fill("开饭店")
    page.get_by_label("搜索办事服务").press("Enter")
    results = page.locator("#portal-results")
    expect(results).to_contain_text("开办餐饮店一件事")
    expect(results.locator("mark").first).to_be_visible()
    _fits(page)
    page.screenshot(path=str(SHOTS / "portal-search-phone.png"), full_page=True)

    # The guide.
    results.locator("[data-item]").filter(has_text="食品经营许可").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可")
    for heading in ("申请条件", "申请材料", "办理流程", "办理地点、时间和电话", "设定依据与办理结果"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("[data-material]").first).to_be_visible()
    _fits(page)
    page.screenshot(path=str(SHOTS / "portal-guide-phone.png"), full_page=True)

    # Printing: the print stylesheet leaves the guide without the menu and the search box …
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.get_by_role("heading", name="申请材料")).to_be_visible()
    page.emulate_media(media="screen")
    # … and the printable version is a PDF of the guide.
    href = page.get_by_role("link", name="下载打印版（PDF）").get_attribute("href")
    assert href
    pdf = page.request.get(f"{live_server}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    # The bundle of the search fits the phone too.
    page.go_back()
    page.locator("[data-bundle]").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("一件事")
    _fits(page)
