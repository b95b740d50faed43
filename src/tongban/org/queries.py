"""Read models of the org pages: one function per page, returning everything its template shows.

The object rules stay where they are (service.get_user / get_department, the permissions module, the
actor's department scopes); a read model calls them and adds the options of the page's selects and the
flags that decide which forms are shown. None of them writes, except `accounts`, whose read of personal
data is audited (see its docstring).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from tongban.audit.labels import describe_objects_on_loop
from tongban.authz import DEPARTMENT_GRANTABLE_ROLES, ROLE_LABELS, Actor, Permission, Role
from tongban.cards import CardReads, as_datetime
from tongban.errors import ValidationFailed
from tongban.org import repository as repo
from tongban.org import service
from tongban.org.models import AppClient, Department, Region, User
from tongban.org.schemas import AccountRead
from tongban.registry import platform, resolve
from tongban.transactions import use_case

USERS_PAGE_SIZE = 50
ACCOUNTS_PAGE_SIZE = 50

# ---------------------------------------------------------------- home


@dataclass(frozen=True)
class HomeUser:
    """What the greeting shows of the person's own account (no more columns than that)."""

    id_number: str | None
    credit_code: str | None
    legal_representative: str | None
    last_login_at: dt.datetime | None


@dataclass(frozen=True)
class HomeDepartment:
    id: int
    name: str


@dataclass(frozen=True)
class RecentAction:
    """One of the person's own recent audit entries, as the table shows it."""

    occurred_at: dt.datetime
    action: str
    object_type: str
    object_id: str | None
    result: str
    client_ip: str | None


@dataclass(frozen=True)
class Home:
    """首页: who is logged in, the role's figures, shortcuts and the person's own recent actions."""

    user: HomeUser | None
    department: HomeDepartment | None
    cards: list[dict[str, Any]] = field(default_factory=list)
    recent: list[RecentAction] = field(default_factory=list)
    recent_names: dict[tuple[str, str], str] = field(default_factory=dict)  # "证照类型 营业执照"
    shortcuts: list[tuple[str, str, str]] = field(default_factory=list)  # (title, href, description)


# The person's shown columns and their department's, in one statement (a department for an actor without a
# user row — an application client — is read by the second).
_SHOWN_USER = ("SELECT u.id_number, u.credit_code, u.legal_representative, u.last_login_at, d.id, d.name FROM users u "
               "LEFT JOIN departments d ON d.id = :department_id WHERE u.id = :id")
_SHOWN_DEPARTMENT = "SELECT id, name FROM departments WHERE id = :id"
# By time along the index (actor_kind, actor_id, occurred_at): ordered by seq alone, the database read and sorted
# every entry of the person (300,000 reads of personal data: 97 ms → 0.01 ms on SQLite).
_RECENT = ("SELECT occurred_at, action, object_type, object_id, result, client_ip FROM audit_log "
           "WHERE actor_kind = :kind AND actor_id = :id ORDER BY occurred_at DESC, seq DESC LIMIT 8")


@cache
def _card_providers() -> list[Callable[..., Awaitable[list[dict[str, Any]]]]]:
    """The registered card providers in their order, imported once (the registrations never change)."""
    return [resolve(p.target) for p in sorted(platform().home_cards, key=lambda p: p.order)]


async def home(reads: CardReads, actor: Actor) -> Home:
    """首页: what this person can do, and the numbers that matter to their role.

    The cards and shortcuts come from what the domains registered (tongban/registry.py): each domain
    counts its own work, and a new domain adds its cards without editing this page. Drawn on the event loop
    (tongban/cards.py): the person's own rows by their keys, each provider's figures where it says, all at once
    (on PostgreSQL each is a round trip to the server: issue 16 measured this page, every user's first after login).
    """
    person, (recent, names), *cards = await reads.together(
        _person(reads, actor), _recent(reads, actor), *(provider(reads, actor) for provider in _card_providers()))
    shortcuts = [(link.label, link.href, link.description) for link in platform().shortcuts_for(actor)]
    return Home(user=person[0], department=person[1], cards=[card for each in cards for card in each], recent=recent,
                recent_names=names, shortcuts=shortcuts)


