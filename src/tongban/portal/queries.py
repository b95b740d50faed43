"""Read models of the portal's pages, one per page. Everything here is public (published items only);
the guide answers per material for the logged-in citizen or enterprise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from tongban import search
from tongban.authz import Actor
from tongban.errors import NotFound
from tongban.items import reads
from tongban.items.indexing import BUNDLE_KIND, ITEM_KIND, bundles_with
from tongban.items.models import BasicItem, Bundle, Implementation, ImplementationVersion, ItemEvent, ItemEventItem
from tongban.items.schemas import (
    BundleRead,
    BundleSummary,
    ImplementationRead,
    ImplementationSummary,
    ItemListEntry,
    MaterialAnswer,
)
from tongban.loop_reads import LoopReader
from tongban.org.models import Department
from tongban.ratings.queries import Figure, item_figure
from tongban.search.cache import ResultCache
from tongban.search.cache import version as search_version
from tongban.search.cache import version_on_loop as search_version_on_loop

EVENT_KINDS = {"life": "个人办事", "business": "企业办事"}
AUDIENCE_LABELS = {"person": "个人", "enterprise": "企业"}
MAX_QUERY = 100


def _live() -> ColumnElement[bool]:
    return (Implementation.published_version > 0) & (Implementation.status != "retired")


@dataclass(frozen=True)
class EventLink:
    kind: str
    name: str
    items: int


@dataclass(frozen=True)
class DepartmentLink:
    code: str
    name: str
    short_name: str
    items: int


@dataclass(frozen=True)
class PortalHome:
    life_events: list[EventLink]
    business_events: list[EventLink]
    departments: list[DepartmentLink]
    high_frequency: list[ItemListEntry]
    bundles: list[BundleSummary]


def home(session: Session) -> PortalHome:
    """The portal's home: events with their numbers of live items, departments, high-frequency items, bundles."""
    live_basic = select(Implementation.basic_item_id).where(_live())
    counts = session.execute(
        select(ItemEvent.kind, ItemEvent.name, func.count(ItemEventItem.basic_item_id))
        .outerjoin(ItemEventItem, (ItemEventItem.event_id == ItemEvent.id)
                   & ItemEventItem.basic_item_id.in_(live_basic))
        .group_by(ItemEvent.id, ItemEvent.kind, ItemEvent.name, ItemEvent.position)
        .order_by(ItemEvent.position, ItemEvent.id)).all()
    events = [EventLink(kind, name, n) for kind, name, n in counts]
    departments = [DepartmentLink(code, name, short, n) for code, name, short, n in session.execute(
        select(Department.code, Department.name, Department.short_name,
               func.count(func.distinct(Implementation.basic_item_id)))
        .join(Implementation, Implementation.department_id == Department.id).where(_live())
        .group_by(Department.id, Department.code, Department.name, Department.short_name)
        .order_by(Department.region_code, Department.name))]
    return PortalHome(life_events=[e for e in events if e.kind == "life"],
                      business_events=[e for e in events if e.kind == "business"], departments=departments,
                      high_frequency=reads.list_items(session, high_frequency=True, size=12).items,
                      bundles=reads.list_bundles(session))


@dataclass(frozen=True)
class ItemHit:
    code: str
    name_html: Markup
    abstract_html: Markup
    item_type: str
    departments: list[str]
    online: bool
    zero_visit: bool
    kind: str = "item"


@dataclass(frozen=True)
class BundleHit:
    code: str
    name_html: Markup
    abstract_html: Markup
    event: str
    lead_department_name: str
    kind: str = "bundle"


@dataclass(frozen=True)
class SearchPage:
    q: str
    #: Items and bundles in one ranking (a bundle comes first only when it matches better than the items).
    results: list[ItemHit | BundleHit] = field(default_factory=list)
    suggestion: str = ""
    fallback: bool = False
    expanded: list[str] = field(default_factory=list)
    #: Where the results matching only some of the words start, below those matching all (None: none such).
    partial_from: int | None = None
    #: The search version the page was computed at (search/cache.py): what the page may be kept under.
    version: tuple[object, ...] = ()

    @property
    def items(self) -> list[ItemHit]:
        return [r for r in self.results if isinstance(r, ItemHit)]

    @property
    def bundles(self) -> list[BundleHit]:
        return [r for r in self.results if isinstance(r, BundleHit)]

    @property
    def total(self) -> int:
        return len(self.results)


