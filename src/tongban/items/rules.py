"""The rules of service items as pure functions: what an applicant must provide, the once-only rate, bundle
conditions and merged materials, and how an implementation deviates from its reference.

Everything here works on plain facts (`ImplFact`, `MaterialFact`, built from published versions) and reads
no database, so the figures are computed the same way by the API, the pages, the demo and bench/.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tongban.items.schemas import (
    SOURCE_LABELS,
    BundleMaterial,
    Difference,
    ItemOnceOnly,
    MaterialAnswer,
    OnceOnlyRead,
)

NO_UPLOAD_SOURCES = frozenset({"licence", "shared", "bundle", "waived"})
# Merging a bundle keeps the strongest source of a material several members ask for: not needed at all,
# then produced inside the bundle, then fetched from shared data, then an e-licence, then an upload.
SOURCE_STRENGTH: dict[str, int] = {"waived": 4, "bundle": 3, "shared": 2, "licence": 1, "upload": 0}


class MaterialLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def ref(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def note(self) -> str: ...


@dataclass(frozen=True)
class MaterialFact:
    name: str
    source: str
    ref: str = ""
    required: bool = True
    note: str = ""


@dataclass(frozen=True)
class ImplFact:
    """What the rules need of one published implementation."""

    id: int
    code: str
    name: str
    department_name: str
    region_code: str
    level: str
    legal_days: int
    promised_days: int
    fee: str
    visits: int
    materials: tuple[MaterialFact, ...] = field(default_factory=tuple)

    @classmethod
    def from_snapshot(cls, snapshot: Mapping[str, Any]) -> ImplFact:
        """From a published version's snapshot (schemas.ImplementationRead as JSON)."""
        return cls(
            id=snapshot["id"], code=snapshot["code"], name=snapshot["name"],
            department_name=snapshot["department_name"], region_code=snapshot["region_code"],
            level=snapshot["level"], legal_days=snapshot["legal_days"], promised_days=snapshot["promised_days"],
            fee=snapshot["fee"], visits=snapshot["visits"],
            materials=tuple(MaterialFact(m["name"], m["source"], m.get("ref", ""), m.get("required", True),
                                         m.get("note", "")) for m in snapshot["materials"]))


def normalise(name: str) -> str:
    """A material's name for comparing: NFKC (full-width brackets become ASCII), no spaces."""
    return "".join(unicodedata.normalize("NFKC", name).split()).lower()


# ---------------------------------------------------------------- materials for an applicant


def answer_material(material: MaterialLike, *, held: frozenset[str] | None,
                    item_names: Mapping[str, str], issued: frozenset[str] | None = None) -> MaterialAnswer:
    """Whether an applicant must upload `material`, and why.

    `held` is the set of licence type names of which the applicant holds a valid licence, None for an
    applicant we do not know (not logged in, or staff): then a licence-sourced material gets the general
    answer. `item_names` maps basic codes to item names (for materials produced by another bundle item).
    `issued` is the set of licence types the platform's licence library issues (None: not checked): a
    licence of any other type cannot be fetched, so everyone uploads it.
    """
    src = material.source
    must: bool | None
    if src == "licence":
        if issued is not None and material.ref not in issued:
            must, reason = True, f"需上传（‘{material.ref}’尚未纳入本平台电子证照库）"
        elif held is None:
            must, reason = None, f"持有有效电子证照‘{material.ref}’的无需提交，由平台调取；否则需上传"
        elif material.ref in held:
            must, reason = False, f"您已有有效的电子证照‘{material.ref}’，无需提交"
        else:
            must, reason = True, f"需上传（未查到您名下有效的电子证照‘{material.ref}’）"
    elif src == "shared":
        must, reason = False, "可由平台调取共享数据，经您确认后使用"
    elif src == "bundle":
        producer = item_name_of(material.ref, item_names)
        must, reason = False, f"由同一件事中的‘{producer}’办理结果提供"
    elif src == "waived":
        must, reason = False, f"免提交：{material.note}"
    else:
        must, reason = True, "需上传"
    if not material.required and must:
        reason += "（非必需，按说明情形提供）"
    return MaterialAnswer(name=material.name, source=src, source_label=SOURCE_LABELS.get(src, src),
                          required=material.required, must_upload=must, reason=reason,
                          note="" if src == "waived" else material.note)


def item_name_of(ref: str, item_names: Mapping[str, str]) -> str:
    """The name of the item a `bundle` material's ref names (a basic code, or `name:<item name>`)."""
    if ref.startswith("name:"):
        return ref.removeprefix("name:")
    return item_names.get(ref, ref)


# ---------------------------------------------------------------- once-only rate


def counts(material: MaterialLike) -> bool:
    """Whether a material counts for the once-only rate: a required one, or one a rule waived (免提交:
    it would be required otherwise, so waiving it is part of what the rate measures)."""
    return material.required or material.source == "waived"


def no_upload(material: MaterialLike, issued: frozenset[str] | None = None) -> bool:
    """No applicant has to upload it: an e-licence (of a type the licence library issues, when `issued` is
    given), shared data, another item of the bundle, or waived."""
    if material.source == "licence" and issued is not None:
        return material.ref in issued
    return material.source in NO_UPLOAD_SOURCES


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def once_only(impls: Iterable[ImplFact], issued: frozenset[str] | None = None) -> OnceOnlyRead:
    """Per item and overall: the share of counted materials no applicant uploads, and of items with 0 visits.

    `issued`: the licence types the licence library issues; a material of another licence type is one
    every applicant still uploads (None counts every licence-sourced material as fetched)."""
    rows: list[ItemOnceOnly] = []
    total = free = zero = 0
    for impl in impls:
        counted = [m for m in impl.materials if counts(m)]
        n_free = sum(1 for m in counted if no_upload(m, issued))
        rows.append(ItemOnceOnly(implementation_id=impl.id, code=impl.code, name=impl.name,
                                 department_name=impl.department_name, materials=len(counted), no_upload=n_free,
                                 rate=_ratio(n_free, len(counted)), visits=impl.visits))
        total += len(counted)
        free += n_free
        zero += impl.visits == 0
    return OnceOnlyRead(implementations=len(rows), materials=total, no_upload=free, rate=_ratio(free, total),
                        zero_visit=zero, zero_visit_rate=_ratio(zero, len(rows)), items=rows)


