"""Public verification is open to anyone, but one address cannot flood it with uploads."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tongban.config import get_settings
from tongban.licences import throttle


def test_sliding_window() -> None:
    window = throttle.SlidingWindow(seconds=60)
    assert [window.hit("a", 2, now=t) for t in (0.0, 1.0)] == [0, 0]
    assert window.hit("a", 2, now=2.0) == 59  # the first event leaves the window at 60 s
    assert window.hit("b", 2, now=2.0) == 0  # another address is not affected
    assert window.hit("a", 2, now=60.5) == 0


def test_uploads_over_the_limit_are_refused_with_a_chinese_message(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONGBAN_VERIFY_UPLOADS_PER_MINUTE", "2")
    get_settings.cache_clear()
    monkeypatch.setattr(throttle, "_uploads", throttle.SlidingWindow())
    files = {"file": ("x.pdf", b"%PDF-1.7 not really", "application/pdf")}
    assert [client.post("/api/v1/verify", files=files).status_code for _ in range(2)] == [200, 200]
    refused = client.post("/api/v1/verify", files=files)
    assert refused.status_code == 429 and refused.json()["code"] == "verify_rate_limited"
    assert "每分钟最多上传 2 份" in refused.json()["message"] and int(refused.headers["retry-after"]) >= 1
    get_settings.cache_clear()
