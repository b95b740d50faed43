"""A live server on loopback and a real Chromium (Debian's, driven by playwright)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """One Chromium for the browser tests. Package scope, not session: playwright's sync API keeps an event
    loop running in the main thread while it is open, and every later test calling asyncio.run (or
    anyio.run, as cases/prefill.py does from sync code) would fail with "cannot be called from a running
    event loop"."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system-deps` (Debian package chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A browser page whose every document is checked with axe-core (see tests/browser/axe.py)."""
    from tests.browser.axe import audited

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    with audited(pg, monkeypatch) as audit:
        yield pg
    context.close()
    assert not audit.violations, "axe-core: serious or critical accessibility violations\n" + audit.failures()