_SEARCH_KINDS = (ITEM_KIND, BUNDLE_KIND)
#: The search pages computed lately, per normalized query (search/cache.py: kept while the items' and bundles'
#: documents, the dictionary and the departments are unchanged; the version is read by every request).
_searches: ResultCache[SearchPage] = ResultCache(size=512)


def normalize_query(q: str) -> str:
    """The query as the search page keys it: spaces collapsed, at most MAX_QUERY characters."""
    return " ".join(q.split())[:MAX_QUERY]


async def cached_search(loop_reader: LoopReader, q: str) -> tuple[tuple[object, ...], SearchPage | None]:
    """On the event loop: the version the search page of `q` (normalized) depends on, and the page if this process
    has it under that version (None: `search_services(session, q, version)` computes it in a request thread)."""
    version = await search_version_on_loop(loop_reader, _SEARCH_KINDS)
    return version, _searches.peek(q, version)


def search_services(session: Session, q: str, version: tuple[object, ...] | None = None) -> SearchPage:
    """Items and bundles for a query in the visitor's own words, in one ranking, through the search
    component (with its suggestion, fallback and highlights: escaped HTML with <mark>). One search over
    both kinds: their scores come from one full-text table, so a bundle named for the event asked about
    ranks above its members, and one matching only on its members' names ranks below them.

    The page is the same for everyone who asks the same words: it is kept in `_searches` while what it
    shows is unchanged (one statement checks that: search/cache.py). So everything it shows comes from
    what publishing changes — the index, the published snapshots, the departments' names."""
    q = normalize_query(q)
    if not q:
        return SearchPage(q="")
    if version is None:  # else read by `cached_search` just before, on the event loop
        version = search_version(session, _SEARCH_KINDS)
    return _searches.get(q, version, lambda: _search_services(session, q, version))


def _search_services(session: Session, q: str, version: tuple[object, ...]) -> SearchPage:
    found = search.query(session, _SEARCH_KINDS, q, limit=36)
    # Plain rows, not ORM objects: one query for the items' live implementations with their departments,
    # one for the bundles (loading objects and their lazy departments was most of the page's time).
    # Online and visits as published (the working copy may be a draft revision the public must not see yet).
    ids = [h.doc_id for h in found.hits if h.kind == ITEM_KIND]
    items: dict[int, dict[str, Any]] = {}
    published = ImplementationVersion.snapshot
    for basic_id, code, item_type, dept, online, visits in session.execute(
            select(BasicItem.id, BasicItem.code, BasicItem.item_type, Department.name,
                   published["online"].as_boolean(), published["visits"].as_integer())
            .join(Implementation, Implementation.basic_item_id == BasicItem.id)
            .join(ImplementationVersion, (ImplementationVersion.implementation_id == Implementation.id)
                  & (ImplementationVersion.version == Implementation.published_version))
            .join(Department, Department.id == Implementation.department_id)
            .where(BasicItem.id.in_(ids), _live()).order_by(Implementation.id)):
        entry = items.setdefault(basic_id, {"code": code, "item_type": item_type, "departments": [],
                                            "online": False, "zero_visit": False})
        if dept not in entry["departments"]:
            entry["departments"].append(dept)
        entry["online"] = entry["online"] or bool(online)
        entry["zero_visit"] = entry["zero_visit"] or visits == 0
    bundle_ids = [h.doc_id for h in found.hits if h.kind == BUNDLE_KIND]
    bundles = {bid: (code, event, lead) for bid, code, event, lead in session.execute(
        select(Bundle.id, Bundle.code, Bundle.event, Department.name)
        .join(Department, Department.id == Bundle.lead_department_id)
        .where(Bundle.id.in_(bundle_ids), Bundle.status == "published"))}
    results: list[ItemHit | BundleHit] = []
    partial_from: int | None = None
    for n, h in enumerate(found.hits):
        if n == found.partial_from:
            partial_from = len(results)
        if h.kind == ITEM_KIND and h.doc_id in items:
            results.append(ItemHit(name_html=h.name_html, abstract_html=h.abstract_html, **items[h.doc_id]))
        elif h.kind == BUNDLE_KIND and h.doc_id in bundles:
            code, event, lead = bundles[h.doc_id]
            results.append(BundleHit(code=code, name_html=h.name_html, abstract_html=h.abstract_html, event=event,
                                     lead_department_name=lead))
    return SearchPage(q=q, results=results, suggestion=found.suggestion, fallback=found.fallback,
                      expanded=found.expanded, partial_from=partial_from if (partial_from or 0) > 0 else None,
                      version=version)


