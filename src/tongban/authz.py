"""Roles, permissions and the acting principal: every permission decision starts here.

Deny by default: a role has only the permissions listed in ROLE_PERMISSIONS. Roles act within
the user's own department, except the platform-wide roles (platform admin, supervisor), whose
permissions reach every department. Object rules (e.g. who may change which user) live in each
domain's permissions.py and build on `Actor.department_scope` (reach) and `Actor.acts_for` (a
department's own decisions).

The administrator does not act in another role's place: a department's own decisions — asking
for data, answering a sharing request, raising or answering a data dispute, issuing and changing
its licences — belong to that department's staff (DEPARTMENT_ACTS), and the platform admin role
does not carry them. The platform acts only in the steps the rules give it (compliance check,
coordination of objections and disputes, supervision of grants, seals, the catalog's tree).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from tongban.errors import DomainError, Forbidden


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    DEPT_ADMIN = "dept_admin"
    WINDOW_CLERK = "window_clerk"
    REVIEWER = "reviewer"
    DATA_OFFICER = "data_officer"
    SUPERVISOR = "supervisor"


ROLE_LABELS: dict[str, str] = {
    Role.PLATFORM_ADMIN: "平台管理员",
    Role.DEPT_ADMIN: "部门管理员",
    Role.WINDOW_CLERK: "窗口受理人员",
    Role.REVIEWER: "审批人员",
    Role.DATA_OFFICER: "部门数据管理员",
    Role.SUPERVISOR: "监察人员",
}

PLATFORM_WIDE_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.SUPERVISOR})


class Permission(StrEnum):
    DEPARTMENT_READ = "department.read"
    DEPARTMENT_MANAGE = "department.manage"
    REGION_MANAGE = "region.manage"
    USER_READ = "user.read"
    USER_MANAGE = "user.manage"
    ACCOUNT_READ = "account.read"  # citizens' and enterprises' accounts: personal data
    ACCOUNT_MANAGE = "account.manage"
    CLIENT_READ = "client.read"
    CLIENT_MANAGE = "client.manage"
    AUDIT_READ = "audit.read"
    CALENDAR_MANAGE = "calendar.manage"
    CATALOG_READ = "catalog.read"  # non-open published resources (open ones are public)
    CATALOG_EDIT = "catalog.edit"  # the department's own resources
    CATALOG_ADMIN = "catalog.admin"  # classification tree, any resource
    SHARING_READ = "sharing.read"  # requests and grants the department is party to
    SHARING_REQUEST = "sharing.request"  # ask other departments for data
    SHARING_DECIDE = "sharing.decide"  # answer requests for the department's resources
    SHARING_COMPLIANCE = "sharing.compliance"  # platform: compliance check, coordination, any grant
    DISPUTE_RAISE = "dispute.raise"  # 疑义/纠错: flag a record of a granted resource as wrong
    DISPUTE_ANSWER = "dispute.answer"  # answer disputes on the department's own resources
    ENDPOINT_MANAGE = "endpoint.manage"  # register the department's own systems behind 接口 resources
    EXCHANGE_MONITOR = "exchange.monitor"  # call statistics of the department's resources and systems
    SEAL_MANAGE = "seal.manage"  # platform: make, suspend, revoke seals; trust CAs
    LICENCE_TYPE_MANAGE = "licence_type.manage"  # platform: the licence-type catalog
    LICENCE_READ = "licence.read"  # the licences the department issued (personal data: read is logged)
    LICENCE_ISSUE = "licence.issue"  # issue, annotate, suspend, revoke the department's licences
    DOCUMENT_ISSUE = "document.issue"  # issue and revoke the department's sealed notices (受理通知书 …)
    JOBS_MANAGE = "jobs.manage"  # platform: the 任务运行 page, retry failed jobs
    SEARCH_TERMS_MANAGE = "search_terms.manage"  # platform: the search dictionary (检索词典)
    ITEM_CATALOG_MANAGE = "item_catalog.manage"  # platform: the basic catalog of service items, bundles, events
    ITEM_MANAGE = "item.manage"  # the department's implementation lists (实施清单): edit, submit, retire
    ITEM_REVIEW = "item.review"  # platform: approve or return implementations, deviation report, once-only rate
    CASE_HANDLE = "case.handle"  # 办件: accept, 补正, refuse, review, decide the department's cases (clerks, reviewers)
    CASE_READ = "case.read"  # read the department's cases (personal data: read is logged); supervisors: all
    SUPERVISION_MANAGE = "supervision.manage"  # 电子监察: edit the supervision rules (supervisors, platform admin)
    SUPERVISION_READ = "supervision.read"  # 电子监察: the board, alerts, case timelines, 督办 (heads: own department)
    SUPERVISION_OVERSEE = "supervision.oversee"  # 电子监察: close alerts with an outcome, issue and conclude 督办
    SUPERVISION_ANSWER = "supervision.answer"  # 电子监察: answer the department's 督办 (its head and handlers)
    RATING_HANDLE = "rating.handle"  # 好差评: call back, verify, rectify, appeal the department's bad ratings
    RATING_REVIEW = "rating.review"  # 好差评: every department's ratings; decide appeals (申诉复核)
    INDICATOR_READ = "indicator.read"  # 绩效指标: the department's figures (department heads); supervisors: all


_ALL_STAFF = {Permission.DEPARTMENT_READ, Permission.USER_READ, Permission.CATALOG_READ}
_DATA_WORK = {Permission.CATALOG_EDIT, Permission.SHARING_READ, Permission.SHARING_REQUEST, Permission.SHARING_DECIDE,
              Permission.DISPUTE_RAISE, Permission.DISPUTE_ANSWER, Permission.ENDPOINT_MANAGE,
              Permission.EXCHANGE_MONITOR}

# Decisions that are a department's own act: taken by that department's staff, never by a platform role
# on its behalf (政务数据共享条例: the provider answers, the requester asks and withdraws; the issuing
# authority issues, annotates, suspends and revokes its licences).
DEPARTMENT_ACTS = frozenset({
    Permission.SHARING_REQUEST, Permission.SHARING_DECIDE, Permission.DISPUTE_RAISE, Permission.DISPUTE_ANSWER,
    Permission.LICENCE_ISSUE, Permission.ITEM_MANAGE, Permission.DOCUMENT_ISSUE, Permission.CASE_HANDLE,
    Permission.RATING_HANDLE, Permission.SUPERVISION_ANSWER,
})

# Decisions the rules give the supervisor (监察人员) alone: the platform admin runs the platform and does not
# decide in the supervisor's place (申诉复核 of a 好差评 rating; closing 电子监察 alerts, issuing and concluding 督办).
SUPERVISOR_ACTS = frozenset({Permission.RATING_REVIEW, Permission.SUPERVISION_OVERSEE})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLATFORM_ADMIN: frozenset(Permission) - DEPARTMENT_ACTS - SUPERVISOR_ACTS,
    Role.DEPT_ADMIN: frozenset(
        _ALL_STAFF | _DATA_WORK | {Permission.USER_MANAGE, Permission.CLIENT_READ, Permission.CLIENT_MANAGE,
                                   Permission.AUDIT_READ, Permission.LICENCE_READ, Permission.LICENCE_ISSUE,
                                   Permission.ITEM_MANAGE, Permission.DOCUMENT_ISSUE, Permission.CASE_READ,
                                   Permission.RATING_HANDLE, Permission.INDICATOR_READ,
                                   Permission.SUPERVISION_READ, Permission.SUPERVISION_ANSWER}
    ),
    Role.WINDOW_CLERK: frozenset(_ALL_STAFF | {Permission.LICENCE_READ, Permission.CASE_HANDLE, Permission.CASE_READ,
                                               Permission.DOCUMENT_ISSUE, Permission.RATING_HANDLE,
                                               Permission.SUPERVISION_ANSWER}),
    Role.REVIEWER: frozenset(_ALL_STAFF | {Permission.LICENCE_READ, Permission.LICENCE_ISSUE, Permission.CASE_HANDLE,
                                           Permission.CASE_READ, Permission.DOCUMENT_ISSUE,
                                           Permission.SUPERVISION_ANSWER}),
    Role.DATA_OFFICER: frozenset(_ALL_STAFF | _DATA_WORK | {Permission.CLIENT_READ}),
    Role.SUPERVISOR: frozenset(_ALL_STAFF | {Permission.AUDIT_READ, Permission.SHARING_READ,
                                             Permission.EXCHANGE_MONITOR, Permission.LICENCE_READ,
                                             Permission.CASE_READ, Permission.RATING_REVIEW,
                                             Permission.SUPERVISION_MANAGE, Permission.INDICATOR_READ,
                                             Permission.SUPERVISION_READ, Permission.SUPERVISION_OVERSEE}),
}

CLIENT_PERMISSIONS = frozenset({Permission.DEPARTMENT_READ})

# Roles a department admin may hand out within their own department.
DEPARTMENT_GRANTABLE_ROLES = frozenset(
    {Role.DEPT_ADMIN, Role.WINDOW_CLERK, Role.REVIEWER, Role.DATA_OFFICER}
)


@lru_cache(maxsize=256)
def _permissions_of(roles: frozenset[str]) -> frozenset[Permission]:
    """A staff member's permissions from their roles, worked out once per set of roles (every check asks)."""
    perms: set[Permission] = set()
    for role in roles:
        try:
            perms |= ROLE_PERMISSIONS[Role(role)]
        except ValueError:
            continue  # an unknown role grants nothing
    return frozenset(perms)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, an application client (API key), or the system."""

    kind: str  # staff / citizen / enterprise / client / system / anonymous
    id: int | None
    name: str
    username: str = ""
    department_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    client_id: int | None = None
    client_ip: str = ""
    session_token_hash: str | None = None
    csrf_token: str | None = None
    # A citizen's resident ID or an enterprise's credit code: whose licences and data are "mine".
    holder_code: str = ""

    @property
    def is_authenticated(self) -> bool:
        return self.kind not in ("anonymous",)

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    def permissions(self) -> frozenset[Permission]:
        if self.kind == "system":
            return frozenset(Permission)
        if self.kind == "client":
            # Business systems read the department directory; data access comes from grants.
            return CLIENT_PERMISSIONS
        if self.kind != "staff":
            return frozenset()
        return _permissions_of(self.roles)

    def has(self, perm: Permission) -> bool:
        return perm in self.permissions()

    def require(self, perm: Permission) -> None:
        """Raise Forbidden unless the actor holds `perm` through one of its roles."""
        if not self.has(perm):
            raise Forbidden(detail={"permission": str(perm)})

    def department_scope(self, perm: Permission) -> set[int] | None:
        """Departments where `perm` applies: None means all; empty means none."""
        if self.kind == "system":
            return None
        scope: set[int] = set()
        for role in self.roles:
            try:
                r = Role(role)
            except ValueError:
                continue
            if perm not in ROLE_PERMISSIONS[r]:
                continue
            if r in PLATFORM_WIDE_ROLES:
                return None
            if self.department_id is not None:
                scope.add(self.department_id)
        return scope

    def can_in_department(self, perm: Permission, department_id: int | None) -> bool:
        scope = self.department_scope(perm)
        return scope is None or (department_id is not None and department_id in scope)

    def acts_for(self, perm: Permission, department_id: int | None) -> bool:
        """Whether the actor takes `perm`'s decisions for `department_id`: a member of that department
        holding `perm` through a department role. Platform-wide reach does not count (and neither does
        the system actor): nobody decides in a department's place."""
        if self.kind != "staff" or department_id is None or self.department_id != department_id:
            return False
        for role in self.roles:
            try:
                r = Role(role)
            except ValueError:
                continue
            if r not in PLATFORM_WIDE_ROLES and perm in ROLE_PERMISSIONS[r]:
                return True
        return False

    def require_in_department(self, perm: Permission, department_id: int | None) -> None:
        if not self.can_in_department(perm, department_id):
            raise Forbidden(
                "您只能查看或办理本部门的数据；如需跨部门访问，请通过数据共享申请办理。",
                detail={"permission": str(perm)},
            )


SYSTEM = Actor(kind="system", id=None, name="系统", username="system")
ANONYMOUS = Actor(kind="anonymous", id=None, name="匿名访问者")


def allowed(check: Callable[..., object], *args: object) -> bool:
    """Whether an object rule (one that raises DomainError when refused) lets the actor act: read models
    use it to decide which forms and buttons a page shows; the use-case checks the rule again."""
    try:
        check(*args)
    except DomainError:
        return False
    return True
