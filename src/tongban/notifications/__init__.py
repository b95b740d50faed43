"""任务与消息 — notifications: versioned templates, 站内信 / e-mail / SMS messages with a delivery status.

    from tongban.notifications import notify, deadline_near, department_staff

`notify` makes messages in the caller's transaction and queues their delivery (job notifications.deliver);
see docs/architecture.md (通知与消息) and docs/operations.md for channels, settings and templates.
"""

from __future__ import annotations

from tongban.notifications.service import deadline_near, deliver, department_staff, notify

__all__ = ["deadline_near", "deliver", "department_staff", "notify"]
