"""Static files (`/static/…`) answered from memory, in front of the router, with long-lived cache headers.

Starlette's `StaticFiles`, mounted after ~400 routes, cost each static request a walk of every route and a
`stat` and read of the file in the thread pool (issue 16: 1,135 requests/s for the favicon where a bare ASGI
app on the same machine did 39,000). Here every file under `web/static/` (about 3 MB, almost all of it the
vendored Swagger UI and ECharts) is read once per process into a table: its bytes, its content type, a
strong ETag and a content hash — and, for text, a gzip variant compressed once. A plain ASGI app answers
from that table with prebuilt header lists (no Request/Response objects, no thread, no file system), and
`install` puts it in front of the router, so it is also the only way to a file: a name that is not a key
of the table (`../config.py`, `%2e%2e/…`, a directory) cannot be served, whatever its spelling.

Pages link a file as `{{ static_url('css/tongban.css') }}` → `/static/css/tongban.css?v=<12 hex of its
sha256>`. A version in the query rather than in the file name: the file keeps its name on disk and in
URLs that other files or outside pages write by hand (Swagger UI's page, `echarts-…min.js`, a bookmark),
there is no rewriting of names inside CSS or JS, and `static_url` is a dictionary look-up. An answer to
the URL carrying the file's current hash may be kept for a year without asking again (`immutable`): when
the file changes, its hash does, so do the pages' links. Any other URL of the file (no `v`, an old one)
gets the current bytes with `no-cache`: kept, but revalidated with its ETag (304 when unchanged).

The table is read when the first app is created (or at the first `static_url`) and kept for the process:
an edited stylesheet is seen after a restart, as an edited module is (templates, unlike these, are re-read).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

STATIC_DIR = Path(__file__).resolve().parent / "static"
PREFIX = "/static/"
YEAR = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"

Headers = Sequence[tuple[bytes, bytes]]

_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE files
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
# Below this size a gzip answer saves less than its headers and the client's work.
_GZIP_MIN_BYTES = 1024


class MissingStaticFile(LookupError):
    """`static_url` was asked for a file that is not under web/static/ (a typo in a template)."""


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return guessed + "; charset=utf-8" if guessed.startswith("text/") else guessed


@dataclass(frozen=True, slots=True)
class _Variant:
    """One representation of a file (identity or gzip) with its four prebuilt header lists."""

    body: bytes
    etag: bytes
    ok_fresh: list[tuple[bytes, bytes]]  # 200, URL with the current hash: kept for a year
    ok_stale: list[tuple[bytes, bytes]]  # 200, any other URL: revalidate
    not_modified_fresh: list[tuple[bytes, bytes]]
    not_modified_stale: list[tuple[bytes, bytes]]

    def adding(self, headers: Headers) -> _Variant:
        return _Variant(self.body, self.etag, [*self.ok_fresh, *headers], [*self.ok_stale, *headers],
                        [*self.not_modified_fresh, *headers], [*self.not_modified_stale, *headers])


def _variant(body: bytes, etag: bytes, ctype: bytes, extra: list[tuple[bytes, bytes]]) -> _Variant:
    def headers(cache: bytes, with_body: bool) -> list[tuple[bytes, bytes]]:
        common = [(b"etag", etag), (b"cache-control", cache), *extra]
        if not with_body:  # a 304 carries the validators and caching headers, not the body's (RFC 9110 §15.4.5)
            return common
        return [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *common]

    return _Variant(body, etag, headers(YEAR, True), headers(REVALIDATE, True),
                    headers(YEAR, False), headers(REVALIDATE, False))


@dataclass(frozen=True, slots=True)
class StaticFile:
    name: str  # relative to web/static/, with "/"
    digest: str  # first 12 hex digits of the sha256 of the bytes: the URL's version
    url: str  # what `static_url` returns
    query: bytes  # b"v=<digest>": the query string of a fresh URL
    plain: _Variant
    gzipped: _Variant | None  # text worth compressing; then every answer varies by Accept-Encoding

    @classmethod
    def read(cls, name: str, body: bytes) -> StaticFile:
        sha = hashlib.sha256(body).hexdigest()
        ctype = content_type(name)
        gz = None
        extra: list[tuple[bytes, bytes]] = []
        if ctype.startswith(_COMPRESSIBLE) and len(body) >= _GZIP_MIN_BYTES:
            compressed = gzip.compress(body, compresslevel=9, mtime=0)
            if len(compressed) < len(body) * 0.9:
                vary = [(b"vary", b"accept-encoding")]
                extra = vary
                # Each representation its own strong ETag: the bytes differ (RFC 9110 §8.8.3).
                gz = _variant(compressed, f'"{sha[:32]}-gz"'.encode(), ctype.encode(),
                              [(b"content-encoding", b"gzip"), *vary])
        plain = _variant(body, f'"{sha[:32]}"'.encode(), ctype.encode(), extra)
        return cls(name, sha[:12], f"{PREFIX}{quote(name)}?v={sha[:12]}", f"v={sha[:12]}".encode(), plain, gz)

    def adding(self, headers: Headers) -> StaticFile:
        """The same file with `headers` in every answer."""
        return replace(self, plain=self.plain.adding(headers),
                       gzipped=self.gzipped.adding(headers) if self.gzipped else None)


def _accepts_gzip(value: bytes) -> bool:
    for part in value.split(b","):
        token, _, params = part.partition(b";")
        if token.strip().lower() in (b"gzip", b"x-gzip", b"*"):
            q = params.strip().lower()
            if q.startswith(b"q="):
                try:
                    return float(q[2:]) > 0
                except ValueError:
                    return False
            return True
    return False


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` is ignored; `*` matches any file."""
    if if_none_match == etag:
        return True
    for candidate in if_none_match.split(b","):
        candidate = candidate.strip()
        if candidate == b"*" or candidate.removeprefix(b"W/") == etag:
            return True
    return False