async def _person(reads: CardReads, actor: Actor) -> tuple[HomeUser | None, HomeDepartment | None]:
    user = dept = None
    found: Any = None
    if actor.id is not None and actor.kind != "client":
        row = await reads.one(_SHOWN_USER, {"id": actor.id, "department_id": actor.department_id})
        if row is not None:
            user, found = HomeUser(row[0], row[1], row[2], as_datetime(row[3])), row[4:]
    elif actor.department_id:
        found = await reads.one(_SHOWN_DEPARTMENT, {"id": actor.department_id})
    if actor.department_id and found is not None and found[0] is not None:
        dept = HomeDepartment(*found)
    return user, dept


async def _recent(reads: CardReads, actor: Actor) -> tuple[list[RecentAction], dict[tuple[str, str], str]]:
    """The person's eight latest audited actions and the names of their objects."""
    if actor.id is None:
        return [], {}
    rows = await reads.all(_RECENT, {"kind": actor.kind, "id": str(actor.id)})
    recent = [RecentAction(as_datetime(r[0]), *r[1:]) for r in rows]  # type: ignore[arg-type]
    return recent, await describe_objects_on_loop(reads.loop, recent)


# ---------------------------------------------------------------- staff users


def grantable_roles(actor: Actor) -> list[tuple[str, str]]:
    """The roles the actor may grant (value, 中文名): department admins only the department roles."""
    if actor.department_scope(Permission.USER_MANAGE) is None:
        return [(r.value, ROLE_LABELS[r]) for r in Role]
    return [(r.value, ROLE_LABELS[r]) for r in Role if r in DEPARTMENT_GRANTABLE_ROLES]


def _manageable_departments(session: Session, actor: Actor) -> list[Department]:
    rows, _ = repo.list_departments(session, ids=actor.department_scope(Permission.USER_MANAGE), limit=1000)
    return list(rows)


@dataclass(frozen=True)
class UsersHome:
    """人员 list: the staff the actor may see, filtered, and the departments of the filter."""

    users: Sequence[User]
    total: int
    q: str
    department_id: int | None
    page: int
    departments: Sequence[Department]
    can_manage: bool


def users_home(session: Session, actor: Actor, *, q: str = "", department_id: int | None = None,
               page: int = 1) -> UsersHome:
    """人员 page: a department's staff (or everyone's for platform-wide readers)."""
    page = max(page, 1)
    users, total = service.list_staff(session=session, actor=actor, q=q or None, department_id=department_id,
                                      page=page, size=USERS_PAGE_SIZE)
    departments, _ = repo.list_departments(session, ids=actor.department_scope(Permission.USER_READ), limit=1000)
    return UsersHome(users=users, total=total, q=q, department_id=department_id, page=page,
                     departments=departments, can_manage=actor.has(Permission.USER_MANAGE))


@dataclass(frozen=True)
class UserNew:
    """新建工作人员: the departments the actor manages and the roles it may grant."""

    departments: list[Department]
    roles: list[tuple[str, str]]


def user_new(session: Session, actor: Actor) -> UserNew:
    """新建工作人员 form (user managers only)."""
    actor.require(Permission.USER_MANAGE)
    return UserNew(departments=_manageable_departments(session, actor), roles=grantable_roles(actor))


@dataclass(frozen=True)
class UserDetail:
    """One staff member; the edit forms are shown when `can_manage` (with the departments and roles offered)."""

    user: User
    can_manage: bool
    roles: list[tuple[str, str]]
    departments: list[Department]


def user_detail(session: Session, actor: Actor, user_id: int) -> UserDetail:
    """人员详情: a user outside the actor's reach is answered as missing (service.get_user)."""
    user = service.get_user(session=session, actor=actor, user_id=user_id)
    can_manage = actor.has(Permission.USER_MANAGE) and actor.can_in_department(
        Permission.USER_MANAGE, user.department_id)
    return UserDetail(user=user, can_manage=can_manage, roles=grantable_roles(actor),
                      departments=_manageable_departments(session, actor) if can_manage else [])


# ---------------------------------------------------------------- citizen and enterprise accounts


@dataclass(frozen=True)
class Accounts:
    """群众与企业账号: nothing (`rows` None) until a purpose is stated, then the masked accounts."""

    kind: str
    purpose: str
    q: str
    page: int
    rows: list[AccountRead] | None = None
    total: int = 0
    #: Why the stated purpose was refused (too short), shown above the form; the list stays closed.
    error: str | None = None


