"""Logging in through the real login form in a browser page (shared by the browser tests)."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def login(page: Page, base: str, username: str, password: str) -> None:
    """Log `username` in on `page` (its context's earlier session cookies dropped) and wait for the home page."""
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("用户名 / 身份证号 / 信用代码").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
