"""The portal's search results are kept per query in each process (search/cache.py) and never outlive a
change the visitor must see: after each change below, the very next request shows it.

The changes are made with the test's own session, not through the app: like a change made by another worker
process, they reach the app's cache only through the version it reads from the database.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import login
from tests.items.conftest import FOOD_CODE, ItemsWorld, impl_in, publish
from tests.portal.conftest import results_of
from tongban.items import service
from tongban.loop_reads import reader
from tongban.org import service as org_service
from tongban.org.schemas import DepartmentUpdate
from tongban.portal import pages
from tongban.portal.queries import search_services
from tongban.search import fulltext
from tongban.search import service as search_service
from tongban.search.cache import version, version_on_loop
from tongban.search.schemas import TermIn
from tongban.transactions import scope


def _on_a_loop(coroutine: Any) -> Any:
    """Run on an event loop in a thread of its own (the browser tests leave one running in the main thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _page(client: TestClient, q: str) -> tuple[list[str], str]:
    html = client.get("/services/search", params={"q": q}).text
    return re.findall(r'data-item="(\d+)"', html), results_of(html)


def test_the_next_search_sees_publishing_retiring_and_a_revision_only_once_approved(
        session: Session, client: TestClient, items_world: ItemsWorld) -> None:
    amr_admin = items_world.actor("amr_admin")
    impl = service.create_implementation(session=session, actor=amr_admin, implementation_in=impl_in())
    assert _page(client, "食品经营许可")[0] == []
    assert _page(client, "食品经营许可")[0] == []  # asked twice: now from the cache
    publish(session, items_world, impl)
    codes, text = _page(client, "食品经营许可")
    assert codes == [FOOD_CODE] and "可网办" in text and "零跑动" in text

    # A revision in draft (no longer online, one visit) is not public: the page still shows what is published.
    service.update_implementation(session=session, actor=amr_admin, implementation_id=impl.id,
                                  implementation_in=impl_in(online=False, visits=1, change_note="改为窗口办理"))
    codes, text = _page(client, "食品经营许可")
    assert codes == [FOOD_CODE] and "可网办" in text and "零跑动" in text
    publish(session, items_world, impl)
    codes, text = _page(client, "食品经营许可")
    assert codes == [FOOD_CODE] and "可网办" not in text and "零跑动" not in text

    service.retire_implementation(session=session, actor=amr_admin, implementation_id=impl.id, reason="职能调整")
    assert _page(client, "食品经营许可")[0] == []


def test_the_next_search_sees_a_renamed_department_and_a_new_dictionary_word(
        session: Session, client: TestClient, items_world: ItemsWorld) -> None:
    admin = items_world.actor("admin")
    publish(session, items_world, service.create_implementation(
        session=session, actor=items_world.actor("amr_admin"), implementation_in=impl_in()))
    amr = items_world.city.amr
    assert amr.name in _page(client, "食品经营许可")[1]
    org_service.update_department(session=session, actor=admin, department_id=amr.id,
                                  department_in=DepartmentUpdate(name="安康市市场监督管理局（知识产权局）"))
    assert "安康市市场监督管理局（知识产权局）" in _page(client, "食品经营许可")[1]

    assert _page(client, "卖盒饭")[0] == []
    search_service.add_term(session=session, actor=admin, term_in=TermIn(
        word="卖盒饭", official="食品经营许可", kind="colloquial", source="测试"))
    assert _page(client, "卖盒饭")[0] == [FOOD_CODE]


def test_a_search_inside_a_rolled_back_change_leaves_nothing_behind(
        session: Session, client: TestClient, items_world: ItemsWorld) -> None:
    impl = service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                         implementation_in=impl_in())
    assert search_services(session, "食品经营许可").items == []

    class Undo(Exception):
        pass

    with pytest.raises(Undo), scope(session):
        publish(session, items_world, impl)  # inner use-cases: savepoints of this scope
        assert [h.code for h in search_services(session, "食品经营许可").items] == [FOOD_CODE]  # kept in the cache
        raise Undo
    assert search_services(session, "食品经营许可").items == []
    assert _page(client, "食品经营许可")[0] == []


def test_the_same_words_give_the_same_results_to_a_visitor_and_to_staff(
        session: Session, client: TestClient, items_world: ItemsWorld) -> None:
    publish(session, items_world, service.create_implementation(
        session=session, actor=items_world.actor("amr_admin"), implementation_in=impl_in()))
    visitor = _page(client, "  食品经营许可 ")  # the same words, spaced differently: the same cached page
    staff = TestClient(client.app)
    login(staff, items_world.users["amr_admin"].username)
    html = staff.get("/services/search", params={"q": "食品经营许可"}).text
    assert "amr_admin" not in visitor[1] and results_of(html) == visitor[1]


def test_a_kept_page_does_not_hold_a_suggestion_from_before_another_processs_change(
        session: Session, client: TestClient, items_world: ItemsWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """"Did you mean" reads a vocabulary of the indexed names that a process keeps; for the portal's kinds it is
    kept under the same token as the pages, so a change made by another worker is in the next suggestion too."""
    assert _page(client, "食品经营许克")[0] == []  # nothing published yet: no suggestion, and the vocabulary kept
    writes = fulltext.writes
    publish(session, items_world, service.create_implementation(
        session=session, actor=items_world.actor("amr_admin"), implementation_in=impl_in()))
    monkeypatch.setattr(fulltext, "writes", writes)  # as if another process had published: this one saw no write
    codes, text = _page(client, "食品经营许克")
    assert codes == [FOOD_CODE] and "您是不是要找" in text


def test_the_version_read_on_the_event_loop_is_the_sessions_and_a_repeated_question_stays_there(
        session: Session, client: TestClient, items_world: ItemsWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page answers a question asked before on the event loop (loop_reads): the version it reads there is the
    one the session reads (same values, same form: the two paths share the cache), before and after a department's
    change (its last change is part of it); only a question new under that version goes to a request thread."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    kinds = ("item", "bundle")
    assert _on_a_loop(version_on_loop(reader(engine), kinds)) == version(session, kinds)
    org_service.update_department(session=session, actor=items_world.actor("admin"),
                                  department_id=items_world.city.amr.id,
                                  department_in=DepartmentUpdate(name="安康市市场监督管理局（知识产权局）"))
    assert _on_a_loop(version_on_loop(reader(engine), kinds)) == version(session, kinds)

    searched: list[str] = []
    search_in_thread = pages._search_in_thread
    monkeypatch.setattr(pages, "_search_in_thread", lambda request, s, q, v: (
        searched.append(q), search_in_thread(request, s, q, v))[1])
    first = _page(client, "食品经营许可")
    assert _page(client, "食品经营许可") == first and _page(client, " 食品经营许可") == first
    assert searched == ["食品经营许可"]
