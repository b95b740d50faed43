"""The exchange's card on a citizen's or enterprise's home page: how often their data was used."""

from __future__ import annotations

from typing import Any

from tongban.authz import Actor
from tongban.cards import CardReads

# By the subjects' index (subject, seq): the holder's own uses, each joined to its entry by the key.
_USES = ("SELECT count(*) FROM exchange_log_subjects s JOIN exchange_log e ON e.seq = s.seq "
         "WHERE s.subject = :subject AND e.result = 'ok'")


async def home_cards(reads: CardReads, actor: Actor) -> list[dict[str, Any]]:
    """谁用了我的数据: the number of uses of the holder's own records, linking to the page that lists them."""
    if actor.kind not in ("citizen", "enterprise") or not actor.holder_code:
        return []
    uses = await reads.count(_USES, {"subject": actor.holder_code})
    return [{"label": "我的数据被使用次数", "value": uses, "href": "/my/data-uses"}]
