"""Search quality on the portal's kinds: partial (any-word) matches must match the name or tags, and a
bundle is not found by its lead department's name (bench/search_quality.py, the portal set)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.portal.conftest import visible
from tongban import search
from tongban.demo.loader import DemoSummary
from tongban.portal.queries import search_services
from tongban.search import fulltext

KIND = "test_partial"


def test_a_partial_match_only_in_the_longer_texts_is_no_hit(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    fulltext.index(session, KIND, 1, name="内地居民结婚登记", abstract="行政确认", body="户口簿 身份证")
    fulltext.index(session, KIND, 2, name="新生儿出生一件事", abstract="出生后一次办好", body="父母的结婚证 出生登记")
    # No document has both words: any-word matching; 结婚 is in the first's name, only in the second's body.
    found = search.query(session, KIND, "结婚 护照")
    assert found.fallback and [h.doc_id for h in found.hits] == [1]
    # A domain with long descriptive texts (the catalog) keeps body-only partial matches.
    wide = search.query(session, KIND, "结婚 护照", partial_named=False)
    assert sorted(h.doc_id for h in wide.hits) == [1, 2]


def test_portal_item_names_and_departments_are_not_crowded_out_by_bundles(demo: DemoSummary, session: Session) -> None:

    def shown(q: str) -> list[str]:
        page = search_services(session, q)
        return [f"bundle:{r.code}" if r.kind == "bundle" else visible(str(r.name_html)) for r in page.results][:3]

    # An exact item name is among the first three the page shows: bundles that share a common word with it
    # only in their members' names or guide (登记, 居民, 申领) no longer come above it (they did: rank 7).
    assert "内地居民结婚登记" in shown("内地居民结婚登记")[:3]
    assert "失业保险金申领" in shown("失业保险金申领")[:3]
    # A department's short name finds its items, not the bundles it leads.
    page = search_services(session, "市监局")
    assert page.bundles == [] and page.items
    # A bundle is still found by its own words.
    assert "YJS002" in [b.code for b in search_services(session, "开饭店").bundles]
