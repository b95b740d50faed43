"""Text handling shared by indexing and querying: the segmenter, tokens, pinyin initials, highlighting.

Chinese is written without spaces, so text is segmented with rjieba before it reaches the database:
documents with `cut_for_search` (words and their sub-words: 居民身份证 → 居民, 身份, 身份证, 居民身份证),
queries with `cut`. The segmenter is one `rjieba.Jieba` per dictionary version (see dictionary.py):
the dictionary's words are added to it, so indexing and querying split 五险一金 the same way, and a new
version builds a fresh instance (rjieba cannot forget a word) that replaces the old one atomically.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import rjieba
from markupsafe import Markup, escape
from pypinyin import Style, lazy_pinyin

_WORD = re.compile(r"\w+", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff]")


class Segmenter:
    """rjieba with the dictionary's words; immutable once built (a new version builds a new one)."""

    def __init__(self, words: Iterable[str] = (), version: tuple[object, ...] = ()) -> None:
        self.version = version
        self._jieba = rjieba.Jieba()
        for word in words:
            if word and not word.isascii():
                self._jieba.add_word(word, None, None)

    def tokens(self, value: str, *, for_search: bool) -> list[str]:
        """The words of a text; `for_search` adds every known word inside a longer one, of any length.

        rjieba's own cut_for_search only adds the 2- and 3-character words inside a longer word, so the
        department 市自然资源局 (a dictionary word) would not be found by 自然资源局, nor 住房公积金缴存
        by 公积金缴存's longer parts; here every dictionary word inside a word is indexed too.
        """
        words = [t.lower() for t in self._jieba.cut(value or "") if _WORD.fullmatch(t)]
        if not for_search:
            return words
        out: list[str] = []
        for word in words:
            n = len(word)
            if n > 2 and not word.isascii():
                out.extend(word[i:j] for size in range(2, n) for i in range(n - size + 1)
                           if self._jieba.has_word(word[i:(j := i + size)]))
            out.append(word)
        return out

    def has_word(self, word: str) -> bool:
        return bool(self._jieba.has_word(word))


_current = Segmenter()


def current() -> Segmenter:
    """The segmenter of this process's current dictionary (dictionary.ensure keeps it current)."""
    return _current


def install(segmenter: Segmenter) -> None:
    global _current
    _current = segmenter


def normalize(value: str) -> str:
    """Full-width to half-width, lower case, single spaces (what people paste from other programs); control
    and private-use characters become spaces (a NUL is not even storable in PostgreSQL text)."""
    text = unicodedata.normalize("NFKC", value or "").lower()
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Cn") for c in text):
        text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Cn") else c for c in text)
    return " ".join(text.split())


def document_tokens(value: str, segmenter: Segmenter | None = None) -> str:
    """Space-joined index tokens of a text (the form both databases index)."""
    return " ".join((segmenter or _current).tokens(value, for_search=True))


def initials(value: str) -> str:
    """Pinyin initials of the Chinese characters of a text (营业执照 → yyzz); other characters dropped."""
    return "".join(p[0] for p in lazy_pinyin("".join(_HAN.findall(value or "")), style=Style.FIRST_LETTER) if p)


def spelling(value: str) -> str:
    """Toneless pinyin of a text, for 'same sound' typo matching (营业执招 and 营业执照 → yingyezhizhao)."""
    return "".join(lazy_pinyin(value or ""))


def word_starts(value: str, segmenter: Segmenter | None = None) -> list[int]:
    """Offsets where a word starts: each segmented word's, and each known word's inside a longer one."""
    seg = segmenter or _current
    starts: dict[int, None] = {}
    pos = 0
    for piece in seg._jieba.cut(value or ""):
        if _WORD.fullmatch(piece):
            starts[pos] = None
            starts.update((pos + i, None) for i in range(1, len(piece) - 1)
                          if any(seg.has_word(piece[i:j]) for j in range(i + 2, len(piece) + 1)))
        pos += len(piece)
    return sorted(starts)


def initials_tokens(name: str, segmenter: Segmenter | None = None, variants: Iterable[str] = ()) -> str:
    """Index tokens for pinyin initials, searched by prefix: of the name from every word start on, and of
    every name word (住房公积金缴存信息 → zfgjjjcxx gjjjcxx jcxx … gjj jc), so initials of any run of
    words are found (gjjjc); the same for the name's variants (its official terms replaced by their
    abbreviations: 社会保障卡信息 → 社保卡信息 → sbkxx, found by sbk)."""
    seg = segmenter or _current
    seen: dict[str, None] = {}
    for value in (name, *variants):
        seen.update((initials(value[i:]), None) for i in word_starts(value, seg))
        seen.update((initials(t), None) for t in seg.tokens(value, for_search=True))
    return " ".join(t for t in seen if len(t) >= 2)


def is_initials_query(chunk: str) -> bool:
    """2–8 ASCII letters: maybe pinyin initials (yyzz)."""
    return 2 <= len(chunk) <= 8 and chunk.isascii() and chunk.isalpha()


# ---------------------------------------------------------------- highlighting


def spans(value: str, terms: Iterable[str], *, initials_query: str = "") -> list[tuple[int, int]]:
    """Non-overlapping (start, end) offsets of the terms in a text, longest terms first, in text order.

    `initials_query` also marks the characters whose pinyin initials spell it (yyzz in 营业执照信息).
    """
    lowered = (value or "").lower()
    taken = [False] * len(lowered)
    found: list[tuple[int, int]] = []
    for term in sorted({t.lower() for t in terms if t and t.strip()}, key=len, reverse=True):
        if len(term) < 2 and term.isascii():
            continue
        start = lowered.find(term)
        while start >= 0:
            end = start + len(term)
            if not any(taken[start:end]):
                found.append((start, end))
                for i in range(start, end):
                    taken[i] = True
            start = lowered.find(term, end)
    if initials_query and value:
        per_char = [initials(c) if _HAN.fullmatch(c) else "\0" for c in value]
        letters = "".join(c or "\0" for c in per_char)
        at = letters.find(initials_query.lower())
        if at >= 0 and len(letters) == len(value) and not any(taken[at:at + len(initials_query)]):
            found.append((at, at + len(initials_query)))
    return sorted(found)


def marked(value: str, found: list[tuple[int, int]], *, limit: int | None = None) -> Markup:
    """The text with its spans in <mark>, everything escaped; cut to `limit` characters (with …) around
    the first span when given."""
    value = value or ""
    start = 0
    if limit is not None and len(value) > limit and found and found[0][1] > limit:
        start = max(0, found[0][0] - limit // 4)
    end = len(value) if limit is None else min(len(value), start + limit)
    out = [Markup("…")] if start else []
    pos = start
    for a, b in found:
        if b <= pos or a >= end:
            continue
        a, b = max(a, pos), min(b, end)
        out.append(escape(value[pos:a]))
        out.append(Markup("<mark>") + escape(value[a:b]) + Markup("</mark>"))
        pos = b
    out.append(escape(value[pos:end]))
    if end < len(value):
        out.append(Markup("…"))
    return Markup("").join(out)
