"""为您推荐的服务: the portal's section on a citizen's or enterprise's home page (registered in
`tongban.portal.register`), up to six services chosen from what the platform knows about them.

The rule, in order (a service is listed once, at its first reason; only published bundles and items with a
live published implementation are offered; nothing is written):

Citizen (age from the birth date in the resident ID, on today's Beijing date)
  1. age >= 50 (approaching or past retirement age): the bundles and items of the life event 养老
     (退休一件事, 职工正常退休申请, 养老保险待遇申领…);
     16–30: the items of the life event 就业 (就业登记, 高校毕业生求职创业补贴…); 31–49: the life event 住房.
  2. the licences they hold (valid): the items whose application takes one of them as a licence material,
     the rarest licence's items first (户口迁移证明 → 户口迁入登记: it is fetched from the licence library).
  3. the high-frequency items of the life events.

Enterprise
  1. holding a 营业执照: the items of the business events 变更 and 注销 (those of 个体工商户 only for a
     credit code 92…, the others only for the rest) and 企业年度报告公示;
     without one: the bundles of the business event 开办 (企业开办一件事, 开办餐饮店一件事).
  2. its other valid licences: the items outside 开办 that issue the same licence type again (食品经营许可证 →
     食品经营许可: its change and renewal), then the items taking them as a licence material.
  3. the high-frequency items of the business events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban import clock
from tongban.authz import Actor
from tongban.cards import CardReads
from tongban.items.models import BasicItem, Bundle, Implementation, ItemEvent, ItemEventItem, Material
from tongban.licences.models import Licence, LicenceType

LIMIT = 6
BUSINESS_LICENCE = "营业执照"
ANNUAL_REPORT = "企业年度报告公示"


@dataclass(frozen=True)
class Recommendation:
    name: str
    href: str
    reason: str  # Chinese: why this service is shown


def _birth_date(resident_id: str) -> dt.date | None:
    try:
        return dt.date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14]))
    except (ValueError, IndexError):
        return None


def age_of(resident_id: str, today: dt.date) -> int | None:
    """Whole years since the birth date in an 18-digit resident ID (None if it carries none)."""
    birth = _birth_date(resident_id)
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class _Picker:
    """Collects recommendations in order, each service once, up to LIMIT."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.chosen: list[Recommendation] = []
        self._seen: set[str] = set()

    @property
    def full(self) -> bool:
        return len(self.chosen) >= LIMIT

    def add(self, key: str, name: str, href: str, reason: str, *, cap: int | None = None) -> None:
        if self.full or key in self._seen or (cap is not None and cap <= 0):
            return
        self._seen.add(key)
        self.chosen.append(Recommendation(name, href, reason))

    def items(self, rows: list[tuple[str, str]], reason: str, *, at_most: int = LIMIT) -> None:
        added = 0
        for code, name in rows:
            if self.full or added >= at_most:
                return
            if f"item:{code}" not in self._seen:
                self.add(f"item:{code}", name, f"/services/items/{code}", reason)
                added += 1

    def bundles(self, rows: list[tuple[str, str]], reason: str) -> None:
        for code, name in rows:
            self.add(f"bundle:{code}", name, f"/services/bundles/{code}", reason)


def _live_items() -> Any:
    """(code, name) of basic items with a live published implementation."""
    live = select(Implementation.basic_item_id).where(
        Implementation.published_version > 0, Implementation.status != "retired")
    return select(BasicItem.code, BasicItem.name).where(BasicItem.id.in_(live))


def _event_items(session: Session, kind: str, names: tuple[str, ...]) -> list[tuple[str, str]]:
    rows = list(session.execute(
        _live_items().add_columns(ItemEvent.name, ItemEventItem.position)
        .join(ItemEventItem, ItemEventItem.basic_item_id == BasicItem.id)
        .join(ItemEvent, ItemEvent.id == ItemEventItem.event_id)
        .where(ItemEvent.kind == kind, ItemEvent.name.in_(names))).all())
    rows.sort(key=lambda r: (names.index(r[2]), r[3]))
    return [(r[0], r[1]) for r in rows]


def _high_frequency(session: Session, kind: str) -> list[tuple[str, str]]:
    in_kind = select(ItemEventItem.basic_item_id).join(ItemEvent, ItemEvent.id == ItemEventItem.event_id).where(
        ItemEvent.kind == kind)
    return [(r[0], r[1]) for r in session.execute(
        _live_items().where(BasicItem.high_frequency.is_(True), BasicItem.id.in_(in_kind))
        .order_by(BasicItem.code)).all()]


def _bundles(session: Session, audience: str, events: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in session.execute(
        select(Bundle.code, Bundle.name).where(Bundle.status == "published", Bundle.audience == audience,
                                               Bundle.event.in_(events)).order_by(Bundle.code)).all()]


def _held_types(session: Session, holder_code: str, today: dt.date) -> list[str]:
    licences = session.execute(select(Licence, LicenceType.name).join(LicenceType, LicenceType.id == Licence.type_id)
                               .where(Licence.holder_code == holder_code)).all()
    return sorted({name for licence, name in licences if licence.status_on(today) == "valid"})


