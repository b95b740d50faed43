"""tongban.threads: a request's synchronous work runs in a request thread, never on the event loop, with the caller's
context variables; its result or exception comes back; at most `size` run at once; and a caller cancelled while its
function runs waits for the function's end (the request's session is closed only after)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from tongban import threads
from tongban.threads import RequestThreads

WHO = contextvars.ContextVar("who", default="nobody")
T = TypeVar("T")


def _run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`asyncio.run(main())` in a thread of its own: the suite's browser tests leave an event loop running in the
    main thread (playwright's sync API), where asyncio.run refuses to start another."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def test_the_function_runs_in_a_request_thread_with_the_callers_context() -> None:
    def work(a: int, *, b: int) -> tuple[int, str, str, bool]:
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        return a + b, WHO.get(), threading.current_thread().name, on_loop

    async def main() -> tuple[int, str, str, bool]:
        WHO.set("申请人")
        return await threads.run(work, 1, b=2)

    total, who, thread, on_loop = _run(main)
    assert (total, who, on_loop) == (3, "申请人", False)
    assert thread.startswith("tongban-request-")


def test_an_exception_reaches_the_caller_and_the_thread_serves_on() -> None:
    class Refused(Exception):
        pass

    def fail() -> None:
        raise Refused("拒绝")

    async def main() -> str:
        with pytest.raises(Refused, match="拒绝"):
            await threads.run(fail)
        return await threads.run(lambda: "仍可办理")

    assert _run(main) == "仍可办理"


def test_no_more_than_size_calls_run_at_once() -> None:
    pool = RequestThreads(2)
    running = 0
    most = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    async def main() -> None:
        await asyncio.gather(*(pool.run(work) for _ in range(8)))

    _run(main)
    assert most == 2 and pool.started == 2
    pool.resize(1)  # one thread told to end after its current call
    assert pool.started == 1 and pool.size == 1


def test_a_cancelled_caller_waits_for_its_function_to_end() -> None:
    pool = RequestThreads(1)
    started = threading.Event()
    release = threading.Event()
    events: list[str] = []

    def work() -> str:
        started.set()
        release.wait(5)
        events.append("function ended")
        return "done"

    async def main() -> None:
        task = asyncio.create_task(pool.run(work))
        while not started.is_set():
            await asyncio.sleep(0.005)
        task.cancel()
        await asyncio.sleep(0.05)
        assert not task.done()  # still waiting: the function runs on
        task.cancel()  # a second cancellation does not end the wait either
        await asyncio.sleep(0.05)
        assert not task.done()
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        events.append("caller cancelled")

    _run(main)
    assert events == ["function ended", "caller cancelled"]


def test_a_call_whose_loop_has_closed_does_not_stop_the_thread() -> None:
    pool = RequestThreads(1)
    release = threading.Event()
    with ThreadPoolExecutor(1) as other:
        other.submit(_abandon_a_call, pool, release).result()

    async def later() -> str:
        return await pool.run(lambda: "下一个请求")

    assert _run(later) == "下一个请求"


def _abandon_a_call(pool: RequestThreads, release: threading.Event) -> None:
    loop = asyncio.new_event_loop()
    task = loop.create_task(pool.run(release.wait, 5))
    loop.run_until_complete(asyncio.sleep(0.02))  # the call is running in the thread
    task.cancel()
    loop.run_until_complete(asyncio.sleep(0))
    loop.set_exception_handler(lambda _loop, _context: None)  # "task destroyed but pending": the point here
    loop.close()  # the app's loop ends before the call does
    release.set()
