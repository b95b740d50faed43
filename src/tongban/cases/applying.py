"""申请时的预填与免提交: the applicant's draft pre-filled from the base registries, and materials fetched from
shared data or their own e-licences — asked for, previewed, confirmed, or uploaded instead.

The exchange calls (cases/prefill.py) run OUTSIDE any use-case, on a session of their own that commits each
call's log entry before the answer comes back, so these functions are plain functions, in this order:

1. `_reserve_number` (a use-case): the draft gets its 办件编号 now if it has none, because every exchange call
   names the case number as its purpose and the applicant's “谁用了我的数据” shows it. Submission keeps that
   number (a draft never submitted leaves a gap in the day's series, as an abandoned 申报号 does).
2. the exchange call (prefill.prefill_form / prefill.fetch_material), after that use-case has committed;
3. for the form only, `_store_prefill` (a use-case): the fields and their provenance go into the draft's form
   data. A fetched material is only previewed; `confirm_material` (a use-case) stores its token when the
   applicant confirms, after checking the token is theirs, for this case and this material.

Nothing here serves another person's case: every function starts with the applicant's own case (another's is
“not found”, like a case that does not exist) — or, for 窗口收件, a walk-in case of the clerk's own department
(`_resolve`). The walk-in applicant is present at the window: the clerk fetches a material for them only after
ticking that they agreed (`consent`, recorded with the clerk as actor in the case's timeline and the audit log
before the exchange is called); the call itself is the same as online — the platform's system, the APPLICANT
as end user, the case number as purpose — so it shows in the applicant's “谁用了我的数据”. Another department's
clerk, or any clerk on an online case, finds no case (404). The form is not pre-filled at the window.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban import clock
from tongban.authz import Actor, Permission
from tongban.cases import common, prefill
from tongban.cases.models import DRAFT, STATUS_LABELS, SUPPLEMENT, Case, CaseMaterial
from tongban.db import utcnow
from tongban.errors import InvalidTransition, NotFound, ValidationFailed
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.licences.models import Licence
from tongban.licences.queries import readable_licence
from tongban.org.models import User
from tongban.transactions import use_case

#: Where the form keeps what was pre-filled and from where (the applicant's own keys may not start with "_").
PREFILL_KEY = "_prefill"


@dataclass(frozen=True)
class _Materials:
    """The case's materials as prefill reads an implementation's (name, source, ref, required), in order."""

    materials: list[CaseMaterial]


def _own(session: Session, actor: Actor, case_id: int) -> Case:
    return common.own_case(session, actor, case_id)


@dataclass(frozen=True)
class _Party:
    """Whose material is fetched (the applicant, as an actor of their own) and whether a window clerk acts."""

    case: Case
    applicant: Actor
    at_window: bool


def _applicant_actor(session: Session, case: Case) -> Actor:
    user = session.get(User, case.applicant_user_id)
    if user is None or user.kind not in ("citizen", "enterprise"):
        raise NotFound("未找到该办件的申请人。", code="applicant_unknown")
    code = (user.id_number if user.kind == "citizen" else user.credit_code) or ""
    return Actor(kind=user.kind, id=user.id, name=user.display_name, username=user.username, holder_code=code)


def _resolve(session: Session, actor: Actor, case_id: int) -> _Party:
    """The applicant's own case; or a walk-in case (窗口收件) of the clerk's department, for its applicant.
    Anything else is “not found” (another's case, another department's, an online case for a clerk)."""
    if actor.kind in ("citizen", "enterprise"):
        return _Party(_own(session, actor, case_id), actor, False)
    case = common.get_case(session, case_id)
    if actor.is_staff and case.channel == "窗口" and actor.acts_for(Permission.CASE_HANDLE, case.department_id):
        return _Party(case, _applicant_actor(session, case), True)
    raise NotFound("未找到该办件。", code="case_not_found")


def _fetching_allowed(case: Case, material: CaseMaterial | None = None) -> None:
    """In a draft, or during 补正 for a material the notice lists."""
    if case.status == DRAFT:
        return
    if case.status == SUPPLEMENT and material is not None:
        listed = {int(i["material_id"]) for i in case.supplement_notice or []}
        if material.id in listed:
            return
        raise InvalidTransition("补正期间只能提供补正通知列明的材料。", code="material_not_requested")
    raise InvalidTransition(f"办件{STATUS_LABELS[case.status]}，不能再修改申请内容。", code="case_not_draft")


def _material(session: Session, case: Case, material_id: int) -> tuple[int, CaseMaterial, list[CaseMaterial]]:
    rows = common.materials(session, case)
    for index, m in enumerate(rows):
        if m.id == material_id:
            return index, m, rows
    raise NotFound("未找到该材料。", code="material_not_found")


@use_case
def _reserve_number(*, session: Session, actor: Actor, case_id: int, material_id: int | None = None,
                    consent: bool = False) -> Case:
    """The draft's 办件编号, given now if it has none (the purpose of every exchange call). At the window the
    clerk must have recorded that the applicant agreed to the fetch; that consent goes into the timeline and
    the audit log with the clerk as actor, committed before the exchange is called."""
    party = _resolve(session, actor, case_id)
    case = party.case
    if party.at_window and material_id is None:
        raise InvalidTransition("窗口收件不从共享数据预填申请表。", code="case_window_no_prefill")
    material = _material(session, case, material_id)[1] if material_id is not None else None
    _fetching_allowed(case, material)
    if party.at_window and not consent:
        raise ValidationFailed("请先征得申请人同意，并勾选“申请人已当面同意平台调取其数据”，再调取。",
                               code="applicant_consent_required", detail={"field": "consent"})
    if case.number is None:
        from tongban.cases.service import CASE_NUMBER
        from tongban.numbering import next_number

        case.number = next_number(session, CASE_NUMBER, clock.today())
        common.event(session, case, actor, "number", "取得办件编号（调取共享数据前）", number=case.number)
    if party.at_window and material is not None:
        common.event(session, case, actor, "window_fetch_consent",
                     f"申请人当面同意窗口代为调取：{material.name}"[:64], material=material.name,
                     applicant=case.applicant_name, source=material.source)
    return case


# ---------------------------------------------------------------- the form


@dataclass(frozen=True)
class PrefillResult:
    """What the form page shows after 预填: the case, whether anything was filled, the fields and a message."""

    case: Case
    prefill: prefill.Prefill


def prefill_draft(session: Session, actor: Actor, case_id: int) -> PrefillResult:
    """预填: the applicant's record from the base registry of their kind, through the exchange with the case
    number as purpose, stored in the draft's form data with its provenance. Call outside any use-case."""
    case = _reserve_number(session=session, actor=actor, case_id=case_id)
    assert case.number is not None
    result = prefill.prefill_form(session, applicant=actor, implementation=_Materials(common.materials(session, case)),
                                  purpose=case.number)
    if result.available:
        case = _store_prefill(session=session, actor=actor, case_id=case_id, result=result)
    return PrefillResult(case, result)