@use_case
def accounts(session: Session, actor: Actor, *, kind: str = "citizen", purpose: str = "", q: str = "",
             page: int = 1) -> Accounts:
    """群众与企业账号 page. Listing accounts is a read of personal data: it goes through the audited
    use-case service.list_accounts (which writes the account.read entry with the purpose and commits it
    with the read), so this read model writes that audit entry whenever it lists anything."""
    actor.require(Permission.ACCOUNT_READ)
    kind = kind if kind in ("citizen", "enterprise") else "citizen"
    page = max(page, 1)
    view = Accounts(kind=kind, purpose=purpose, q=q, page=page)
    if not purpose:
        return view
    try:
        rows, total = service.list_accounts(session=session, actor=actor, kind=kind, purpose=purpose,
                                            q=q or None, page=page, size=ACCOUNTS_PAGE_SIZE)
    except ValidationFailed as exc:  # the purpose is part of the query string: say what is missing
        return Accounts(kind=kind, purpose=purpose, q=q, page=page, error=exc.message)
    return Accounts(kind=kind, purpose=purpose, q=q, page=page, rows=[AccountRead.masked(u) for u in rows],
                    total=total)


# ---------------------------------------------------------------- departments


@dataclass(frozen=True)
class DepartmentsHome:
    """部门目录 with its filters."""

    departments: Sequence[Department]
    total: int
    q: str
    region_code: str
    regions: Sequence[Region]
    can_manage: bool


def departments_home(session: Session, actor: Actor, *, q: str = "", region_code: str = "") -> DepartmentsHome:
    """部门目录: open to all staff (sharing starts by knowing who holds what)."""
    rows, total = service.list_departments(session=session, actor=actor, q=q or None,
                                           region_code=region_code or None, size=500)
    return DepartmentsHome(departments=rows, total=total, q=q, region_code=region_code,
                           regions=repo.list_regions(session), can_manage=actor.has(Permission.DEPARTMENT_MANAGE))


@dataclass(frozen=True)
class DepartmentForm:
    """登记部门 / one department: the department (None when new), parents and regions offered."""

    dept: Department | None
    departments: Sequence[Department]
    regions: list[Region]
    can_manage: bool


def _department_form(session: Session, actor: Actor, dept: Department | None) -> DepartmentForm:
    departments, _ = repo.list_departments(session, limit=1000)
    # Departments sit at city or county level: townships are not offered.
    regions = [r for r in repo.list_regions(session) if r.level != "township"]
    return DepartmentForm(dept=dept, departments=departments, regions=regions,
                          can_manage=actor.has(Permission.DEPARTMENT_MANAGE))


def department_new(session: Session, actor: Actor) -> DepartmentForm:
    """登记部门 form (department managers only)."""
    actor.require(Permission.DEPARTMENT_MANAGE)
    return _department_form(session, actor, None)


def department_detail(session: Session, actor: Actor, department_id: int) -> DepartmentForm:
    """One department, editable when `can_manage`."""
    dept = service.get_department(session=session, actor=actor, department_id=department_id)
    return _department_form(session, actor, dept)


# ---------------------------------------------------------------- application clients and keys


@dataclass(frozen=True)
class ClientsHome:
    """应用系统与 API 密钥 of one department, with the departments the actor may switch to."""

    clients: Sequence[AppClient]
    departments: Sequence[Department]
    department_id: int | None
    can_manage: bool


def clients_home(session: Session, actor: Actor, *, department_id: int | None = None) -> ClientsHome:
    """应用系统 page: one department's clients and their keys."""
    actor.require(Permission.CLIENT_READ)
    departments, _ = repo.list_departments(session, ids=actor.department_scope(Permission.CLIENT_READ),
                                           limit=1000)
    if department_id is None:
        # Platform-wide readers start with their own department rather than a hundred systems.
        department_id = actor.department_id if actor.department_id is not None else (
            departments[0].id if departments else None)
    clients = service.list_clients(session=session, actor=actor, department_id=department_id)
    return ClientsHome(clients=clients, departments=departments, department_id=department_id,
                       can_manage=actor.has(Permission.CLIENT_MANAGE))
