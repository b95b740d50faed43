"""`tongban demo`: load the demo city (安康市) into an empty database.

The city (regions, departments, accounts, clients) is one use-case; the catalog, the sharing requests,
the registers, the disputes and the licences follow as use-cases of their own, through the real services
(the registers through the real ingest, which loads on sessions of its own and so needs the catalog
committed first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import SYSTEM
from tongban.catalog.models import InformationResource
from tongban.demo import city
from tongban.org.auth import hash_password, new_api_key
from tongban.org.models import ApiKey, AppClient, Department, Region, User, UserRole
from tongban.transactions import use_case

# Public on purpose: it is printed by `make run` and written in the README. A demo database
# must never be exposed; production bootstraps its first admin with `tongban admin create`.
DEMO_PASSWORD = "Tongban@2026"  # noqa: S105


@dataclass
class DemoSummary:
    regions: int = 0
    departments: int = 0
    staff: list[tuple[str, str, str, str]] = field(default_factory=list)  # username, name, dept, roles
    citizens: list[tuple[str, str]] = field(default_factory=list)  # login, name
    enterprises: list[tuple[str, str]] = field(default_factory=list)
    clients: int = 0
    demo_api_key: str = ""
    demo_api_client: str = ""
    resources: int = 0
    registry_records: int = 0
    dispute_numbers: dict[str, str] = field(default_factory=dict)  # kind → number of a demo dispute
    licences: list[str] = field(default_factory=list)  # identifiers of the demo licences
    items: int = 0  # published implementations of service items
    bundles: int = 0
    cases: dict[str, str] = field(default_factory=dict)  # demo state → 办件编号 (demo/cases_loader.py)
    ratings: list[str] = field(default_factory=list)  # 评价编号 (demo/oversight_loader.py)


def is_empty(session: Session) -> bool:
    return session.execute(select(func.count()).select_from(Department)).scalar_one() == 0


def load(session: Session, *, with_catalog: bool = True) -> DemoSummary:
    """Insert the demo city (and its catalog and sharing requests). Refuses a non-empty database."""
    summary = DemoSummary()
    _load_city(session, summary)
    _load_search_terms(session)  # before any document is indexed, so the words segment the same way
    if with_catalog:
        from tongban.demo import catalog_loader, dispute_loader, items_loader, licence_loader, registry_loader

        result = catalog_loader.load_demo(session)
        summary.resources = result.resources
        summary.registry_records = sum(registry_loader.load(session).records.values())
        summary.dispute_numbers = dispute_loader.load(session).numbers
        summary.licences = licence_loader.load(session).identifiers
        items = items_loader.load(session)
        summary.items, summary.bundles = items.implementations, items.bundles
        # 一网通办平台 and its grants, for the items' prefill and fetched materials (cases/prefill.py).
        registry_loader.platform_system_grants(session)
        # Cases in every state, last: they apply for the items and are decided with the licences' seals.
        from tongban.demo import cases_loader

        summary.cases = cases_loader.load(session).numbers
        # 好差评, the 电子监察 sweep and the indicators, on the cases just made.
        from tongban.demo import oversight_loader

        if summary.cases:
            summary.ratings = oversight_loader.load(session, summary.cases).ratings
        # Counted last: the licence loader publishes one more resource (电子证照库); the README and the
        # catalog's own statistics show this same number (tests/demo/test_demo_consistency.py).
        summary.resources = session.execute(select(func.count()).select_from(InformationResource).where(
            InformationResource.status == "published")).scalar_one()
    return summary


def _load_search_terms(session: Session) -> None:
    """The search dictionary's seed terms (demo/search_terms.py), added by the platform admin."""
    import importlib.util

    from tongban.demo.catalog_loader import officer
    from tongban.search import service as search_terms
    from tongban.search.schemas import TermIn

    if importlib.util.find_spec("tongban.demo.search_terms") is None:
        return
    from tongban.demo import search_terms as seed

    search_terms.seed_terms(session=session, actor=officer(session, "admin"), terms=[
        TermIn(word=t.word, official=t.official, kind=t.kind, source=t.source) for t in seed.TERMS])


@use_case
def _load_city(session: Session, summary: DemoSummary) -> None:
    """The regions, departments, staff, citizens, enterprises and application clients: one use-case."""
    if not is_empty(session):
        raise RuntimeError("数据库中已有部门数据，演示数据只能加载到空数据库。")
    for r in city.REGIONS:
        session.add(Region(code=r.code, name=r.name, level=r.level, parent_code=r.parent_code))
    summary.regions = len(city.REGIONS)
    session.flush()

    by_code: dict[str, Department] = {}
    for d in city.DEPARTMENTS:
        dept = Department(code=d.code, name=d.name, short_name=d.short_name, uscc=d.uscc,
                          region_code=d.region_code, kind=d.kind, is_platform_operator=d.is_platform_operator,
                          parent_id=by_code[d.parent_code].id if d.parent_code else None)
        session.add(dept)
        session.flush()
        by_code[d.code] = dept
    summary.departments = len(by_code)

    # One argon2 hash for every demo account keeps loading fast; all share the demo password.
    pw = hash_password(DEMO_PASSWORD)
    for s in city.STAFF:
        dept = by_code[s.department_code]
        user = User(username=s.username, display_name=s.display_name, kind="staff", department_id=dept.id,
                    phone=s.phone, password_hash=pw)
        user.role_rows = [UserRole(role=r) for r in s.roles]
        session.add(user)
        summary.staff.append((s.username, s.display_name, dept.short_name, ",".join(s.roles)))
    for c in city.CITIZENS:
        session.add(User(username=c.resident_id, display_name=c.name, kind="citizen", id_number=c.resident_id,
                         phone=c.phone, password_hash=pw))
        summary.citizens.append((c.resident_id, c.name))
    for e in city.ENTERPRISES:
        session.add(User(username=e.uscc, display_name=e.name, kind="enterprise", credit_code=e.uscc,
                         legal_representative=e.legal_representative, password_hash=pw))
        summary.enterprises.append((e.uscc, e.name))
    session.flush()

    for dept in by_code.values():
        client = AppClient(department_id=dept.id, code=f"{dept.code}-biz", name=f"{dept.short_name}业务系统",
                           description=f"{dept.name}的业务办理系统，经共享交换平台调用共享数据。")
        session.add(client)
        summary.clients += 1
        if dept.is_platform_operator:
            session.flush()
            secret, prefix, digest = new_api_key()
            session.add(ApiKey(client_id=client.id, key_prefix=prefix, key_hash=digest, label="演示密钥"))
            summary.demo_api_key = secret
            summary.demo_api_client = client.name
    session.flush()
    audit.record(session, actor=SYSTEM, action="demo.load", object_type="platform", object_id="demo",
                 detail={"regions": summary.regions, "departments": summary.departments,
                         "staff": len(summary.staff), "citizens": len(summary.citizens),
                         "enterprises": len(summary.enterprises), "clients": summary.clients})