@use_case
def _store_prefill(*, session: Session, actor: Actor, case_id: int, result: prefill.Prefill) -> Case:
    """The fields go into the form where the applicant has typed nothing; all of them, with where they came
    from (resource, provider, exchange log entry) and whether they are masked, under PREFILL_KEY. Masked
    values are shown, never taken as the applicant's answer."""
    case = _own(session, actor, case_id)
    _fetching_allowed(case)
    form: dict[str, Any] = dict(case.form_data)
    for f in result.fields:
        if not f.masked and f.value and form.get(f.key) in (None, ""):
            form[f.key] = f.value
    form[PREFILL_KEY] = {
        "at": utcnow().isoformat(timespec="seconds"), "log_seq": result.log_seq,
        "fields": [{"key": f.key, "name": f.name, "value": f.value, "masked": f.masked,
                    "resource_code": f.resource_code, "resource_name": f.resource_name, "provider": f.provider}
                   for f in result.fields]}
    case.form_data, case.updated_at = form, utcnow()
    common.event(session, case, actor, "prefill", "共享数据预填申请表",
                 resource=result.fields[0].resource_name if result.fields else "", log_seq=result.log_seq,
                 fields=[f.key for f in result.fields])
    return case


# ---------------------------------------------------------------- materials


def fetchable(session: Session, actor: Actor, case_id: int) -> list[tuple[int, prefill.MaterialOption]]:
    """Which of the case's materials (by id) the platform can fetch for the applicant (nothing is fetched here)."""
    party = _resolve(session, actor, case_id)
    rows = common.materials(session, party.case)
    return [(rows[o.index].id, o) for o in prefill.fetchable_materials(session, party.applicant, _Materials(rows))]


def fetch_material(session: Session, actor: Actor, case_id: int, material_id: int,
                   licence_id: int | None = None, *, consent: bool = False) -> prefill.MaterialPreview:
    """调取: the material the applicant asked for, shown to preview; nothing is stored until they confirm.
    Call outside any use-case (the exchange logs the call with the case number before it answers).

    At the window (a clerk on a walk-in case of their department) `consent` must say the applicant agreed;
    the call is the applicant's all the same (end user, purpose), made at the window."""
    party = _resolve(session, actor, case_id)
    case = _reserve_number(session=session, actor=actor, case_id=case_id, material_id=material_id, consent=consent)
    assert case.number is not None
    index, _, rows = _material(session, case, material_id)
    got = prefill.fetch_material(session, applicant=party.applicant, implementation=_Materials(rows), index=index,
                                 purpose=case.number, licence_id=licence_id, at_window=party.at_window)
    # The licence PDF is read on the holder's own page; the clerk shows the facts on the screen instead.
    return replace(got, pdf_url="") if party.at_window else got


