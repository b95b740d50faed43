"""A staff member logs in through a real browser and sees their home page in Chinese."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tongban.demo import loader

SHOTS = Path(os.environ.get("TONGBAN_SCREENSHOTS", "var/screenshots"))


def test_clerk_logs_in_and_sees_home_in_chinese(live_server: str, page: Page, session: Session) -> None:
    loader.load(session, with_catalog=False)
    page.goto(f"{live_server}/admin/users")
    expect(page).to_have_url(f"{live_server}/login?next=/admin/users")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_label("用户名 / 身份证号 / 信用代码").fill("amr_clerk")
    page.get_by_label("密码").fill("wrong-password-1")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")

    page.get_by_label("用户名 / 身份证号 / 信用代码").fill("amr_clerk")
    page.get_by_label("密码").fill(loader.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    # Back where they wanted to go: their department's staff list, and nobody else's.
    expect(page).to_have_url(f"{live_server}/admin/users")
    expect(page.get_by_role("heading", name="本部门人员")).to_be_visible()
    expect(page.locator("table")).to_contain_text("袁志刚")
    expect(page.locator("table")).not_to_contain_text("潘宏伟")  # 人社局's admin

    page.get_by_role("link", name="首页").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("吕晓丽，您好")
    expect(page.locator(".welcome")).to_contain_text("安康市市场监督管理局")
    expect(page.locator(".welcome")).to_contain_text("窗口受理人员")
    expect(page.get_by_role("heading", name="常用功能")).to_be_visible()
    expect(page.get_by_role("heading", name="我的最近操作")).to_be_visible()
    expect(page.locator("table")).to_contain_text("登录")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "home-clerk.png"), full_page=True)

    # On a phone the menu folds behind a button and still works.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".mainnav")).to_be_hidden()
    page.locator(".navbutton").click()
    expect(page.locator(".mainnav").get_by_role("link", name="人员")).to_be_visible()
    page.screenshot(path=str(SHOTS / "home-clerk-phone.png"), full_page=True)

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(f"{live_server}/login")


def test_admin_creates_a_user_and_sees_field_errors(live_server: str, page: Page, session: Session) -> None:
    loader.load(session, with_catalog=False)
    page.goto(f"{live_server}/login")
    page.get_by_label("用户名 / 身份证号 / 信用代码").fill("amr_admin")
    page.get_by_label("密码").fill(loader.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server}/admin/users/new")
    page.get_by_label("用户名").fill("amr_new_clerk")
    page.get_by_label("姓名").fill("周新")
    page.get_by_label("初始密码").fill("Passw0rd-2026")
    page.get_by_label("窗口受理人员").check()
    page.get_by_label("手机号码").fill("12345")
    page.get_by_role("button", name="创建").click()
    expect(page.locator(".field-error")).to_contain_text("手机号码应为 11 位数字")
    page.get_by_label("初始密码").fill("Passw0rd-2026")
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_role("status")).to_contain_text("已创建工作人员账号")
    expect(page.get_by_role("heading", level=1)).to_contain_text("周新")
