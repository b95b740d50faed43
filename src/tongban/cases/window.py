"""窗口收件 with materials the platform can fetch: the walk-in draft page's read model and the fetch step.

The walk-in applicant is at the window. For a material shared data or an e-licence can supply the clerk may,
with the applicant's agreement (a required tick, recorded with the clerk as actor), fetch it, show it to the
applicant and confirm it — the same call as online (applying.fetch_material: the platform's system, the
applicant as end user, the case number as purpose), so it shows in the applicant's “谁用了我的数据”. The
applicant may always have the document scanned and uploaded instead. Only a clerk of the case's department.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.cases import applying, prefill, queries, staff_queries


@dataclass(frozen=True)
class WindowMaterial:
    """A material of the walk-in draft: whether the platform can fetch it for the applicant, and its preview."""

    material: queries.MaterialView
    fetchable: bool
    reason: str
    preview: prefill.MaterialPreview | None = None


@dataclass(frozen=True)
class WalkInPage:
    draft: staff_queries.WalkInDraft
    materials: list[WindowMaterial]


def walk_in_page(session: Session, actor: Actor, draft_id: int,
                 preview: prefill.MaterialPreview | None = None) -> WalkInPage:
    """The walk-in draft with its materials and which of them the platform can fetch (nothing fetched here)."""
    draft = staff_queries.walk_in_draft(session, actor, draft_id)
    options = dict(applying.fetchable(session, actor, draft_id))
    rows = []
    for m in draft.materials:
        option = options.get(m.id)
        shown = preview if preview is not None and option is not None and preview.index == option.index else None
        rows.append(WindowMaterial(material=m, fetchable=bool(option and option.fetchable),
                                   reason=_for_clerk(option.reason) if option else "", preview=shown))
    return WalkInPage(draft=draft, materials=rows)


def _for_clerk(reason: str) -> str:
    return reason.replace("您名下", "申请人名下").replace("您的", "申请人的").replace("按您的", "按申请人的")


def fetch(session: Session, actor: Actor, draft_id: int, material_id: int, *, consent: bool) -> WalkInPage:
    """调取 at the window, the applicant having agreed (`consent`): the page with the preview to show them.
    Call outside any use-case (the exchange commits its log entry itself)."""
    got = applying.fetch_material(session, actor, draft_id, material_id, consent=consent)
    return walk_in_page(session, actor, draft_id, got)
