"""Helpers of the portal tests: the visible text of a page's results, the text of a PDF."""

from __future__ import annotations

import base64
import re
import zlib

from tests.items.conftest import items_world  # noqa: F401  (the small city with 食品经营许可)


def visible(html: str) -> str:
    """The text of HTML without its tags (so highlighted words read whole)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def results_of(html: str) -> str:
    start = html.find('id="portal-results"')
    return visible(html[start:]) if start >= 0 else ""


def _unescape(literal: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(literal):
        c = literal[i]
        if c == 0x5C and i + 1 < len(literal):  # backslash
            m = re.match(rb"[0-7]{1,3}", literal[i + 1:i + 4])
            if m:
                out.append(int(m.group(0), 8) & 0xFF)
                i += 1 + len(m.group(0))
                continue
            out.append({ord("n"): 10, ord("r"): 13, ord("t"): 9}.get(literal[i + 1], literal[i + 1]))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def pdf_text(pdf: bytes) -> str:
    """The text a reportlab PDF shows in the CJK font (UTF-16 strings in ASCII85+Flate content streams):
    enough to check what a page says without a PDF library."""
    texts: list[str] = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        raw = m.group(1).strip()
        try:
            data = zlib.decompress(base64.a85decode(raw[:-2] if raw.endswith(b"~>") else raw))
        except ValueError:
            continue
        except zlib.error:
            continue
        for s in re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", data, re.S):
            raw_text = _unescape(s)
            try:
                texts.append(raw_text.decode("utf-16-be"))
            except UnicodeDecodeError:
                texts.append(raw_text.decode("latin-1"))
    return "".join(texts)
