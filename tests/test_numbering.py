"""Numbers people read: no duplicates and no gaps under concurrency, on SQLite and PostgreSQL (numbering.py)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import actor_of, app_client, published_resource
from tongban import clock, numbering
from tongban.db import make_session_factory
from tongban.sharing import service as sharing
from tongban.sharing.models import SharingRequest
from tongban.sharing.schemas import RequestCreate

D = dt.date


def test_threads_allocating_and_some_rolling_back_leave_exactly_one_to_k(engine: Engine) -> None:
    factory = make_session_factory(engine)
    threads, rounds = 6, 5
    start = threading.Barrier(threads)
    committed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(t: int) -> None:
        try:
            start.wait()
            for i in range(rounds):
                with factory() as session:
                    n = numbering.allocate(session, "test_series", "20261203")
                    if (t + i) % 3 == 0:
                        session.rollback()  # the use-case failed: its number goes back
                        continue
                    session.commit()
                    with lock:
                        committed.append(n)
        except BaseException as exc:  # reported below, with the thread's failure
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    assert errors == []
    assert sorted(committed) == list(range(1, len(committed) + 1))  # no duplicates, no gaps
    assert len(committed) == sum(1 for t in range(threads) for i in range(rounds) if (t + i) % 3 != 0)
    with factory() as session:
        assert numbering.allocate(session, "test_series", "20261203") == len(committed) + 1
        assert numbering.allocate(session, "test_series", "20261204") == 1  # every period starts at 1
        assert numbering.allocate(session, "other_series", "20261203") == 1


def test_formats_stay_what_users_know(session: Session) -> None:
    day = D(2026, 12, 3)
    assert numbering.next_number(session, numbering.SHARING_REQUEST, day) == "GX202612030001"
    assert numbering.next_number(session, numbering.SHARING_REQUEST, day) == "GX202612030002"
    assert numbering.next_number(session, numbering.DATA_DISPUTE, day) == "JC202612030001"
    scope = numbering.licence_scope(3, 7)
    assert numbering.next_number(session, numbering.LICENCE_SERIAL, day, scope=scope) == "202612030001"
    assert numbering.next_number(session, numbering.LICENCE_SERIAL, day, scope=numbering.licence_scope(3, 8)) \
        == "202612030001"
    session.rollback()


def _ask(session: Session, actor: Any, resource_id: int, client_id: int) -> SharingRequest:
    request = sharing.submit_request(session=session, actor=actor, request_in=RequestCreate(
        resource_id=resource_id, client_id=client_id, items=["id_number", "name"],
        purpose="企业开办登记时核验法定代表人身份", legal_basis="《市场主体登记管理条例》第十五条",
        scenario="企业开办一网通办", period_start=D(2026, 12, 3), period_end=D(2027, 9, 30)))
    session.commit()
    return request


def test_two_sharing_requests_submitted_at_once_get_two_numbers(engine: Engine, session: Session, city) -> None:  # type: ignore[no-untyped-def]
    """Request B is submitted while A holds its number but has not written it yet.

    With numbers counted as max(number) + 1, B took the same number as A and A then failed on the
    unique index (a 500 for the user). With the counter, B waits for A's number to commit and takes
    the next one. The interleaving is forced, not left to timing: A, about to write, starts B and
    waits until B has either finished or reached the numbering counter (where it then waits for A).
    """
    with clock.frozen(D(2026, 12, 3)):
        resource = published_resource(session, city.users["hrss_data"])
        first, second = app_client(session, city.amr, code="amr-a"), app_client(session, city.amr, code="amr-b")
        session.commit()
        consumer = actor_of(city.users["amr_data"])
        resource_id, first_id, second_id = resource.id, first.id, second.id

        factory = make_session_factory(engine)
        b_reached = threading.Event()
        b_result: list[object] = []
        b_thread: list[threading.Thread] = []

        def submit_b() -> None:
            try:
                with factory() as other:
                    b_result.append(_ask(other, consumer, resource_id, second_id).number)
            except BaseException as exc:  # handed to the test thread
                b_result.append(exc)
            finally:
                b_reached.set()

        def at_counter(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if b_thread and threading.current_thread() is b_thread[0] and "number_counters" in statement:
                b_reached.set()

        def before_a_writes(sess: Session, *args: Any) -> None:
            if b_thread:
                return
            b_thread.append(threading.Thread(target=submit_b))
            b_thread[0].start()
            b_reached.wait()

        event.listen(engine, "before_cursor_execute", at_counter)
        event.listen(session, "before_flush", before_a_writes)
        try:
            a_number = _ask(session, consumer, resource_id, first_id).number
        finally:
            event.remove(session, "before_flush", before_a_writes)
            if b_thread:
                b_thread[0].join()
            event.remove(engine, "before_cursor_execute", at_counter)
        assert not isinstance(b_result[0], BaseException), b_result[0]
        assert {a_number, b_result[0]} == {"GX202612030001", "GX202612030002"}
        numbers = session.execute(select(SharingRequest.number).order_by(SharingRequest.number)).scalars().all()
        assert numbers == ["GX202612030001", "GX202612030002"]
