"""Domains register their routers, menu entries and home-page items; main.py and the layout keep no list."""

from __future__ import annotations

from fastapi import APIRouter

from tongban.authz import Actor, Permission, Role
from tongban.registry import Platform, discover, domain_packages, platform, resolve

# The menu each kind of actor saw when the layout listed the entries itself (same entries, same order).
MENUS: dict[tuple[str, tuple[str, ...], bool], list[str]] = {
    ("anonymous", (), False): ["/services", "/services/progress", "/catalog", "/verify", "/login"],
    ("staff", (Role.PLATFORM_ADMIN,), False): [
        "/home", "/catalog", "/sharing", "/admin/items", "/monitoring/exchange", "/sharing/endpoints",
        "/admin/users", "/admin/departments", "/admin/accounts", "/admin/clients", "/admin/audit",
        "/supervision/board", "/supervision/rules", "/supervision/orders", "/indicators", "/admin/calendar", "/admin/search-terms", "/admin/jobs", "/admin/seals", "/admin/licence-types", "/licences", "/verify", "/messages"],
    ("staff", (Role.DEPT_ADMIN,), False): [
        "/home", "/catalog", "/sharing", "/admin/items", "/ratings", "/disputes", "/monitoring/exchange",
        "/sharing/endpoints", "/admin/users", "/admin/departments", "/admin/clients", "/admin/audit",
        "/supervision/board", "/supervision/orders", "/indicators", "/licences",
        "/verify",
        "/messages"],
    ("staff", (Role.WINDOW_CLERK,), False): [
        "/home", "/catalog", "/cases/queue", "/cases/tasks", "/cases/walk-in", "/ratings", "/admin/users", "/admin/departments",
        "/supervision/orders", "/licences", "/verify", "/messages"],
    ("staff", (Role.DATA_OFFICER,), False): [
        "/home", "/catalog", "/sharing", "/disputes", "/monitoring/exchange", "/sharing/endpoints",
        "/admin/users", "/admin/departments", "/admin/clients", "/verify", "/messages"],
    ("staff", (Role.SUPERVISOR,), False): [
        "/home", "/catalog", "/sharing", "/ratings", "/monitoring/exchange", "/admin/users", "/admin/departments",
        "/admin/audit", "/supervision/board", "/supervision/rules", "/supervision/orders", "/indicators", "/licences",
        "/verify",
        "/messages"],
    ("staff", (), False): ["/home", "/catalog", "/verify", "/messages"],
    ("citizen", (), True): ["/home", "/services", "/my/cases", "/catalog", "/my/licences", "/verify", "/my/data-uses", "/messages"],
    ("citizen", (), False): ["/home", "/services", "/catalog", "/verify", "/messages"],
    ("enterprise", (), True): ["/home", "/services", "/my/cases", "/catalog", "/my/licences", "/verify", "/my/data-uses", "/messages"],
    ("client", (), False): ["/home", "/catalog", "/admin/departments", "/verify"],
}


def test_each_role_sees_the_menu_it_saw_before_the_domains_registered_it() -> None:
    for (kind, roles, holder), expected in MENUS.items():
        actor = Actor(kind=kind, id=None if kind == "anonymous" else 1, name="x", roles=frozenset(roles),
                      holder_code="110101199003077777" if holder else "")
        assert [link.href for link in platform().nav_for(actor)] == expected, (kind, roles, holder)


def test_the_layout_draws_the_registered_menu(client, city) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import login

    login(client, city.users["admin"].username)
    html = client.get("/home").text
    nav = html[html.index('<nav class="mainnav"'):html.index("</nav>")]
    hrefs = [part.split('"')[0] for part in nav.split('<a href="')[1:]]
    assert hrefs == MENUS[("staff", (Role.PLATFORM_ADMIN,), False)]


def test_fixed_gateway_paths_are_included_before_the_sharing_api() -> None:
    order = [ref.target for ref in platform().ordered_routers()]
    assert order.index("tongban.exchange.gateway_api:router") < order.index("tongban.sharing.api:router")
    assert order.index("tongban.exchange.proxy_api:router") < order.index("tongban.sharing.api:router")
    assert order.index("tongban.catalog.api:public") < order.index("tongban.catalog.api:router")
    # Every domain that serves pages registered itself; nothing registered twice.
    assert {"org", "audit", "catalog", "exchange", "disputes", "monitoring", "workdays", "jobs", "licences",
            "notifications"} <= set(platform().domains)
    assert len(order) == len(set(order))
    assert set(platform().domains) <= set(domain_packages())


def test_a_new_domain_adds_routes_menu_entries_and_cards_by_registering_only() -> None:
    router = APIRouter()

    @router.get("/demo-cases")
    def cases() -> dict[str, str]:
        return {}

    import sys
    import types

    module = types.ModuleType("tongban_test_example_pages")
    module.router = router  # type: ignore[attr-defined]
    module.cards = lambda *, session, actor: [{"label": "办件", "value": 3}]  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    try:
        def register(p: Platform) -> None:
            p.add_router("tongban_test_example_pages:router", order=5)
            p.add_nav("办件", "/demo-cases", order=35, any_of=(Permission.SHARING_READ,))
            p.add_home_cards("tongban_test_example_pages:cards", order=1)

        registered = discover(Platform())
        registered.register_domain("example", register)
        officer = Actor(kind="staff", id=1, name="x", roles=frozenset({Role.DATA_OFFICER}))
        clerk = Actor(kind="staff", id=1, name="x", roles=frozenset({Role.WINDOW_CLERK}))
        assert [link.href for link in registered.nav_for(officer)][2:4] == ["/sharing", "/demo-cases"]
        assert "/demo-cases" not in [link.href for link in registered.nav_for(clerk)]
        assert registered.ordered_routers()[0].target == "tongban_test_example_pages:router"
        assert registered.home_cards[-1].domain == "example"

        assert resolve(registered.ordered_routers()[0].target) is router
        assert "example" not in platform().domains  # the process's registrations are untouched
    finally:
        del sys.modules[module.__name__]


def test_upload_routes_are_declared_by_their_domains() -> None:
    """The body limit (web/limits.py) knows no domain: each declares the routes that take files."""
    from tongban.registry import platform
    from tongban.web import limits

    declared = {(r.domain, r.method, r.pattern) for r in platform().upload_routes}
    assert {d for d, _, _ in declared} == {"cases", "catalog", "disputes", "items", "licences"}
    settings = limits.get_settings()
    limit, what, gate = limits.route_limit("POST", "/api/v1/verify", settings)
    assert "电子证照" in what and gate is not None and limit > 10 * 1024 * 1024
    assert limits.route_limit("POST", "/api/v1/catalog/resources", settings) == (settings.max_body_bytes, "", None)
