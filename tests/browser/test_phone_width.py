"""Issue 13 §3: every citizen-facing page works on a phone (390 × 844) without sideways scrolling and passes
axe-core (the `page` fixture fails a test on any serious or critical violation); a citizen logs in and
reads who used their data, in Chinese and in Beijing time."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import quote

import httpx
from playwright.sync_api import Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, SmallCity, population_ids, population_world
from tongban.catalog.models import InformationResource
from tongban.demo import city as demo_city
from tongban.demo import loader
from tongban.demo.loader import DemoSummary
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.licences.models import Licence
from tongban.org.models import User

SHOTS = Path(os.environ.get("TONGBAN_SCREENSHOTS", "var/screenshots"))
PHONE: ViewportSize = {"width": 390, "height": 844}

# The elements that stick out to the right (for the failure message: what to fix, not just that).
_OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > width + 0.5)
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : "")
      + " " + Math.round(e.getBoundingClientRect().right) + "px");
  return {scroll: document.scrollingElement.scrollWidth, width, wide};
}"""


def _overflow(page: Page, what: str) -> list[str]:
    """[] when the page shown is no wider than the phone's screen, else what sticks out."""
    m = page.evaluate(_OVERFLOW)
    return [] if m["scroll"] <= m["width"] else [f"{what}: {m['scroll']}px wide on a {m['width']}px screen: {m['wide']}"]


def _visit(page: Page, url: str) -> list[str]:
    page.goto(url)
    expect(page.locator("h1").first).to_be_visible()
    return _overflow(page, url)


def _log_in(page: Page, base: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("用户名 / 身份证号 / 信用代码").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("form[action='/logout']")).to_be_attached()


def test_citizen_facing_pages_fit_a_phone(demo: DemoSummary, live_server: str, page: Page, session: Session) -> None:
    page.set_viewport_size(PHONE)
    citizen_licence = session.execute(select(Licence.identifier).where(
        Licence.holder_code == demo_city.CITIZENS[0].resident_id)).scalars().first()
    resource = session.execute(select(InformationResource.id).where(
        InformationResource.status == "published", InformationResource.open_to_public.is_(True))).scalars().first()
    assert citizen_licence is not None and resource is not None

    too_wide: list[str] = []
    # Anonymous: the public pages, a verification result by identifier (what the QR code opens).
    for path in ("/login", "/catalog", f"/catalog/resources/{resource}", "/verify", f"/verify/{citizen_licence}",
                 "/verify?identifier=1.2.156.3005.2.11100000000000000X.0000.20260101.000000001.1"):
        too_wide += _visit(page, live_server + path)
    # The menu opens on a phone and fits too.
    page.get_by_text("菜单").click()
    expect(page.locator("nav.mainnav")).to_be_visible()
    too_wide += _overflow(page, "/verify (menu open)")

    # A citizen (whose data the demo's market regulator used) and an enterprise.
    for username in (demo_city.CITIZENS[0].resident_id, demo_city.ENTERPRISES[0].uscc):
        _log_in(page, live_server, username, loader.DEMO_PASSWORD)
        for path in ("/home", "/messages", "/my/licences", "/my/data-uses", "/verify"):
            too_wide += _visit(page, live_server + path)
        page.get_by_text("菜单").click()
        expect(page.get_by_role("link", name="谁用了我的数据")).to_be_visible()
        too_wide += _overflow(page, f"/verify (menu open, {username[:6]}…)")
        # The verification result of one of their own licences, and a full page with uses for the citizen.
        page.goto(f"{live_server}/my/licences")
        page.get_by_role("link", name="核验链接").first.click()
        expect(page.locator("[data-outcome]")).to_be_visible()
        too_wide += _overflow(page, page.url)
    assert not too_wide, "sideways scrolling at 390 px:\n" + "\n".join(too_wide)
    SHOTS.mkdir(parents=True, exist_ok=True)
    _log_in(page, live_server, demo_city.CITIZENS[0].resident_id, loader.DEMO_PASSWORD)
    page.goto(f"{live_server}/my/data-uses")
    expect(page.locator(".use").first).to_contain_text("安康市市场监督管理局")
    page.screenshot(path=str(SHOTS / "my-data-uses-phone.png"), full_page=True)
    page.goto(f"{live_server}/my/licences")
    page.screenshot(path=str(SHOTS / "my-licences-phone.png"), full_page=True)
    page.goto(f"{live_server}/verify/{citizen_licence}")
    page.screenshot(path=str(SHOTS / "licence-verify-phone.png"), full_page=True)
    page.goto(f"{live_server}/catalog/resources/{resource}")
    page.screenshot(path=str(SHOTS / "catalog-resource-phone.png"), full_page=True)


def test_citizen_sees_who_used_their_data_in_chinese(live_server: str, page: Page, session: Session,
                                                     engine: Engine, city: SmallCity, tmp_path: Path) -> None:
    world = population_world(session, engine, city, tmp_path, name="户籍人口信息", granted=["id_number", "name", "address"])
    subject = population_ids()[0]
    owner = session.execute(select(User).where(User.kind == "citizen")).scalars().first()
    assert owner is not None
    owner.id_number = owner.username = subject
    session.commit()
    # 市场监管局's registration system asks for the citizen's record through the real gateway, over HTTP.
    purpose, case_number = "企业开办登记核验法定代表人身份", "QYKB202600042"
    answer = httpx.get(f"{live_server}/api/v1/exchange/{world['resource'].code}/records/{subject}", headers={
        "Authorization": f"Bearer {world['secret']}", "X-Purpose": quote(purpose), "X-End-User": subject,
        "X-Case-Number": case_number}, trust_env=False)
    assert answer.status_code == 200, answer.text
    used_at = session.execute(select(ExchangeLogEntry.occurred_at)).scalars().one()
    beijing = (used_at + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")

    page.set_viewport_size(PHONE)
    _log_in(page, live_server, subject, PASSWORD)
    page.get_by_role("link", name="谁用了我的数据").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("谁用了我的数据")
    expect(page.locator("main")).to_contain_text("政务数据共享条例")
    use = page.locator(".use")
    expect(use).to_have_count(1)
    expect(use.locator("time")).to_have_text(beijing)
    expect(use.locator("time")).to_have_attribute("datetime", (used_at + dt.timedelta(hours=8)).strftime(
        "%Y-%m-%dT%H:%M:%S+08:00"))
    for shown in (city.amr.name, "业务系统", "户籍人口信息", city.hrss.name, "公民身份号码", "姓名", "户籍地址", purpose,
                  case_number):
        expect(use).to_contain_text(shown)
    for hidden in ("id_number", "address", world["resource"].code):
        expect(use).not_to_contain_text(hidden)
    assert not _overflow(page, page.url)
