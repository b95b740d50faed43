"""Per-address limits on the public verification: anyone may verify, nobody may flood it.

Uploads are checked by parsing and verifying a PDF of up to 10 MB, so an anonymous caller is held
to a number per minute, counted when the upload's body is first read and before any of it is
received (the gate of the verify routes in web/limits.py), so a refused flood costs no uploads.
Counted in the process's memory: with several app processes the limit
applies per process, which is enough to blunt a flood without a shared store.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import TYPE_CHECKING

from tongban.config import get_settings
from tongban.errors import TooManyRequests

if TYPE_CHECKING:
    from starlette.requests import Request


class SlidingWindow:
    """At most `limit` events per key in any `seconds`-long window."""

    def __init__(self, seconds: float = 60.0) -> None:
        self.seconds = seconds
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, now: float | None = None) -> int:
        """Record one event; returns 0 when allowed, else the seconds until the next is allowed."""
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.seconds:
                events.popleft()
            if len(events) >= limit:
                return max(1, int(events[0] + self.seconds - now) + 1)
            events.append(now)
            if len(self._events) > 10_000:  # forget quiet addresses so memory stays bounded
                for stale in [k for k, v in self._events.items() if not v or v[-1] <= now - self.seconds]:
                    del self._events[stale]
            return 0


_uploads = SlidingWindow()


def check_upload(client_ip: str) -> None:
    """Refuse a verification upload when the address has used up its minute."""
    limit = get_settings().verify_uploads_per_minute
    wait = _uploads.hit(client_ip or "unknown", limit) if limit > 0 else 0
    if wait:
        raise TooManyRequests(f"核验过于频繁：每个地址每分钟最多上传 {limit} 份文件，请 {wait} 秒后再试。",
                              code="verify_rate_limited", retry_after=wait)


def upload_gate(request: Request) -> None:
    """The gate of the verify upload routes (registered in tongban.licences.register): count the upload
    per address before any of its body is received."""
    from tongban.deps import client_ip

    check_upload(client_ip(request))
