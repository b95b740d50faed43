"""axe-core on every page the browser tests visit: serious and critical violations fail the test.

axe-core (MPL-2.0, vendored from the npm registry: tests/browser/vendor/axe.min.js, licence alongside)
is added to every document as an init script, which the pages' Content-Security-Policy does not block,
so the pages are checked exactly as served.

When a document is checked: before the test's next action on the page (goto, click, fill, press …, on
the page or on a locator) and when the test ends, once per document and again after an htmx swap.
So every document a test looks at is checked in the state the test found it, and no check races a
navigation. (Checking from a route handler as the browser leaves a page would be neater, but a
playwright call made inside a sync route handler never returns.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
# After an htmx swap the document has new content: check it again.
_RECHECK_AFTER_SWAP = """document.addEventListener("htmx:afterSettle", () => { window.__tongbanAxeDone = false; });"""
# The actions after which a test may look at a different document or a changed one.
PAGE_ACTIONS = ("goto", "reload", "go_back", "go_forward", "click", "dblclick", "fill", "press", "check",
                "uncheck", "select_option", "set_input_files", "tap", "dispatch_event")
LOCATOR_ACTIONS = ("click", "dblclick", "fill", "press", "press_sequentially", "check", "uncheck", "set_checked",
                   "select_option", "set_input_files", "tap", "dispatch_event")
FAILING_IMPACTS = ("serious", "critical")

# Returns null when there is nothing to check (no HTML document, or this document was already checked).
_RUN = """async () => {
  if (window.__tongbanAxeDone || typeof axe === "undefined" || document.contentType !== "text/html") return null;
  window.__tongbanAxeDone = true;
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return {url: location.href, violations: result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n")[1])
  }))};
}"""


@dataclass
class AxeAudit:
    """The violations found on the pages one browser page has shown."""

    page: Page
    checked: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def install(self) -> None:
        self.page.context.add_init_script(script=AXE_SOURCE + "\n" + _RECHECK_AFTER_SWAP)

    def check(self) -> None:
        """Run axe on the document now shown, unless it was checked already."""
        if self.page.is_closed() or self.page.url in ("", "about:blank"):
            return
        try:
            report = self.page.evaluate(_RUN)
        except PlaywrightError as exc:  # e.g. the document was replaced by a navigation the test started
            self.errors.append(f"{self.page.url}: {exc.message.splitlines()[0]}")
            return
        if report is None:
            return
        self.checked.append(report["url"])
        for v in report["violations"]:
            if v["impact"] in FAILING_IMPACTS:
                self.violations.append({**v, "url": report["url"]})

    def failures(self) -> str:
        lines = [f"{v['url']}: [{v['impact']}] {v['id']} — {v['help']}\n    " + "\n    ".join(v["nodes"])
                 for v in self.violations]
        return "\n".join(lines)


_audits: dict[int, AxeAudit] = {}


def _checked_first(action: Callable[..., Any], page_of: Callable[[Any], Page]) -> Callable[..., Any]:
    @wraps(action)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        audit = _audits.get(id(page_of(self)))
        if audit is not None:
            audit.check()
        return action(self, *args, **kwargs)
    return run


@contextmanager
def audited(page: Page, monkeypatch: pytest.MonkeyPatch) -> Iterator[AxeAudit]:
    """Check every document `page` shows while the block runs; the caller asserts on the violations."""
    audit = AxeAudit(page)
    audit.install()
    _audits[id(page)] = audit
    for name in PAGE_ACTIONS:
        monkeypatch.setattr(Page, name, _checked_first(getattr(Page, name), lambda p: p))
    for name in LOCATOR_ACTIONS:
        monkeypatch.setattr(Locator, name, _checked_first(getattr(Locator, name), lambda loc: loc.page))
    try:
        yield audit
        audit.check()
    finally:
        _audits.pop(id(page), None)
