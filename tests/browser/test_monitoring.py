"""The platform admin opens 共享交换监测 in a real browser: ECharts draws the three charts under the CSP."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, SmallCity, app_client, published_resource
from tests.monitoring.conftest import World, client_actor, log_calls
from tongban.exchange import sealing

SHOTS = Path(os.environ.get("TONGBAN_SCREENSHOTS", "var/screenshots"))


def test_admin_sees_monitoring_charts(live_server: str, page: Page, session: Session, city: SmallCity) -> None:
    resources = [published_resource(session, city.users["amr_data"], name="企业登记基本信息"),
                 published_resource(session, city.users["hrss_data"], name="社会保险参保信息")]
    clients = [app_client(session, city.hrss, code="hrss-social"), app_client(session, city.amr, code="amr-reg")]
    session.commit()
    world = World(city=city, resources=resources, clients=clients, actors=[client_actor(c) for c in clients])
    log_calls(session, world, 200, seed=21)
    assert sealing.seal(session) == 200

    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    def _csp(m: ConsoleMessage) -> None:
        if "Content Security Policy" in m.text:
            problems.append(m.text)

    page.on("console", _csp)

    page.goto(f"{live_server}/login")
    page.get_by_label("用户名 / 身份证号 / 信用代码").fill("admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator(".mainnav").get_by_role("link", name="交换监测").click()
    expect(page).to_have_url(f"{live_server}/monitoring/exchange")
    expect(page.get_by_role("heading", level=1)).to_have_text("共享交换监测")
    expect(page.locator("#kpi-calls")).to_have_text("200")

    charts = page.locator("#monitoring-charts")
    expect(charts).to_be_visible()
    for name in ("calls", "latency", "consumers"):
        canvas = charts.locator(f'[data-chart="{name}"] canvas')
        expect(canvas).to_have_count(1)
        box = canvas.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100, (name, box)
    # What ECharts drew is what the statistics say.
    drawn = page.evaluate("""() => {
        const el = document.querySelector('[data-chart="calls"]');
        const series = echarts.getInstanceByDom(el).getOption().series;
        return series[0].data.reduce((a, b) => a + b, 0);
    }""")
    assert drawn == 200
    bars = page.evaluate("""() => echarts.getInstanceByDom(document.querySelector('[data-chart="consumers"]'))
        .getOption().series[0].data.length""")
    assert bars == 2
    expect(page.locator("#table-resources")).to_contain_text("企业登记基本信息")

    # Filtering by day redraws from the new statistics.
    page.get_by_label("统计粒度").select_option("day")
    page.get_by_role("button", name="统计").click()
    expect(page).to_have_url(f"{live_server}/monitoring/exchange?start=" + page.url.split("start=")[1])
    count = page.evaluate("""() => echarts.getInstanceByDom(document.querySelector('[data-chart="calls"]'))
        .getOption().xAxis[0].data.length""")
    assert count == 7
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "monitoring-exchange.png"), full_page=True)
    assert problems == [], problems