_Answer = tuple[int, bytes, list[tuple[bytes, bytes]]]


def _error(status: int, code: str, message: str, extra: Headers) -> _Answer:
    # The platform's error body (errors.py, main.py's handlers) as JSON: the answer to a missing file is
    # read by programs and the browser's console, not shown as a page.
    body = json.dumps({"code": code, "message": message, "detail": None}, ensure_ascii=False).encode()
    return status, body, [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                          (b"cache-control", REVALIDATE), *extra]


_NOT_FOUND = _error(404, "not_found", "静态文件不存在，请检查地址。", [])
_NOT_ALLOWED = _error(405, "method_not_allowed", "静态文件只能以 GET 或 HEAD 读取。", [(b"allow", b"GET, HEAD")])


class StaticFiles:
    """The ASGI app answering `/static/<name>` from the table (GET and HEAD; 304, 404, 405)."""

    def __init__(self, files: dict[str, StaticFile], headers: Headers = ()) -> None:
        """`headers`: added to every answer (200, 304, 404, 405), in the prebuilt lists."""
        self.files = {name: file.adding(headers) for name, file in files.items()} if headers else files
        self.not_found: _Answer = (_NOT_FOUND[0], _NOT_FOUND[1], [*_NOT_FOUND[2], *headers])
        self.not_allowed: _Answer = (_NOT_ALLOWED[0], _NOT_ALLOWED[1], [*_NOT_ALLOWED[2], *headers])

    @classmethod
    def load(cls, directory: Path) -> StaticFiles:
        files = {}
        for path in sorted(directory.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                name = path.relative_to(directory).as_posix()
                files[name] = StaticFile.read(name, path.read_bytes())
        return cls(files)

    def with_headers(self, headers: Headers) -> StaticFiles:
        return StaticFiles(self.files, headers)

    def url(self, name: str) -> str:
        try:
            return self.files[name].url
        except KeyError:
            raise MissingStaticFile(f"static_url({name!r}): there is no {STATIC_DIR / name}") from None

    def total_bytes(self) -> int:
        return sum(len(f.plain.body) for f in self.files.values())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        path: str = scope["path"]
        file = self.files.get(path[len(PREFIX):]) if path.startswith(PREFIX) else None
        if method != "GET" and method != "HEAD":
            status, body, headers = self.not_allowed
        elif file is None:
            status, body, headers = self.not_found
        else:
            if_none_match = accept_encoding = None
            for name, value in scope["headers"]:
                if name == b"if-none-match":
                    if_none_match = value
                elif name == b"accept-encoding":
                    accept_encoding = value
            variant = file.plain
            if file.gzipped is not None and accept_encoding is not None and _accepts_gzip(accept_encoding):
                variant = file.gzipped
            fresh = scope["query_string"] == file.query
            if if_none_match is not None and _matches(if_none_match, variant.etag):
                status, body = 304, b""
                headers = variant.not_modified_fresh if fresh else variant.not_modified_stale
            else:
                status, body = 200, variant.body
                headers = variant.ok_fresh if fresh else variant.ok_stale
        # A copy: a middleware may add to the list it is given (the lists here are shared by every answer).
        await send({"type": "http.response.start", "status": status, "headers": list(headers)})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


class ServeStatic:
    """Middleware: `/static/…` goes to the table's app, everything else on to the application."""

    def __init__(self, app: ASGIApp, files: StaticFiles) -> None:
        self.app = app
        self.files = files

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX):
            await self.files(scope, receive, send)
        else:
            await self.app(scope, receive, send)


_table: StaticFiles | None = None
_lock = threading.Lock()


def table() -> StaticFiles:
    """The process's table of web/static/, read at its first use."""
    global _table
    if _table is None:
        with _lock:
            if _table is None:
                _table = StaticFiles.load(STATIC_DIR)
    return _table


def static_url(name: str) -> str:
    """The URL pages link a static file by, with its content hash (Jinja global: `{{ static_url('…') }}`)."""
    return table().url(name)


def install(app: FastAPI, *, headers: Headers = ()) -> StaticFiles:
    """Serve `/static/` from memory in front of the router; returns the app that does.

    Without `headers`: the innermost of the app's middlewares, so that those added before it (the security
    headers) see its answers. With `headers` (the security headers every answer carries): the outermost of
    the app's middlewares, with `headers` built into its answers, so that a static request passes no other
    middleware at all (about 5 µs less each; the security-headers middleware must then not be the only
    source of those headers, which is what `headers` is for).

    Also a `static` mount, so that `url_for('static', path=…)` still names files (never reached: the
    middleware answers first).
    """
    files = table().with_headers(headers) if headers else table()
    if headers:
        app.add_middleware(ServeStatic, files=files)
    else:
        app.user_middleware.append(Middleware(ServeStatic, files=files))
    app.router.routes.append(Mount(PREFIX.rstrip("/"), app=files, name="static"))
    return files
