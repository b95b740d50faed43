"""A window clerk finds a submitted case in the acceptance queue and accepts it; a reviewer finds it in the task
list, reviews and approves it — in Chromium, every page checked with axe-core (no serious or critical
violations), the case page readable at 390 px."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.login import login
from tests.cases.conftest import LICENCE_DATA, CasesWorld, world  # noqa: F401  (the cases' small city)
from tests.factories import PASSWORD
from tests.files.test_inspect import pdf
from tongban.cases import service
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.schemas import CaseCreate

SHOTS = Path(os.environ.get("TONGBAN_SCREENSHOTS", "var/screenshots"))


def _login(page: Page, base: str, username: str) -> None:
    login(page, base, username, PASSWORD)


def _submitted(session: Session, world: CasesWorld) -> str:  # noqa: F811
    actor = world.actor("enterprise")
    case = service.create_draft(session=session, actor=actor, case_in=CaseCreate.model_validate(
        {"implementation_id": world.company.id, "form_data": {"licence": LICENCE_DATA}}))
    for m in session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case.id,
                                                        CaseMaterial.source == "upload")):
        service.upload_material(session=session, actor=actor, case_id=case.id, material_id=m.id, content=pdf(1),
                                filename="申请书.pdf")
    number = service.submit(session=session, actor=actor, case_id=case.id).case.number
    session.commit()
    assert number
    return number


def test_clerk_accepts_and_reviewer_approves(live_server: str, page: Page, session: Session,
                                             world: CasesWorld) -> None:  # noqa: F811
    number = _submitted(session, world)
    SHOTS.mkdir(parents=True, exist_ok=True)

    # 1. The clerk finds it in the queue, with its deadline, and accepts it.
    _login(page, live_server, "amr_clerk")
    page.locator(".mainnav").get_by_role("link", name="受理队列").click()
    row = page.locator("tr", has=page.get_by_role("link", name=number))
    expect(row).to_contain_text("个工作日")
    row.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.locator(".case-diagram svg")).to_be_visible()
    page.screenshot(path=str(SHOTS / "case-clerk.png"), full_page=True)
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已受理")

    # 2. The reviewer finds it among the tasks, reviews and approves.
    _login(page, live_server, "amr_reviewer")
    page.locator(".mainnav").get_by_role("link", name="我的待办").click()
    page.get_by_role("link", name=number).click()
    page.get_by_label("审查意见").fill("材料齐全，符合法定条件")
    page.get_by_role("button", name="提交审查意见").click()
    expect(page.get_by_role("status")).to_contain_text("审查意见已提交")
    page.get_by_label("准予许可").check()
    page.get_by_role("button", name="作出决定").click()
    expect(page.get_by_role("status")).to_contain_text("已作出决定")
    expect(page.locator("#h-decision + .facts")).to_contain_text("准予许可")

    # 3. Readable on a phone: nothing but the diagram scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "case-decided-390.png"), full_page=True)
    _login(page, live_server, "amr_clerk")
    page.goto(f"{live_server}/cases/queue?status=submitted")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    session.expire_all()
    case = session.scalar(select(Case).where(Case.number == number))
    assert case is not None and (case.status, case.decision) == ("decided", "approve")
