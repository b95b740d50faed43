"""任务与消息 — notifications: versioned templates, 站内信 / e-mail / SMS messages with a delivery status.

    from tongban.notifications import notify, deadline_near, department_staff

`notify` makes messages in the caller's transaction and queues their delivery (job notifications.deliver);
see docs/architecture.md (通知与消息) and docs/operations.md for channels, settings and templates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tongban.notifications.service import deadline_near, deadline_passed, deliver, department_staff, notify

__all__ = ["deadline_near", "deadline_passed", "deliver", "department_staff", "notify"]


if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers and menu entries of this domain (tongban/registry.py; orders are global)."""
    platform.add_router("tongban.notifications.pages:router", order=270)
    platform.add_nav("消息", "/messages", order=120, css_class="messages",
                     when=lambda a: a.kind in ("staff", "citizen", "enterprise"),
                     badge="tongban.notifications.queries:UNREAD", badge_label="未读")
