"""The request threads: where a request's synchronous work (its handler, a credential's database look-up, the
exchange's keyed read) runs, one hand-over from the event loop and one back.

anyio's `to_thread.run_sync` (FastAPI's and Starlette's way) costs about 100 µs of CPU per call on this machine for
a function that does nothing — a capacity limiter, cancel scopes, a look-up of the async library on every step and a
`queue.Queue` with its condition variables — more than many of the platform's handlers (bench/request_path.py).
Here: a fixed set of threads waiting on one `queue.SimpleQueue` (a C queue), each call a future that the thread
resolves through `loop.call_soon_threadsafe`; about 40 µs.

What anyio's call guaranteed is kept:
- at most `size` calls run at once (the number of threads; the others wait in the queue);
- the caller's context variables are the function's (run in a copy of the caller's context);
- a caller cancelled while its function runs waits for the function to end before the cancellation goes on: the
  request's session (closed on the event loop as the request ends) is never closed under a thread still using it.

One set of threads per process, started as calls first need them; they wait on the queue for the life of the
process (daemon threads: they hold no state between calls). The number is `request_threads` (config.py), set by the
app's start-up (`resize`); a thread past it, after a smaller resize, ends after its current call.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any, TypeVar

T = TypeVar("T")


class _Call:
    __slots__ = ("after", "args", "context", "error", "finished", "function", "future", "kwargs", "loop", "result")

    def __init__(self, loop: asyncio.AbstractEventLoop, function: Callable[..., Any], args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> None:
        self.loop = loop
        self.future: asyncio.Future[Any] = loop.create_future()
        self.context = contextvars.copy_context()
        self.function = function
        self.args = args
        self.kwargs = kwargs
        self.result: Any = None
        self.error: BaseException | None = None
        self.finished = False  # set on the event loop, when the function has returned or raised
        self.after: asyncio.Future[None] | None = None  # a cancelled caller waits on this for the function's end

    def run(self) -> None:  # in a request thread
        try:
            self.result = self.context.run(self.function, *self.args, **self.kwargs)
        except BaseException as exc:  # handed to the caller, whatever it is
            self.error = exc
        with contextlib.suppress(RuntimeError):  # the loop has closed (an app shut down mid-call): nobody waits
            self.loop.call_soon_threadsafe(self.finish)

    def finish(self) -> None:  # on the event loop
        self.finished = True
        if not self.future.done():
            if self.error is not None:
                self.future.set_exception(self.error)
            else:
                self.future.set_result(self.result)
        self.error = None  # no cycle through the traceback
        if self.after is not None and not self.after.done():
            self.after.set_result(None)


class RequestThreads:
    def __init__(self, size: int) -> None:
        self.size = size
        self.queue: SimpleQueue[_Call | None] = SimpleQueue()
        self.started = 0
        self.lock = threading.Lock()

    def resize(self, size: int) -> None:
        with self.lock:
            for _ in range(self.started - size):  # each None ends one thread after its current call
                self.queue.put(None)
            self.started = min(self.started, size)
            self.size = size

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`function(*args, **kwargs)` in a request thread; its result or its exception here."""
        call = _Call(asyncio.get_running_loop(), function, args, kwargs)
        if self.started < self.size:
            self._start_one()
        self.queue.put(call)
        try:
            return await call.future
        except asyncio.CancelledError:
            while not call.finished:  # the function runs on: wait for its end, then let the cancellation go on
                call.after = call.loop.create_future()
                try:
                    await call.after
                except asyncio.CancelledError:
                    continue
            raise

    def _start_one(self) -> None:
        with self.lock:
            if self.started >= self.size:
                return
            self.started += 1
        threading.Thread(target=self._serve, name=f"tongban-request-{self.started}", daemon=True).start()

    def _serve(self) -> None:
        while True:
            call = self.queue.get()
            if call is None:
                return
            call.run()
            del call  # the call (its arguments, the request's session) is not kept while the thread waits


_THREADS = RequestThreads(16)


def resize(size: int) -> None:
    """The number of request threads of this process (the app's start-up: `request_threads`)."""
    _THREADS.resize(size)


async def run(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `function(*args, **kwargs)` in one of the process's request threads and await its result."""
    return await _THREADS.run(function, *args, **kwargs)