@dataclass(frozen=True)
class EventPage:
    kind: str
    kind_label: str
    name: str
    items: list[ItemListEntry]
    bundles: list[BundleSummary]


def event_page(session: Session, kind: str, name: str) -> EventPage:
    """A life or business event with its live items and bundles."""
    if kind not in EVENT_KINDS:
        raise NotFound("没有这一类办事主题。", code="event_not_found")
    for e in reads.events(session, kind=kind):
        if e.name == name:
            return EventPage(kind=kind, kind_label=EVENT_KINDS[kind], name=name, items=e.items, bundles=e.bundles)
    raise NotFound(f"没有名为“{name}”的办事主题。", code="event_not_found")


@dataclass(frozen=True)
class DepartmentPage:
    code: str
    name: str
    short_name: str
    items: list[ItemListEntry]


def department_page(session: Session, code: str) -> DepartmentPage:
    """A department's live items (its published implementation list)."""
    dept = session.execute(select(Department).where(Department.code == code)).scalar_one_or_none()
    if dept is None:
        raise NotFound("未找到该部门。", code="department_not_found")
    listed = reads.list_items(session, department_id=dept.id, size=500)
    return DepartmentPage(code=dept.code, name=dept.name, short_name=dept.short_name, items=listed.items)


@dataclass(frozen=True)
class GuidePage:
    code: str
    name: str
    high_frequency: bool
    guide: ImplementationRead
    implementations: list[ImplementationSummary]
    materials: list[MaterialAnswer]
    #: Who the material answers are for: "" (not logged in, or staff) or the applicant's name.
    applicant: str
    events: list[tuple[str, str]]
    bundles: list[BundleSummary]
    #: 好差评 of the item (好评率 and the count of valid ratings; None: not rated yet).
    rating: Figure | None = None

    @property
    def must_upload(self) -> int:
        return sum(1 for m in self.materials if m.must_upload)


def guide_page(session: Session, actor: Actor | None, code: str, implementation_id: int | None = None) -> GuidePage:
    """The guide of an item (办事指南): the chosen region's implementation (else the city's, else the first),
    and per material whether this applicant must provide it."""
    entry = reads.basic_item(session, code)
    impls = entry.implementations
    chosen = next((i for i in impls if i.id == implementation_id), None) or next(
        (i for i in impls if i.level == "市级"), impls[0])
    guide = reads.published(session, chosen.id)
    applicant = actor if actor is not None and reads.held_licence_types(session, actor) is not None else None
    basic = session.execute(select(BasicItem).where(BasicItem.code == code)).scalar_one()
    events = [(k, n) for k, n in session.execute(
        select(ItemEvent.kind, ItemEvent.name).join(ItemEventItem, ItemEventItem.event_id == ItemEvent.id)
        .where(ItemEventItem.basic_item_id == basic.id).order_by(ItemEvent.kind, ItemEvent.position))]
    bundles = [s for s in reads.list_bundles(session) if s.code in {b.code for b in bundles_with(session, basic.id)}]
    return GuidePage(code=entry.code, name=entry.name, high_frequency=entry.high_frequency, guide=guide,
                     implementations=impls, materials=reads.materials_for(session, guide, applicant),
                     applicant=applicant.name if applicant is not None else "", events=events, bundles=bundles,
                     rating=item_figure(session, entry.code))


def guide_pdf(session: Session, code: str, implementation_id: int | None = None) -> tuple[str, bytes]:
    """The printable guide (PDF) of an item: its file name and bytes (general answers, no applicant)."""
    from tongban.portal.printing import guide_document

    page = guide_page(session, None, code, implementation_id)
    return f"{page.code}-办事指南.pdf", guide_document(page)


def bundle_page(session: Session, code: str) -> BundleRead:
    """A bundle (一件事): its guide, members with their conditions, merged materials and lead department."""
    return reads.bundle(session, code)
