"""How a domain plugs itself into the platform: routers, menu entries, home-page cards and shortcuts.

Every package under `tongban/` that defines `register(platform: Platform) -> None` in its `__init__.py`
is found by `platform()` (pkgutil over `tongban.__path__`) and called once per process. A new domain
therefore edits no central list: main.py includes the routers, the layout draws the menu and the home
page shows the cards the domains declared.

Registrations name their targets as "module:attribute" strings, resolved only when used (the app
factory imports the routers, the home page calls the card providers): calling every `register` stays
cheap, so processes that never serve pages (the CLI, `tongban worker`) can run it for the hooks the
domains install — the exchange seals its log in all of them and monitoring rolls the sealed batch up
through `tongban.exchange.hooks`.

`order` numbers are global: routers are included in ascending order (FastAPI matches the first route
that fits, so a domain whose fixed paths must win over another's path parameters takes a lower number);
menu entries, home cards and shortcuts are shown in ascending order. Today's numbers are listed in
docs/architecture.md (一个领域如何接入平台).
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tongban.authz import Actor, Permission


def resolve(target: str) -> Any:
    """"package.module:attribute" → the attribute (imported now)."""
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class Link:
    """A menu entry or a home-page shortcut, shown to whoever passes all of its conditions.

    `any_of`: the actor holds at least one of these permissions; `staff_only`: signed-in staff only;
    `when`: any further condition on the actor; `audience`: "signed_in" (the main menu), "anonymous"
    (the menu before login) or "all". `badge` names a `Badge` whose count is shown, when not zero,
    beside the label as "<badge_label> <n>" (the unread messages).
    """

    label: str
    href: str
    order: int
    domain: str = ""
    any_of: tuple[Permission, ...] = ()
    staff_only: bool = False
    when: Callable[[Actor], bool] | None = None
    audience: str = "signed_in"
    description: str = ""
    badge: str | None = None
    badge_label: str = ""
    css_class: str = ""

    def visible_to(self, actor: Actor | None) -> bool:
        signed_in = actor is not None and actor.is_authenticated
        if self.audience == "anonymous":
            return not signed_in
        if self.audience == "signed_in" and not signed_in:
            return False
        if not signed_in:
            return not (self.any_of or self.staff_only or self.when)
        assert actor is not None
        if self.staff_only and not actor.is_staff:
            return False
        if self.any_of and not any(actor.has(p) for p in self.any_of):
            return False
        return self.when is None or self.when(actor)


@dataclass(frozen=True)
class Badge:
    """A count beside a menu entry, for the actors `applies(actor)`: `sql` (written once, `:name` parameters, bounded
    by an index: it runs on every page) with `params(actor)`. Run with the request's session when a page is drawn in
    its handler's thread, on the event loop when the handler is there (web/templating.py)."""

    sql: str
    params: Callable[[Actor], dict[str, Any]]
    applies: Callable[[Actor], bool]


@dataclass(frozen=True)
class RouterRef:
    target: str  # "tongban.catalog.api:public"
    order: int
    domain: str


@dataclass(frozen=True)
class CardProvider:
    """function(*, session, actor) -> list of card dicts {"label", "value", "href"?, "warn"?}."""

    target: str
    order: int
    domain: str


@dataclass(frozen=True)
class CaseBadge:
    """A mark another domain puts beside a case on the staff pages (the supervision light): `text` is what
    the page says (never color alone), `detail` the longer text for the case page and the hover title,
    `css_class` the color."""

    text: str
    detail: str = ""
    css_class: str = ""


@dataclass(frozen=True)
class CaseBadgeProvider:
    """function(session, case_ids) -> {case_id: CaseBadge}: one query for all the cases of a page."""

    target: str
    order: int
    domain: str


@dataclass(frozen=True)
class UploadRoute:
    """A route that takes files: its body may be larger than the platform's default (web/limits.py adds
    the multipart envelope). `gate` ("module:function(request)") runs before the body is read, e.g. a
    rate limit on anonymous uploads."""

    method: str
    pattern: str  # a regular expression matched against the whole path
    max_bytes: int
    what: str  # Chinese, for the message: what the route takes
    gate: str | None
    domain: str


