"""窗口收件 with materials the platform can fetch: the walk-in draft page's read model and the fetch step.

The walk-in applicant is at the window. For a material shared data or an e-licence can supply the clerk may,
with the applicant's agreement (a required tick, recorded with the clerk as actor), fetch it, show it to the
applicant and confirm it — the same call as online (applying.fetch_material: the platform's system, the
applicant as end user, the case number as purpose), so it shows in the applicant's “谁用了我的数据”. The
applicant may always have the document scanned and uploaded instead. Only a clerk of the case's department.

补正 at the window: a walk-in case in 补正 gets the same page for the materials its notice lists (and only those),
where the clerk uploads what the applicant hands in — also instead of a fetch, recorded as the applicant's choice
(service.upload_material) — or fetches it with the applicant's consent, and then hands in the supplement for the
applicant (service.supplement: every listed material provided since the notice).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tongban.authz import Actor, Permission
from tongban.cases import applying, common, prefill, queries, service, staff_queries
from tongban.cases.citizen import MaterialRow
from tongban.cases.models import SUPPLEMENT
from tongban.errors import InvalidTransition, NotFound
from tongban.org.models import User

#: A material at the window: whether the platform can fetch it for the applicant, and its preview (the same row
#: as the applicant's own form shows).
WindowMaterial = MaterialRow


@dataclass(frozen=True)
class WalkInPage:
    draft: staff_queries.WalkInDraft
    materials: list[WindowMaterial]


def walk_in_page(session: Session, actor: Actor, draft_id: int,
                 preview: prefill.MaterialPreview | None = None) -> WalkInPage:
    """The walk-in draft with its materials and which of them the platform can fetch (nothing fetched here)."""
    draft = staff_queries.walk_in_draft(session, actor, draft_id)
    options = dict(applying.fetchable(session, actor, draft_id))
    return WalkInPage(draft=draft, materials=[_row(m, options.get(m.id), preview) for m in draft.materials])


def _row(view: queries.MaterialView, option: prefill.MaterialOption | None,
         preview: prefill.MaterialPreview | None) -> WindowMaterial:
    shown = preview if preview is not None and option is not None and preview.index == option.index else None
    return WindowMaterial(material=view, fetchable=bool(option and option.fetchable),
                          reason=_for_clerk(option.reason) if option else "", preview=shown)


def _for_clerk(reason: str) -> str:
    return reason.replace("您名下", "申请人名下").replace("您的", "申请人的").replace("按您的", "按申请人的")


def fetch(session: Session, actor: Actor, draft_id: int, material_id: int, *, consent: bool) -> WalkInPage:
    """调取 at the window, the applicant having agreed (`consent`): the page with the preview to show them.
    Call outside any use-case (the exchange commits its log entry itself)."""
    got = applying.fetch_material(session, actor, draft_id, material_id, consent=consent)
    return walk_in_page(session, actor, draft_id, got)


# -- 补正 at the window ----------------------------------------------------------------------------------------

#: What a 补正 line asks, as the notice says it.
HOWS = {"upload": "重新上传", "correct": "更正内容", "fetch": "授权平台调取"}


@dataclass(frozen=True)
class SupplementLine:
    """A line of the 补正 notice: its material (as the window page shows it), what the notice asks, and whether
    it has been provided since the notice."""

    row: WindowMaterial
    how_label: str
    note: str
    done: bool


@dataclass(frozen=True)
class SupplementPage:
    number: str
    case_id: int
    item_name: str
    applicant: staff_queries.Applicant
    lines: list[SupplementLine]
    missing: list[str]  # what is still missing, with what to do (the submit button says so)


def _walk_in_in_supplement(session: Session, actor: Actor, number: str) -> int:
    """A walk-in case (窗口收件) of the clerk's department; in 补正 (else 409 with a Chinese message)."""
    case_id = staff_queries.case_id_of(session, actor, number)
    case = common.get_case(session, case_id)
    if case.channel != "窗口" or not actor.is_staff or not actor.acts_for(Permission.CASE_HANDLE,
                                                                          case.department_id):
        raise NotFound("未找到该窗口收件办件。", code="case_not_found")
    if case.status != SUPPLEMENT:
        raise InvalidTransition("该办件当前无需补正。", code="case_not_in_supplement")
    return case_id


def supplement_page(session: Session, actor: Actor, number: str,
                    preview: prefill.MaterialPreview | None = None) -> SupplementPage:
    """窗口代收补正: the materials the notice lists, which of them the platform can fetch, what is still missing."""
    case_id = _walk_in_in_supplement(session, actor, number)
    case = common.get_case(session, case_id)
    user = session.get(User, case.applicant_user_id)
    assert user is not None
    options = dict(applying.fetchable(session, actor, case_id))
    by_id = {m.id: m for m in common.materials(session, case)}
    missing = service.supplement_missing(session, case)
    missing_names = {name for name, _ in missing}
    lines = []
    for line in case.supplement_notice or []:
        m = by_id.get(int(line["material_id"]))
        if m is None:
            continue
        row = _row(queries.material_view(m), options.get(m.id), preview)
        lines.append(SupplementLine(row=row, how_label=HOWS.get(str(line.get("how", "")), ""),
                                    note=str(line.get("note", "")), done=m.name not in missing_names))
    return SupplementPage(number=case.number or "", case_id=case.id, item_name=case.item_name,
                          applicant=staff_queries._applicant(user), lines=lines,
                          missing=[f"{name}（{hint}）" for name, hint in missing])


def supplement_fetch(session: Session, actor: Actor, number: str, material_id: int, *,
                     consent: bool) -> SupplementPage:
    """调取 during 补正 at the window, the applicant having agreed: the page with the preview to show them.
    Call outside any use-case."""
    case_id = _walk_in_in_supplement(session, actor, number)
    got = applying.fetch_material(session, actor, case_id, material_id, consent=consent)
    return supplement_page(session, actor, number, got)
