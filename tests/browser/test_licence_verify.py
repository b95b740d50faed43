"""Issue 5 acceptance: a citizen opens 我的证照, follows the licence's verification link (the QR
code's target) and sees it valid with their name masked; anyone who uploads an altered copy of
the PDF on the public verification page is told it has been tampered with."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, SmallCity, actor_of, citizen, department, staff
from tongban.demo.licence_data import LICENCE_TYPES, type_code
from tongban.licences import issuing, licence_types
from tongban.seals import service as seals

SHOTS = Path(os.environ.get("TONGBAN_SCREENSHOTS", "var/screenshots"))


def _issue_household_move(session: Session, city: SmallCity) -> tuple[str, str]:
    """户口迁移证明 issued by 公安局 to a citizen; returns the citizen's username and the identifier."""
    psb = department(session, "安康市公安局", code="city-psb")
    reviewer = staff(session, "psb_reviewer", psb, "reviewer", name="周立新")
    holder = citizen(session, name="王小明")
    session.commit()
    admin = actor_of(city.users["admin"])
    seals.create_seal(session=session, actor=admin, seal_in=seals.SealCreate(department_id=psb.id, kind="official"))
    seed = LICENCE_TYPES[3]
    household = licence_types.create_type(session=session, actor=admin, type_in=licence_types.LicenceTypeIn(
        code=type_code(seed), name=seed.name, defining_org_name=seed.defining_org_name,
        defining_org_code=type_code(seed)[:18], holder_kind=seed.holder_kind, items=seed.items, layout=seed.layout,
        validity_years=seed.validity_years, issuer_department_ids=[psb.id]))
    assert holder.id_number is not None
    licence = issuing.issue(session=session, actor=actor_of(reviewer), licence_in=issuing.LicenceIssue(
        type_id=household.id, holder_name="王小明", holder_code=holder.id_number,
        data={"gender": "男", "birth_date": "1990-05-01", "from_address": "陕西省安康市汉滨区老城街道兴安路 3 号",
              "to_address": "陕西省西安市雁塔区长安南路 88 号", "reason": "工作调动"},
        service_item_name="户口迁移（跨省通办）"))
    return holder.username, licence.identifier


def test_citizen_verifies_by_qr_link_and_an_altered_copy_is_caught(live_server: str, page: Page, browser: Browser,
                                                                     session: Session, city: SmallCity) -> None:
    # Signing runs pyhanko's event loop with asyncio.run, which cannot start in this thread while
    # playwright's sync API has its loop here: issue from a worker thread.
    with ThreadPoolExecutor(1) as pool:
        username, identifier = pool.submit(_issue_household_move, session, city).result()
    SHOTS.mkdir(parents=True, exist_ok=True)

    # 1. The citizen logs in and opens 我的证照.
    page.goto(f"{live_server}/login")
    page.get_by_label("用户名 / 身份证号 / 信用代码").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator(".mainnav").get_by_role("link", name="我的证照").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的证照")
    card = page.locator(".cat-result", has_text="户口迁移证明")
    expect(card).to_contain_text("安康市公安局")
    expect(card).to_contain_text("有效")
    with page.expect_download() as download_info:
        card.get_by_role("link", name="下载证照 PDF").click()
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")

    # 2. The verification link (what the QR code opens) says 有效, with the holder's name masked.
    card.get_by_role("link", name="核验链接").click()
    expect(page).to_have_url(f"{live_server}/verify/{identifier}")
    verdict = page.locator("[data-outcome]")
    expect(verdict).to_have_attribute("data-outcome", "valid")
    expect(verdict).to_contain_text("有效")
    facts = page.locator("#verdict-facts")
    expect(facts).to_contain_text("王**")
    expect(facts).not_to_contain_text("王小明")
    expect(facts).to_contain_text(identifier)
    page.screenshot(path=str(SHOTS / "licence-verify-valid.png"), full_page=True)

    # 3. Anyone, not logged in, uploads a copy with one byte changed: 已被篡改.
    altered = bytearray(pdf)
    altered[len(altered) // 2] ^= 0x01
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        stranger = context.new_page()
        stranger.goto(f"{live_server}/verify")
        expect(stranger.locator(".mainnav")).to_contain_text("登录")
        stranger.get_by_label("证照 PDF 文件").set_input_files(
            files=[{"name": "户口迁移证明.pdf", "mimeType": "application/pdf", "buffer": bytes(altered)}])
        stranger.get_by_role("button", name="核验文件").click()
        verdict = stranger.locator("[data-outcome]")
        expect(verdict).to_have_attribute("data-outcome", "altered")
        expect(verdict).to_contain_text("已被篡改")
        stranger.screenshot(path=str(SHOTS / "licence-verify-altered.png"), full_page=True)

        # … while the genuine file verifies.
        stranger.get_by_label("证照 PDF 文件").set_input_files(
            files=[{"name": "户口迁移证明.pdf", "mimeType": "application/pdf", "buffer": pdf}])
        stranger.get_by_role("button", name="核验文件").click()
        expect(stranger.locator("[data-outcome]")).to_have_attribute("data-outcome", "valid")
        expect(stranger.locator("#verdict-checks")).to_contain_text("PDF 签名")
    finally:
        context.close()
