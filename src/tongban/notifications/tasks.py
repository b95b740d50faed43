"""Jobs of notifications: delivering one message (queued by notify() and by a retry)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tongban.jobs import job
from tongban.notifications import service


@job(service.DELIVER_JOB, label="发送消息", max_attempts=5)
def deliver_message(session: Session, payload: dict[str, Any]) -> None:
    """Send one message; the message itself counts its sends and their cap (the job's attempts only cover
    crashes and errors of the platform)."""
    service.deliver(session, int(payload["message_id"]))