def _current_licence(session: Session, actor: Actor, material: CaseMaterial, licence_id: int,
                     version: int | None) -> Licence:
    """The applicant's own licence of the material's type, valid today, at the version confirmed (if named)."""
    lic = readable_licence(session, actor, licence_id)
    if lic.holder_code != actor.holder_code:  # staff of the issuing department read it, but it is not theirs
        raise NotFound("电子证照不存在。", code="licence_not_found")
    if lic.type.name != material.ref:
        raise ValidationFailed(f"所选电子证照不是“{material.ref}”，请重新选择。", code="licence_wrong_type",
                               detail={"field": "token"})
    if version is not None and lic.version != version:
        raise ValidationFailed(f"电子证照“{lic.type.name}”已有新版本，请重新调取后确认。", code="licence_changed",
                               detail={"field": "token"})
    if lic.status_on(clock.today()) != "valid":
        raise ValidationFailed(f"电子证照“{lic.type.name}”（{lic.number}）已不在有效状态，请重新调取或上传。",
                               code="licence_not_valid", detail={"field": "token"})
    return lic


def _exchange_entry(session: Session, actor: Actor, case: Case, material: CaseMaterial, seq: int) -> ExchangeLogEntry:
    """The log entry of a fetch made for this applicant, this case and this material's resource, that succeeded."""
    system = prefill.platform_system(session)
    entry = session.get(ExchangeLogEntry, seq)
    name = material.ref.partition(":")[0].strip()
    if (entry is None or system is None or entry.client_id != system.id or entry.end_user != actor.holder_code
            or entry.case_number != (case.number or "")[:64] or entry.result != "ok"
            or f"“{material.name}”" not in entry.purpose):
        raise ValidationFailed(f"“{material.name}”的调取记录无效，请重新调取后确认。", code="material_token_invalid",
                               detail={"field": "token", "resource": name})
    return entry


@use_case
def confirm_material(*, session: Session, actor: Actor, case_id: int, material_id: int,
                     token: str) -> CaseMaterial:
    """确认使用: the previewed material becomes the case's, by its token — `licence:<id>:<version>` (the
    applicant's own valid licence of the type asked; its GB/T 36904 identifier is kept, naming the version) or
    `exchange:<log seq>` (a successful fetch for this applicant, this case and this material)."""
    party = _resolve(session, actor, case_id)
    case, applicant = party.case, party.applicant
    _, material, _ = _material(session, case, material_id)
    _fetching_allowed(case, material)
    kind, _, rest = token.partition(":")
    parts = rest.split(":")
    if kind == "licence" and material.source == "licence" and len(parts) == 2 and all(p.isdigit() for p in parts):
        lic = _current_licence(session, applicant, material, int(parts[0]), int(parts[1]))
        material.provided, material.licence_identifier, material.shared_ref = "licence", lic.identifier, None
        what = f"电子证照 {lic.number}"
    elif kind == "exchange" and material.source == "shared" and len(parts) == 1 and parts[0].isdigit():
        entry = _exchange_entry(session, applicant, case, material, int(parts[0]))
        material.provided, material.shared_ref, material.licence_identifier = "shared", f"exchange:{entry.seq}", None
        what = f"共享数据（交换记录 {entry.seq}）"
    else:
        raise ValidationFailed(f"“{material.name}”不能用这种方式确认，请先调取预览，再确认使用。",
                               code="material_token_invalid", detail={"field": "token"})
    material.file_sha256 = material.file_name = material.file_kind = None
    material.confirmed_by_applicant, material.updated_at = True, utcnow()
    title = "申请人当面确认使用调取的材料" if party.at_window else "确认使用调取的材料"
    common.event(session, case, actor, "material_fetched", f"{title}：{material.name}"[:64],
                 material=material.name, source=what, at_window=party.at_window)
    return material


@use_case
def switch_to_upload(*, session: Session, actor: Actor, case_id: int, material_id: int) -> CaseMaterial:
    """改为上传: the applicant drops a fetched material and will upload the document instead (always allowed)."""
    case = _resolve(session, actor, case_id).case
    _, material, _ = _material(session, case, material_id)
    _fetching_allowed(case, material)
    if material.provided not in ("licence", "shared"):
        raise InvalidTransition(f"“{material.name}”未使用调取的材料，可直接上传。", code="material_not_fetched")
    material.provided, material.licence_identifier, material.shared_ref = "none", None, None
    material.confirmed_by_applicant, material.updated_at = False, utcnow()
    common.event(session, case, actor, "material_upload_instead", f"改为自行上传：{material.name}"[:64],
                 material=material.name)
    return material


def stale_licences(session: Session, case: Case) -> list[str]:
    """At submission: the confirmed e-licences that are no longer current and valid (revoked, expired, or
    replaced by a new version since the applicant confirmed them), by material name."""
    out = []
    for m in common.materials(session, case):
        if m.provided != "licence" or not m.licence_identifier:
            continue
        lic = session.scalar(select(Licence).where(Licence.identifier == m.licence_identifier))
        if lic is None or lic.status_on(clock.today()) != "valid":
            out.append(m.name)
    return out
