"""预填与免提交: the application form pre-filled from the base registries and materials fetched from shared data
— through the exchange, as the platform's own service system (一网通办平台) — or from the applicant's own
e-licences (我的证照).

Every call is the exchange's ordinary call: the system's API-key identity (an `AppClient` of the platform
operator, active), its grants (requested, checked and approved on the normal sharing path), the purpose in
Chinese, the applicant as end user and the case number, masking by sensitivity, and the exchange log — so
each prefill and each fetched material shows in the applicant's “谁用了我的数据” with the case number.

How the exchange is called: in process, on a session of its own (`transactions.separate`, `Why.EXCHANGE_LOG`),
not over the platform's HTTP API. The exchange commits each call's log entry itself (`commit_apart`) before
it returns the answer, so the rule “no answer leaves before its log entry is durable” holds unchanged; the
separate session means that commit can never take half of a caller's use-case with it. HTTP would need the
platform to hold a plaintext API key of its own (keys are stored only as hashes) and a network hop for the
same checks. Therefore these functions are not use-cases and must be called outside one (a page handler
before or after the case's use-case), which they check.

E-licences are read from the licence library as the holder reads them (`licences.library.valid_licences`,
`licences.queries.readable_licence`, the PDF at `/my/licences/<id>/pdf` through the file store's licence
reader), not through the exchange: the library is a resource of the platform operator itself, and the
sharing path refuses a department's request for its own resource (`own_resource`), so 一网通办平台 can hold
no grant on it; and an applicant reading their own licence is no use of their data by anyone else.

Fetched only when asked: `fetchable_materials` reads no shared data (only whether the system holds a grant
and whether the applicant holds a licence of the type); `fetch_material` fetches one material and returns
a preview with a token (`licence:<id>:<version>` or `exchange:<log seq>`) the cases domain stores when the
applicant confirms. A material the exchange cannot supply now comes back with a Chinese message and
`may_upload`: the applicant always may type or upload instead.

The key of every call is the applicant's own resident ID or credit code, never a value the caller passes,
and a licence named by id must be the applicant's (else “电子证照不存在”, as for anyone's licence).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tongban import clock
from tongban.authz import Actor
from tongban.catalog.models import InformationResource
from tongban.errors import DomainError, NotFound, ValidationFailed
from tongban.exchange import proxy
from tongban.exchange.access import CallContext, resource_view
from tongban.exchange.endpoint_models import ProviderEndpoint
from tongban.exchange.gateway import get_record, query_records
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.identifiers import mask_name, mask_resident_id
from tongban.items.rules import MaterialLike
from tongban.licences.library import valid_licences
from tongban.licences.models import LicenceType
from tongban.licences.queries import readable_licence
from tongban.org import service as org
from tongban.org.models import AppClient, Department
from tongban.org.schemas import ClientCreate
from tongban.registries.models import RegistryHead
from tongban.sharing.models import Grant
from tongban.transactions import Why, in_use_case, separate, use_case

__all__ = ["FORM_SOURCES", "SYSTEM_CODE", "SYSTEM_NAME", "MaterialOption", "MaterialPreview", "Prefill",
           "PrefillField", "ensure_platform_system", "fetch_material", "fetchable_materials", "grant_needs",
           "platform_system", "prefill_form"]

_log = logging.getLogger("tongban.cases.prefill")

SYSTEM_CODE = "ywtb-platform"
SYSTEM_NAME = "一网通办平台"
#: The base registry a form is pre-filled from, by applicant kind (catalog resource names, as materials name them).
FORM_SOURCES = {"citizen": "户籍人口基本信息", "enterprise": "市场主体登记信息"}
_SUBJECT_TYPE = {"citizen": "resident_id", "enterprise": "credit_code"}


class ImplementationLike(Protocol):
    """An implementation of a service item (items' `ImplementationRead` or the `Implementation` row)."""

    @property
    def materials(self) -> Sequence[Any]: ...


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class PrefillField:
    key: str  # the information item's key
    name: str  # 信息项名称
    value: str  # as the exchange served it: masked when the item is sensitive and not granted plain
    masked: bool
    resource_code: str
    resource_name: str
    provider: str


@dataclass(frozen=True)
class Prefill:
    """The form's pre-filled fields, or why there are none (the applicant then types everything)."""

    available: bool
    fields: list[PrefillField] = field(default_factory=list)
    message: str = ""  # Chinese: what happened when nothing (or not everything) could be filled
    log_seq: int | None = None  # the exchange log entry of the call

    def value(self, key: str) -> str | None:
        return next((f.value for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class MaterialOption:
    """One material of an implementation, and whether the platform can fetch it for this applicant."""

    index: int  # position in the implementation's materials
    name: str
    source: str  # upload / licence / shared / bundle / waived
    required: bool
    fetchable: bool
    reason: str  # Chinese, for the form


@dataclass(frozen=True)
class MaterialPreview:
    """A fetched material shown to the applicant before they confirm it (or the reason it could not be fetched)."""

    index: int
    name: str
    source: str
    available: bool
    message: str = ""  # Chinese; when not available it says to upload
    may_upload: bool = True
    #: What the cases domain stores on confirmation: `licence:<id>:<version>` or `exchange:<log seq>`.
    token: str = ""
    fields: list[PrefillField] = field(default_factory=list)  # shared data: the items served (masked)
    # A licence: its type, number, holder (masked), issuer, validity and where its PDF is read by the holder.
    licence_id: int | None = None
    licence_version: int | None = None
    licence_type: str = ""
    licence_number: str = ""
    identifier: str = ""
    holder_name: str = ""
    holder_code: str = ""
    issuer_name: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None  # None: 长期
    pdf_url: str = ""


# ---------------------------------------------------------------- the platform's own system


def platform_system(session: Session) -> AppClient | None:
    """一网通办平台: the platform operator's own service system, if registered and active."""
    row = session.execute(select(AppClient).join(Department, Department.id == AppClient.department_id).where(
        AppClient.code == SYSTEM_CODE, Department.is_platform_operator.is_(True))).scalar_one_or_none()
    return row if row is not None and row.status == "active" else None


def _system_actor(client: AppClient) -> Actor:
    # The identity actor_from_api_key gives this client's keys: the exchange checks grants, not the key.
    return Actor(kind="client", id=client.id, name=client.name, username=client.code,
                 department_id=client.department_id, client_id=client.id, client_ip="127.0.0.1")


@use_case
def ensure_platform_system(*, session: Session, actor: Actor) -> AppClient:
    """Register 一网通办平台 for the platform operator (idempotent), through the ordinary client use-case."""
    existing = session.execute(select(AppClient).where(AppClient.code == SYSTEM_CODE)).scalar_one_or_none()
    if existing is not None:
        return existing
    operator = session.execute(select(Department).where(Department.is_platform_operator.is_(True))
                               .order_by(Department.id).limit(1)).scalar_one_or_none()
    if operator is None:
        raise ValidationFailed("尚未设置平台运营部门（电子政务办/数据局），无法登记一网通办平台。",
                               code="no_platform_operator")
    return org.create_client(session=session, actor=actor, client_in=ClientCreate(
        code=SYSTEM_CODE, name=SYSTEM_NAME, department_id=operator.id,
        description="一网通办平台：申请人办事时经本人请求预填申请表、调取共享数据和电子证照，免于重复提交材料。"))


def _shared_ref(ref: str) -> tuple[str, list[str]]:
    name, _, items = ref.partition(":")
    return name.strip(), [i.strip() for i in items.split(",") if i.strip()]


def grant_needs(session: Session, implementations: Iterable[ImplementationLike]) -> dict[str, list[str]]:
    """What the system needs grants on (resource name → item keys): the form's base registries (all their
    items) and the shared materials of the given implementations."""
    needs: dict[str, list[str]] = {}
    for name in FORM_SOURCES.values():
        resource = _resource_by_name(session, name, None)
        if resource is not None:
            needs[name] = [i.key for i in resource.items]
    for impl in implementations:
        for m in impl.materials:
            if m.source == "shared" and m.ref:
                name, items = _shared_ref(m.ref)
                have = needs.setdefault(name, [])
                have.extend(i for i in items if i not in have)
    return needs


def _resource_by_name(session: Session, name: str, client_id: int | None) -> InformationResource | None:
    """The published resource of this name; of several, the one the system holds a grant on."""
    rows = session.execute(select(InformationResource).where(
        InformationResource.name == name, InformationResource.status == "published")
        .order_by(InformationResource.id)).scalars().all()
    if len(rows) > 1 and client_id is not None:
        granted = {g for (g,) in session.execute(select(Grant.resource_id).where(
            Grant.client_id == client_id, Grant.status == "active",
            Grant.resource_id.in_([r.id for r in rows])))}
        rows = [r for r in rows if r.id in granted] or rows
    return rows[0] if rows else None


def _granted_items(session: Session, client_id: int, resource_id: int) -> set[str]:
    day = clock.today()
    rows = session.execute(select(Grant.items).where(
        Grant.client_id == client_id, Grant.resource_id == resource_id, Grant.status == "active",
        Grant.valid_from <= day, Grant.valid_until >= day)).scalars()
    return set().union(*(set(items) for items in rows))


# ---------------------------------------------------------------- calling the exchange


def _applicant_code(applicant: Actor) -> str:
    if applicant.kind not in _SUBJECT_TYPE or not applicant.holder_code:
        raise ValidationFailed("只有以本人（本单位）账号登录的群众和企业才能调取本人（本单位）的数据。",
                               code="not_an_applicant")
    return applicant.holder_code


def _factory(session: Session) -> sessionmaker[Session]:
    if in_use_case(session):
        # On SQLite the separate session would wait for the caller's write lock, i.e. for itself; and an
        # exchange call is not part of any use-case (its log entry commits whatever happens to the case).
        raise RuntimeError("prefill and fetch call the exchange and must be called outside a use-case")
    return sessionmaker(bind=session.get_bind(), expire_on_commit=False)


def _purpose(what: str, case_number: str, *, at_window: bool = False) -> str:
    who = "经申请人当面同意，由窗口代为调取" if at_window else "经申请人本人请求"
    return f"一网通办办件{what}（办件编号 {case_number}），{who}"


@dataclass
class _Answer:
    ok: bool
    records: list[dict[str, Any]] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None
    message: str = ""


def _call(session: Session, *, applicant_code: str, resource: InformationResource, lookup: dict[str, str],
          purpose: str, case_number: str) -> _Answer:
    """One exchange call as the platform's system; every failure becomes a Chinese message, never an error."""
    system = platform_system(session)
    if system is None:
        return _Answer(False, message="一网通办平台尚未接入共享交换，暂时无法调取。")
    factory = _factory(session)
    actor = _system_actor(system)
    ctx = CallContext(purpose=purpose, end_user=applicant_code, case_number=case_number)
    try:
        with separate(factory, Why.EXCHANGE_LOG) as s:
            view = resource_view(s, resource.code)
            key_items = [i.key for i in view.items if i.is_key] if view is not None else []
            head = s.execute(select(RegistryHead.records).where(RegistryHead.resource_id == resource.id)).scalar()
            endpoint = s.execute(select(ProviderEndpoint.id).where(
                ProviderEndpoint.resource_id == resource.id)).scalar()
            if endpoint is not None and not head:
                # Not held in the hub: asked at the provider's system (接口转发), same checks and log.
                answer = anyio.run(_invoke, s, actor, resource.code, lookup, ctx)
                records = answer["items"]
            elif list(lookup) == key_items:
                answer = get_record(session=s, actor=actor, code=resource.code, key=lookup[key_items[0]], ctx=ctx)
                records = [answer["data"]]
            else:
                answer = query_records(session=s, actor=actor, code=resource.code, filters=lookup, page=1, size=20,
                                       ctx=ctx)
                records = answer["items"]
            seq = _last_seq(s, system.id, resource.code, applicant_code, case_number)
    except NotFound as exc:
        if exc.code == "record_not_found":
            return _Answer(False, message=f"“{resource.name}”中未查到您的记录，请自行填写或上传。")
        return _Answer(False, message=f"暂时无法从“{resource.name}”调取：{exc.message}可自行填写或上传。")
    except DomainError as exc:
        return _Answer(False, message=f"暂时无法从“{resource.name}”调取：{exc.message}您可以自行填写或上传，"
                                      "不影响提交申请。")
    except Exception:  # the hub itself failed (database gone …): logged by the exchange where it could
        _log.exception("prefill call failed (%s)", resource.code)
        return _Answer(False, message=f"共享交换平台暂时无法访问，未能从“{resource.name}”调取。您可以自行填写或上传，"
                                      "不影响提交申请。")
    if not records:
        return _Answer(False, seq=seq, message=f"“{resource.name}”中未查到您的记录，请自行填写或上传。")
    return _Answer(True, records=records, provenance=answer["provenance"], seq=seq)


async def _invoke(s: Session, actor: Actor, code: str, lookup: dict[str, str], ctx: CallContext) -> dict[str, Any]:
    return await proxy.invoke(session=s, actor=actor, code=code, params=lookup, ctx=ctx)


def _last_seq(s: Session, client_id: int, code: str, end_user: str, case_number: str) -> int | None:
    """The log entry of the call just made (committed by the exchange before it answered)."""
    return s.execute(select(func.max(ExchangeLogEntry.seq)).where(
        ExchangeLogEntry.client_id == client_id, ExchangeLogEntry.resource_code == code[:32],
        ExchangeLogEntry.end_user == end_user, ExchangeLogEntry.case_number == case_number[:64])).scalar()


def _lookup(session: Session, resource: InformationResource, kind: str, code: str,
            granted: set[str]) -> dict[str, str] | None:
    """Whose record: the resource's item holding the applicant's own identifier (a key item first)."""
    wanted = _SUBJECT_TYPE[kind]
    items = sorted((i for i in resource.items if i.data_type == wanted and i.key in granted),
                   key=lambda i: (not i.is_key, i.position))
    return {items[0].key: code} if items else None


def _fields(answer: _Answer, resource: InformationResource, keys: Sequence[str] | None = None) -> list[PrefillField]:
    record = answer.records[0]
    prov = answer.provenance
    masked = set(prov.get("masked_items", []))
    names = {i.key: i.name for i in resource.items}
    return [PrefillField(key=k, name=names.get(k, k), value="" if v is None else str(v), masked=k in masked,
                         resource_code=prov.get("resource_code", resource.code),
                         resource_name=prov.get("resource_name", resource.name), provider=prov.get("provider", ""))
            for k, v in record.items() if keys is None or k in keys]


# ---------------------------------------------------------------- the form


def prefill_form(session: Session, *, applicant: Actor, implementation: ImplementationLike,
                 purpose: str) -> Prefill:
    """预填: the applicant's record in the base registry of their kind, through the exchange; `purpose` is the
    case number. Nothing to fill (no grant, no record, the exchange down) is a message, never an error."""
    code = _applicant_code(applicant)
    system = platform_system(session)
    resource = _resource_by_name(session, FORM_SOURCES[applicant.kind], system.id if system else None)
    if system is None or resource is None:
        return Prefill(False, message="暂不能从共享数据预填申请表，请自行填写。")
    granted = _granted_items(session, system.id, resource.id)
    lookup = _lookup(session, resource, applicant.kind, code, granted)
    if lookup is None:
        return Prefill(False, message=f"一网通办平台尚未获得“{resource.name}”的共享授权，请自行填写。")
    answer = _call(session, applicant_code=code, resource=resource, lookup=lookup,
                   purpose=_purpose("预填申请表", purpose), case_number=purpose)
    if not answer.ok:
        return Prefill(False, message=answer.message, log_seq=answer.seq)
    return Prefill(True, fields=_fields(answer, resource), log_seq=answer.seq,
                   message=f"以下信息由共享数据“{resource.name}”预填，标 * 的敏感信息已脱敏显示；如有不符请修改。")


# ---------------------------------------------------------------- materials


def _held_types(session: Session, code: str) -> dict[str, LicenceType]:
    return {lic.type.name: lic.type for lic in valid_licences(session, holder_code=code, today=clock.today())}


def fetchable_materials(session: Session, applicant: Actor, implementation: ImplementationLike) -> list[MaterialOption]:
    """Which materials the platform can fetch for this applicant — read from grants and the applicant's own
    licence list only: nothing is fetched here."""
    code = _applicant_code(applicant)
    system = platform_system(session)
    held = _held_types(session, code)
    out: list[MaterialOption] = []
    for n, m in enumerate(implementation.materials):
        fetchable, reason = False, "请上传"
        if m.source == "licence":
            if m.ref not in held:
                reason = f"未查到您名下有效的电子证照“{m.ref}”，请上传"
            else:
                fetchable, reason = True, f"可调取您的电子证照“{m.ref}”，预览确认后使用，也可自行上传"
        elif m.source == "shared":
            name, items = _shared_ref(m.ref)
            resource = _resource_by_name(session, name, system.id if system else None)
            granted = _granted_items(session, system.id, resource.id) if system and resource else set()
            if resource is None:
                reason = f"共享资源“{name}”不存在或未发布，请上传"
            elif not set(items) <= granted:
                reason = f"一网通办平台尚未获得“{name}”的共享授权，请上传"
            elif _lookup(session, resource, applicant.kind, code, granted) is None:
                reason = f"“{name}”不能按您的身份查询，请上传"
            else:
                fetchable, reason = True, f"可从共享数据“{name}”调取，预览确认后使用，也可自行上传"
        elif m.source == "waived":
            reason = "免提交"
        elif m.source == "bundle":
            reason = "由同一件事中其他事项的办理结果提供"
        out.append(MaterialOption(index=n, name=m.name, source=m.source, required=bool(m.required),
                                  fetchable=fetchable, reason=reason))
    return out


def fetch_material(session: Session, *, applicant: Actor, implementation: ImplementationLike, index: int,
                   purpose: str, licence_id: int | None = None, at_window: bool = False) -> MaterialPreview:
    """Fetch one material the applicant asked for, for preview; `purpose` is the case number; `at_window`: a
    window clerk asks for the walk-in applicant, who agreed (the purpose says so; the end user is the applicant).

    A licence is the applicant's own valid licence of the material's type (`licence_id` picks one of theirs;
    another's is refused as not existing); shared data comes through the exchange by the applicant's own
    identifier. The token goes to the case on confirmation."""
    code = _applicant_code(applicant)
    materials = list(implementation.materials)
    if not 0 <= index < len(materials):
        raise NotFound("该事项没有这项申请材料。", code="material_not_found")
    m = materials[index]
    base = {"index": index, "name": m.name, "source": m.source}
    if licence_id is not None:
        # Before any call: naming a licence that is not the applicant's ends here (404, like a missing one).
        chosen = readable_licence(session, applicant, licence_id)
        if chosen.type.name != m.ref:
            raise ValidationFailed(f"所选电子证照不是“{m.ref}”，请重新选择。", code="licence_wrong_type")
    if m.source == "licence":
        return _fetch_licence(session, code, m, base, licence_id)
    if m.source == "shared":
        return _fetch_shared(session, applicant, code, m, base, purpose, at_window)
    return MaterialPreview(**base, available=False, message="该材料不能由平台调取，请上传。")


def _fetch_licence(session: Session, code: str, m: MaterialLike, base: dict[str, Any],
                   licence_id: int | None) -> MaterialPreview:
    held = _held_types(session, code)
    licences = (valid_licences(session, holder_code=code, type_code=held[m.ref].code, today=clock.today())
                if m.ref in held else [])
    if licence_id is not None:
        licences = [lic for lic in licences if lic.id == licence_id]
    if not licences:
        return MaterialPreview(**base, available=False, message=f"未查到您名下有效的电子证照“{m.ref}”，请上传。")
    lic = licences[0]
    person = lic.holder_code_type == "resident_id"
    return MaterialPreview(
        **base, available=True, token=f"licence:{lic.id}:{lic.version}",
        message=f"已调取您的电子证照“{lic.type.name}”，请核对后确认使用；如不使用可自行上传。",
        licence_id=lic.id, licence_version=lic.version, licence_type=lic.type.name, licence_number=lic.number,
        identifier=lic.identifier, holder_name=mask_name(lic.holder_name) if person else lic.holder_name,
        holder_code=mask_resident_id(lic.holder_code) if person else lic.holder_code, issuer_name=lic.issuer_name,
        valid_from=lic.valid_from, valid_to=lic.valid_to, pdf_url=f"/my/licences/{lic.id}/pdf")


def _fetch_shared(session: Session, applicant: Actor, code: str, m: MaterialLike, base: dict[str, Any],
                  case_number: str, at_window: bool = False) -> MaterialPreview:
    name, items = _shared_ref(m.ref)
    system = platform_system(session)
    resource = _resource_by_name(session, name, system.id if system else None)
    granted = _granted_items(session, system.id, resource.id) if system and resource else set()
    lookup = _lookup(session, resource, applicant.kind, code, granted) if resource is not None else None
    if resource is None or lookup is None or not set(items) <= granted:
        return MaterialPreview(**base, available=False, message=f"该材料暂不能从共享数据“{name}”调取，请上传。")
    answer = _call(session, applicant_code=code, resource=resource, lookup=lookup,
                   purpose=_purpose(f"调取“{m.name}”作为申请材料", case_number, at_window=at_window),
                   case_number=case_number)
    if not answer.ok:
        return MaterialPreview(**base, available=False, message=answer.message)
    return MaterialPreview(**base, available=True, token=f"exchange:{answer.seq}",
                           fields=_fields(answer, resource, items),
                           message=f"已从共享数据“{name}”调取，请核对后确认使用；如不使用可自行上传。")

