"""Serving stored files (文件下载): the one response every download of a stored file goes out as.

Whatever the row says, the browser is told not to guess and not to run anything:

- `Content-Type` is the canonical type of an accepted kind (inspect.py), else `application/octet-stream`;
  never `text/html`, `image/svg+xml` or anything else a browser would execute;
- `Content-Disposition: attachment` (the file is saved, not opened in the platform's origin); `inline` only
  when asked for and only for PDF, JPEG and PNG, e.g. for a preview in an <img>;
- `X-Content-Type-Options: nosniff`, `Content-Security-Policy: sandbox` (should it ever be rendered, it
  runs no script and has no origin), `Cross-Origin-Resource-Policy: same-origin`, `Cache-Control: no-store`
  (files hold personal data) and `X-Content-SHA256` for the client to check what it got.

Polyglots (markup behind the bytes of a real image or PDF, `Inspected.inline_safe` False) are therefore
harmless here: nothing is served as HTML, and their uploader cannot choose the type.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from tongban.files.inspect import KINDS, Kind

SERVABLE = frozenset(info.content_type for info in KINDS.values())
INLINE = frozenset(KINDS[k].content_type for k in (Kind.PDF, Kind.JPEG, Kind.PNG))
FALLBACK = "application/octet-stream"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """`attachment` (or `inline`) with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987)."""
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename) or "file"
    return f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def file_response(content: bytes, *, filename: str, content_type: str, sha256: str | None = None,
                  inline: bool = False) -> Response:
    """A stored file as a download: safe type, attachment unless an inline PDF or image, no sniffing, sandboxed."""
    media_type = content_type if content_type in SERVABLE else FALLBACK
    headers = {
        "Content-Disposition": content_disposition(filename, inline=inline and media_type in INLINE),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
    if sha256:
        headers["X-Content-SHA256"] = sha256
    return Response(content, media_type=media_type, headers=headers)