def _taking_licences(session: Session, types: list[str]) -> list[tuple[str, str]]:
    """Items whose (live) application takes one of these licence types as a material, the rarest licence's
    first (a 户口迁移证明 points at 户口迁入登记; a 居民身份证 is taken by many items and says little)."""
    if not types:
        return []
    rows = session.execute(
        _live_items().add_columns(Material.ref)
        .join(Implementation, Implementation.basic_item_id == BasicItem.id)
        .join(Material, Material.implementation_id == Implementation.id)
        .where(Implementation.published_version > 0, Implementation.status != "retired",
               Material.source == "licence", Material.ref.in_(types))).all()
    by_type: dict[str, list[tuple[str, str]]] = {}
    for code, name, ref in rows:
        if (code, name) not in by_type.setdefault(ref, []):
            by_type[ref].append((code, name))
    ordered: list[tuple[str, str]] = []
    for ref in sorted(by_type, key=lambda t: (len(by_type[t]), t)):
        ordered += sorted(set(by_type[ref]) - set(ordered))
    return ordered


def _issuing_again(session: Session, types: list[str]) -> list[tuple[str, str]]:
    """Items outside the business event 开办 whose result is one of these licence types (change, renewal)."""
    if not types:
        return []
    opening = select(ItemEventItem.basic_item_id).join(ItemEvent, ItemEvent.id == ItemEventItem.event_id).where(
        ItemEvent.kind == "business", ItemEvent.name == "开办")
    issuing = select(Implementation.basic_item_id).where(
        Implementation.licence_type.in_(types), Implementation.published_version > 0,
        Implementation.status != "retired")
    return [(r[0], r[1]) for r in session.execute(
        _live_items().where(BasicItem.id.in_(issuing), BasicItem.id.not_in(opening)).order_by(BasicItem.code)).all()]


def _for_citizen(picker: _Picker, session: Session, holder_code: str, today: dt.date) -> list[str]:
    basis: list[str] = []
    age = age_of(holder_code, today)
    if age is not None:
        events: tuple[str, ...] = ()
        if age >= 50:
            events = ("养老",)
        elif 16 <= age <= 30:
            events = ("就业",)
        elif 31 <= age <= 49:
            events = ("住房",)
        if events:
            basis.append("的年龄")
            reason = f"您 {age} 岁：{'、'.join(events)}相关"
            picker.bundles(_bundles(session, "person", events), reason)
            picker.items(_event_items(session, "life", events), reason, at_most=3)
    held = _held_types(session, holder_code, today)
    if held:
        basis.append("持有的证照")
        picker.items(_taking_licences(session, held), "可直接调用您持有的电子证照", at_most=2)
    picker.items(_high_frequency(session, "life"), "高频办理事项")
    return basis


def _for_enterprise(picker: _Picker, session: Session, holder_code: str, today: dt.date) -> list[str]:
    basis: list[str] = []
    held = _held_types(session, holder_code, today)
    basis.append("持有的证照")
    if BUSINESS_LICENCE in held:
        reason = "您已持有营业执照：变更、注销与年报"
        # A 个体工商户 (credit code 92…) changes and closes as one; a company or cooperative does not.
        sole = holder_code.startswith("92")
        changes = [(code, name) for code, name in _event_items(session, "business", ("变更", "注销"))
                   if name.startswith("个体工商户") == sole]
        report = [r for r in session.execute(_live_items().where(BasicItem.name == ANNUAL_REPORT)).all()]
        picker.items(changes[:2] + [(r[0], r[1]) for r in report] + changes[2:], reason, at_most=4)
    else:
        picker.bundles(_bundles(session, "enterprise", ("开办",)), "尚未办理营业执照：企业开办")
    others = [t for t in held if t != BUSINESS_LICENCE]
    picker.items(_issuing_again(session, others), "您持有的许可证的变更与延续", at_most=2)
    picker.items(_taking_licences(session, others), "可直接调用您持有的电子证照", at_most=1)
    picker.items(_high_frequency(session, "business"), "高频办理事项")
    return basis


def recommendations(session: Session, actor: Actor) -> tuple[list[Recommendation], list[str]]:
    """The services for this citizen or enterprise and what they were chosen on (empty for anyone else)."""
    if actor.kind not in ("citizen", "enterprise") or not actor.holder_code:
        return [], []
    picker = _Picker(session)
    today = clock.today()
    if actor.kind == "citizen":
        basis = _for_citizen(picker, session, actor.holder_code, today)
    else:
        basis = _for_enterprise(picker, session, actor.holder_code, today)
    return picker.chosen, basis


def _services_card(session: Session, actor: Actor) -> list[dict[str, Any]]:
    chosen, basis = recommendations(session, actor)
    if not chosen:
        return []
    why = "根据您" + "、".join(basis) + "推荐" if basis else "高频办理事项"
    return [{"label": "为您推荐的服务", "value": len(chosen), "href": "/services",
             "partial": "portal/_home_services.html", "services": chosen, "basis": why}]


async def home_cards(reads: CardReads, actor: Actor) -> list[dict[str, Any]]:
    """为您推荐的服务: one section (drawn by portal/_home_services.html), for citizens and enterprises only. The
    choice reads the person's licences, cases and the catalog's many rows: in a request thread (tongban/cards.py)."""
    if actor.kind not in ("citizen", "enterprise") or not actor.holder_code:
        return []
    return await reads.in_thread(_services_card, actor)