@dataclass
class Platform:
    routers: list[RouterRef] = field(default_factory=list)
    nav: list[Link] = field(default_factory=list)
    shortcuts: list[Link] = field(default_factory=list)
    home_cards: list[CardProvider] = field(default_factory=list)
    openapi_tags: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    upload_routes: list[UploadRoute] = field(default_factory=list)
    case_badge_providers: list[CaseBadgeProvider] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    _current: str = ""

    # -- what a domain's register() calls ---------------------------------------------------------
    def add_router(self, target: str, *, order: int) -> None:
        self.routers.append(RouterRef(target, order, self._current))

    def add_nav(self, label: str, href: str, *, order: int, **conditions: Any) -> None:
        self.nav.append(Link(label, href, order, self._current, **conditions))

    def add_shortcut(self, label: str, href: str, description: str, *, order: int, **conditions: Any) -> None:
        self.shortcuts.append(Link(label, href, order, self._current, description=description, **conditions))

    def add_home_cards(self, target: str, *, order: int) -> None:
        self.home_cards.append(CardProvider(target, order, self._current))

    def add_openapi_tag(self, name: str, description: str, *, order: int) -> None:
        self.openapi_tags.append((order, {"name": name, "description": description}))

    def add_upload_route(self, method: str, pattern: str, *, max_bytes: int, what: str,
                         gate: str | None = None) -> None:
        self.upload_routes.append(UploadRoute(method, pattern, max_bytes, what, gate, self._current))

    def add_case_badges(self, target: str, *, order: int) -> None:
        self.case_badge_providers.append(CaseBadgeProvider(target, order, self._current))

    # -- what the platform reads --------------------------------------------------------------------
    def ordered_routers(self) -> list[RouterRef]:
        return sorted(self.routers, key=lambda r: r.order)

    def nav_for(self, actor: Actor | None) -> list[Link]:
        return [link for link in sorted(self.nav, key=lambda x: x.order) if link.visible_to(actor)]

    def shortcuts_for(self, actor: Actor) -> list[Link]:
        return [link for link in sorted(self.shortcuts, key=lambda x: x.order) if link.visible_to(actor)]

    def tags(self) -> list[dict[str, str]]:
        return [tag for _, tag in sorted(self.openapi_tags, key=lambda t: t[0])]

    def case_badges(self, session: Any, case_ids: Iterable[int]) -> dict[int, list[CaseBadge]]:
        """Each case's badges from every provider, in provider order (one call per provider, not per case)."""
        ids = list(dict.fromkeys(case_ids))
        result: dict[int, list[CaseBadge]] = {i: [] for i in ids}
        if not ids:
            return result
        for provider in sorted(self.case_badge_providers, key=lambda p: p.order):
            for case_id, badge in resolve(provider.target)(session, ids).items():
                if case_id in result:
                    result[case_id].append(badge)
        return result

    def register_domain(self, name: str, register: Callable[[Platform], None]) -> None:
        self._current = name
        try:
            register(self)
        finally:
            self._current = ""
        self.domains.append(name)


def domain_packages() -> Iterable[str]:
    """Names of the packages directly under `tongban`, in name order (the discovery order)."""
    import tongban

    return sorted(info.name for info in pkgutil.iter_modules(tongban.__path__) if info.ispkg)


def discover(into: Platform | None = None) -> Platform:
    """Call `register` of every domain package that defines one."""
    target = into or Platform()
    for name in domain_packages():
        module = importlib.import_module(f"tongban.{name}")
        register = getattr(module, "register", None)
        if callable(register):
            target.register_domain(name, register)
    return target


_platform: Platform | None = None
_lock = threading.Lock()


def platform() -> Platform:
    """The process's registrations, discovered on first use (every process that needs them calls this)."""
    global _platform
    if _platform is None:
        with _lock:
            if _platform is None:
                _platform = discover()
    return _platform
