"""A provider system that never finishes its answer: run as a separate process by the proxy tests.

Raw TCP (no web framework would let an answer be this broken). For any path it sends a byte every
0.1 s, forever: `/headers` a status line and then endless header lines, `/body` complete headers and
then an endless body. It never sends the end, so a call that waits for it is bounded only by the
caller's own deadline. `/_open` answers how many such answers are in progress, `/_close` ends them all.

Run: `python tests/exchange/trickle_server.py <port>`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from itertools import cycle

_writers: set[asyncio.StreamWriter] = set()


def _answer(writer: asyncio.StreamWriter, payload: dict[str, int]) -> None:
    body = json.dumps(payload).encode()
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


async def _trickle(writer: asyncio.StreamWriter, path: str) -> None:
    if path.startswith("/body"):
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"
                     b'{"items": [')
        endless = cycle(b'{"name": "x"}, ')
    else:
        writer.write(b"HTTP/1.1 2")
        endless = cycle(b"00 OK\r\nX-Wait: 1\r\n" + b"X-Still-Waiting: 1\r\n" * 1000)
    _writers.add(writer)
    try:
        for byte in endless:
            if writer.is_closing():
                break
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.1)
    except (ConnectionError, OSError):
        pass
    finally:
        _writers.discard(writer)


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        path = head.split(b" ", 2)[1].decode("latin-1")
        if path.startswith("/_open"):
            _answer(writer, {"open": len(_writers)})
        elif path.startswith("/_close"):
            closing = list(_writers)
            for w in closing:
                w.close()
            _answer(writer, {"closed": len(closing)})
        else:
            await _trickle(writer, path)
            return
        await writer.drain()
    except (ConnectionError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, IndexError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(_handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
