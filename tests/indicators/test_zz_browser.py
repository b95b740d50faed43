"""The supervisor opens 绩效指标 in a real browser: ECharts draws the chosen indicator under the CSP, the
definition is beside it, the tables carry the same numbers, and axe-core finds no serious violation.
(Named to run last in this package: the browser fixture keeps playwright's event loop open until the end.)"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session
from tests.browser.conftest import browser, page  # noqa: F401  (the browser tests' fixtures)
from tests.factories import PASSWORD
from tests.indicators.conftest import World

from tongban import clock
from tongban.indicators import rollup

SHOTS = Path(os.environ.get("TONGBAN_SCREENSHOTS", "var/screenshots"))


def test_supervisor_sees_the_dashboard(live_server: str, page: Page, session: Session,  # noqa: F811
                                       world: World) -> None:
    with clock.frozen(dt.date(2026, 11, 30)):
        rollup.refresh(session)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(f"{live_server}/login")
    page.get_by_label("用户名 / 身份证号 / 信用代码").fill("supervisor")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator(".mainnav").get_by_role("link", name="绩效指标").click()
    expect(page).to_have_url(f"{live_server}/indicators")
    page.get_by_label("统计期间").fill("2026-11")
    page.get_by_role("button", name="统计").click()
    expect(page.locator("#period-label")).to_have_text("2026年11月")
    expect(page.locator('#table-totals tr[data-code="on_time"] .value')).to_have_text("80.00%")

    charts = page.locator("#indicator-charts")
    expect(charts).to_be_visible()
    page.get_by_label("图中指标").select_option("on_time")
    expect(page.locator("#indicator-definition")).to_contain_text("按时办结率：在承诺期限内决定的办结件数")
    drawn = page.evaluate("""() => {
        const option = echarts.getInstanceByDom(document.querySelector('[data-chart="groups"]')).getOption();
        const names = option.yAxis[0].data, values = option.series[0].data;
        return Object.fromEntries(names.map((n, i) => [n, values[i]]));
    }""")
    assert drawn == {"安康市市场监督管理局": 66.67, "安康市人力资源和社会保障局": 100.0}
    months = page.evaluate("""() => echarts.getInstanceByDom(document.querySelector('[data-chart="months"]'))
        .getOption().series[0].data""")
    assert months == [80.0]
    expect(page.locator("#table-groups")).to_contain_text("66.67%")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "indicators-dashboard.png"), full_page=True)
    assert problems == [], problems