# ---------------------------------------------------------------- bundle conditions and materials


def _truthy(text: str) -> bool | None:
    t = text.strip().lower()
    if t in ("1", "true", "yes", "y", "是", "有", "对"):
        return True
    if t in ("0", "false", "no", "n", "否", "无", "没有", "不是"):
        return False
    return None


def evaluate(op: str, expected: Any, answer: Any) -> bool | None:
    """Whether an answer meets `answer op expected`; None when the answer is missing or cannot be read."""
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return None
    if isinstance(expected, bool):
        got = answer if isinstance(answer, bool) else _truthy(str(answer))
        if got is None:
            return None
        return got == expected if op == "==" else got != expected if op == "!=" else None
    if op == "in":
        options = [str(v) for v in (expected if isinstance(expected, (list, tuple)) else [expected])]
        return str(answer).strip() in options
    if isinstance(expected, (int, float)):
        try:
            value = float(answer)
        except (TypeError, ValueError):
            return None
        want = float(expected)
        return {"==": value == want, "!=": value != want, ">": value > want, ">=": value >= want,
                "<": value < want, "<=": value <= want}.get(op)
    text, want_text = str(answer).strip(), str(expected)
    if op == "==":
        return text == want_text
    if op == "!=":
        return text != want_text
    return None


def merge_materials(members: Sequence[tuple[str, str, Sequence[MaterialLike]]]) -> list[BundleMaterial]:
    """The materials of a bundle's members (code, name, materials), merged by normalised name.

    A material several members ask for appears once, with the strongest source among them (waived, then
    produced inside the bundle, shared, licence, upload) and required if any member requires it. A material
    produced by another member of this same bundle needs no upload; one produced by an item outside the
    bundle is an upload for the bundle's applicant."""
    member_codes = {code for code, _, _ in members}
    merged: dict[str, BundleMaterial] = {}
    strength: dict[str, int] = {}
    for _code, item_name, materials in members:
        for m in materials:
            source = m.source
            if source == "bundle" and m.ref not in member_codes and not m.ref.startswith("name:"):
                source = "upload"
            key = normalise(m.name)
            rank = SOURCE_STRENGTH.get(source, 0)
            current = merged.get(key)
            if current is None:
                merged[key] = BundleMaterial(name=m.name, source=source, source_label=SOURCE_LABELS[source],
                                             ref=m.ref if source == m.source else "", required=m.required,
                                             note=m.note, for_items=[item_name])
                strength[key] = rank
                continue
            if item_name not in current.for_items:
                current.for_items.append(item_name)
            current.required = current.required or m.required
            if rank > strength[key]:
                current.source, current.source_label, current.note = source, SOURCE_LABELS[source], m.note
                current.ref = m.ref if source == m.source else ""
                strength[key] = rank
    return list(merged.values())


# ---------------------------------------------------------------- deviations from the reference


def _days(n: int) -> str:
    return "即办" if n == 0 else f"{n} 个工作日"


def _material_text(m: MaterialFact) -> str:
    flag = "" if m.required else "，非必需"
    return f"{m.name}（{SOURCE_LABELS.get(m.source, m.source)}{flag}）"


def differences(reference: ImplFact, impl: ImplFact) -> list[Difference]:
    """What an implementation sets differently from the reference implementation of the same basic item, in
    the elements a region may set itself: 法定办结时限, 承诺办结时限, 收费, 申请材料."""
    out: list[Difference] = []
    if impl.legal_days != reference.legal_days:
        out.append(Difference(element="法定办结时限", reference=_days(reference.legal_days),
                              value=_days(impl.legal_days)))
    if impl.promised_days != reference.promised_days:
        out.append(Difference(element="承诺办结时限", reference=_days(reference.promised_days),
                              value=_days(impl.promised_days)))
    if impl.fee.strip() != reference.fee.strip():
        out.append(Difference(element="收费", reference=reference.fee, value=impl.fee))
    ref_m = {normalise(m.name): m for m in reference.materials}
    own_m = {normalise(m.name): m for m in impl.materials}
    for key, m in own_m.items():
        if key not in ref_m:
            out.append(Difference(element="申请材料（增加）", reference="—", value=_material_text(m)))
        elif (m.source, m.required) != (ref_m[key].source, ref_m[key].required):
            out.append(Difference(element="申请材料（来源或是否必需不同）", reference=_material_text(ref_m[key]),
                                  value=_material_text(m)))
    for key, m in ref_m.items():
        if key not in own_m:
            out.append(Difference(element="申请材料（减少）", reference=_material_text(m), value="—"))
    return out


def reference_of(impls: Sequence[ImplFact]) -> ImplFact | None:
    """The reference implementation of one basic item: the city-level (市级) one; for an item the city does
    not implement itself (a county-level item), the first published (lowest id)."""
    if not impls:
        return None
    city = sorted((i for i in impls if i.level == "市级"), key=lambda i: i.id)
    return city[0] if city else min(impls, key=lambda i: i.id)
