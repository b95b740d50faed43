"""The once-only rate (材料免提交率) and the zero-visit share (零跑动占比) of the demo city.

Loads the demo city (with its licence types and service items) into a fresh database and computes the figures with the
same function the platform's 事项管理 → 一次不跑 page uses (`items.reads.live_facts` and
`items.rules.once_only` over the published versions), then breaks them down by material source, by item
type and by department. Prints a JSON line and a Markdown table for docs/benchmarks.md, the figure the
first four demo licence types alone gave (before the demo library issued the rest of the types the items
take), and the licence-sourced materials still uploaded with the reason (licence_data.NOT_ISSUED_IN_CITY).

    .venv/bin/python bench/once_only.py
"""

from __future__ import annotations

import collections
import json

from _common import fresh_database
from sqlalchemy import select

from tongban.db import make_engine, make_session_factory
from tongban.demo import items_loader, loader
from tongban.demo.licence_data import LICENCE_TYPES, NOT_ISSUED_IN_CITY
from tongban.items.models import BasicItem, Implementation
from tongban.items.reads import issued_licence_types, live_facts
from tongban.items.rules import counts, no_upload, once_only


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def main() -> None:
    engine = make_engine(fresh_database())
    session = make_session_factory(engine)()
    loader.load(session)  # the whole demo: the licence library's types decide which licences can be fetched
    items_loader.load(session)  # no-op when the demo load already loaded them
    facts = live_facts(session)
    issued = issued_licence_types(session)
    figures = once_only(facts, issued)
    types = dict(session.execute(select(Implementation.id, BasicItem.item_type).join(
        BasicItem, BasicItem.id == Implementation.basic_item_id)).all())

    by_source: collections.Counter[str] = collections.Counter()
    by_type: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0, 0])  # materials, free, items, zero
    for fact in facts:
        row = by_type[types.get(fact.id, "?")]
        row[2] += 1
        row[3] += fact.visits == 0
        for material in fact.materials:
            if counts(material):
                by_source[material.source] += 1
                row[0] += 1
                row[1] += no_upload(material, issued)

    first_four = once_only(facts, frozenset(seed.name for seed in LICENCE_TYPES[:4]))
    print(json.dumps({"bench": "once_only", "implementations": figures.implementations,
                      "materials": figures.materials, "no_upload": figures.no_upload, "rate": figures.rate,
                      "zero_visit": figures.zero_visit, "zero_visit_rate": figures.zero_visit_rate,
                      "by_source": dict(by_source), "licence_types_issued": len(issued),
                      "rate_with_first_four_types": first_four.rate}, ensure_ascii=False))
    print()
    print("| | implementations | counted materials | no upload | once-only rate | zero visits | zero-visit share |")
    print("|---|---|---|---|---|---|---|")
    print(f"| **city** | {figures.implementations} | {figures.materials} | {figures.no_upload} | "
          f"**{_pct(figures.no_upload, figures.materials)}** | {figures.zero_visit} | "
          f"**{_pct(figures.zero_visit, figures.implementations)}** |")
    for item_type, (materials, free, items, zero) in sorted(by_type.items(), key=lambda kv: -kv[1][2]):
        print(f"| {item_type} | {items} | {materials} | {free} | {_pct(free, materials)} | {zero} | "
              f"{_pct(zero, items)} |")
    print()
    print("| material source | counted materials | share |")
    print("|---|---|---|")
    for source, n in by_source.most_common():
        print(f"| {source} | {n} | {_pct(n, figures.materials)} |")
    fetched = sum(1 for f in facts for m in f.materials if counts(m) and m.source == "licence" and m.ref in issued)
    print(f"\nlicence-sourced materials of a type the library issues ({', '.join(sorted(issued))}): "
          f"{fetched} of {by_source['licence']}; with the first four demo types only "
          f"({', '.join(seed.name for seed in LICENCE_TYPES[:4])}): {first_four.no_upload} of {first_four.materials} "
          f"counted materials, {_pct(first_four.no_upload, first_four.materials)}")
    still: collections.Counter[str] = collections.Counter(
        m.ref for f in facts for m in f.materials if counts(m) and m.source == "licence" and m.ref not in issued)
    print("\n| licence type still uploaded | counted materials | why |")
    print("|---|---|---|")
    for name, n in still.most_common():
        print(f"| {name} | {n} | {NOT_ISSUED_IN_CITY.get(name, 'not defined in the demo library')} |")
    session.close()
    engine.dispose()


if __name__ == "__main__":
    main()
