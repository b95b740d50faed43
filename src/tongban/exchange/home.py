"""The exchange's card on a citizen's or enterprise's home page: how often their data was used."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.exchange.log_models import ExchangeLogEntry, ExchangeLogSubject


def home_cards(*, session: Session, actor: Actor) -> list[dict[str, Any]]:
    """谁用了我的数据: the number of uses of the holder's own records, linking to the page that lists them."""
    if actor.kind not in ("citizen", "enterprise") or not actor.holder_code:
        return []
    e, s = ExchangeLogEntry, ExchangeLogSubject
    uses = session.execute(select(func.count()).select_from(e).join(s, s.seq == e.seq).where(
        s.subject == actor.holder_code, e.result == "ok")).scalar_one()
    return [{"label": "我的数据被使用次数", "value": int(uses), "href": "/my/data-uses"}]
