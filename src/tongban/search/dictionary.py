"""The dictionary as a process uses it: terms and department names, and the segmenter built from them.

Reloading, per process: every query and every index write first reads the dictionary's version — the
counter in `search_state` (raised by each change of a term) together with the count and latest change of
the departments (whose names and short names are terms too) — in one cheap statement. When it differs
from the version this process loaded, the terms are read again and a new segmenter is built and
installed (about 0.2 s; rjieba cannot forget a word, so a deactivated one needs a fresh instance). So a
change made in one process is seen by every other at its next search, with no job and no restart. A
change also queues the `search.reindex` job, which re-segments the stored documents with the new
words (tasks.py), so documents indexed earlier split the same way as new queries.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.org.models import Department
from tongban.search import text
from tongban.search.models import SearchState, SearchTerm

#: Kinds whose official term also leads back to the word (a document may say 社保 for 社会保险).
TWO_WAY = frozenset({"abbreviation", "synonym", "department", "colloquial"})


@dataclass(frozen=True)
class Entry:
    official: str
    kind: str
    #: Read backwards: the official term leading to its word (营业执照 → 执照); weaker than the forward way.
    reverse: bool = False


@dataclass
class Dictionary:
    version: tuple[object, ...] = ()
    #: word (lower case) → the official terms it stands for.
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    #: Words by length, longest first (for longest-match scanning of a query).
    words: list[str] = field(default_factory=list)

    #: (official term, its shorter word) of abbreviations and colloquial words, for pinyin initials.
    short_forms: list[tuple[str, str]] = field(default_factory=list)

    def shortened(self, value: str, *, limit: int = 4) -> list[str]:
        """The text with one official term replaced by its shorter word (社会保障卡信息 → 社保卡信息): how
        people who type initials think of it (sbk)."""
        out: dict[str, None] = {}
        for official, word in self.short_forms:
            if official in value:
                out[value.replace(official, word)] = None
                if len(out) >= limit:
                    break
        return list(out)

    def find(self, value: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, word) of dictionary words in the text, longest match first."""
        taken = [False] * len(value)
        found: list[tuple[int, int, str]] = []
        for word in self.words:
            if len(word) > len(value):
                continue
            start = value.find(word)
            while start >= 0:
                end = start + len(word)
                if not any(taken[start:end]):
                    found.append((start, end, word))
                    for i in range(start, end):
                        taken[i] = True
                start = value.find(word, end)
        return sorted(found)


_lock = threading.Lock()
_current = Dictionary()


def current_version(session: Session) -> tuple[object, ...]:
    """The dictionary version in the database: one statement of three scalar subqueries."""
    row = session.execute(select(
        select(SearchState.dictionary_version).where(SearchState.id == 1).scalar_subquery(),
        select(func.count(Department.id)).scalar_subquery(),
        select(func.max(Department.updated_at)).scalar_subquery(),
    )).one()
    return (row[0] or 0, row[1], str(row[2]))


def ensure(session: Session) -> Dictionary:
    """The current dictionary, reloaded (with a new segmenter) if the database has a newer one."""
    version = current_version(session)
    if version == _current.version:
        return _current
    with _lock:
        if version != _current.version:
            _load(session, version)
    return _current


def _load(session: Session, version: tuple[object, ...]) -> None:
    global _current
    entries: dict[str, list[Entry]] = defaultdict(list)

    def add(word: str, official: str, kind: str, reverse: bool = False) -> None:
        word, official = text.normalize(word), text.normalize(official)
        if word and official and word != official and all(e.official != official or e.kind != kind
                                                          for e in entries[word]):
            entries[word].append(Entry(official, kind, reverse))

    terms = session.execute(select(SearchTerm.word, SearchTerm.official, SearchTerm.kind)
                            .where(SearchTerm.active.is_(True))).all()
    for word, official, kind in terms:
        add(word, official, kind)
        if kind in TWO_WAY:
            add(official, word, kind, reverse=True)
    for name, short in session.execute(select(Department.name, Department.short_name)).all():
        if short and short != name:
            add(short, name, "department")
            add(name, short, "department")
    words = set(entries) | {e.official for es in entries.values() for e in es}
    text.install(text.Segmenter(sorted(words), version))
    short_forms = sorted({(text.normalize(o), text.normalize(w)) for w, o, k in terms
                    if k in ("abbreviation", "colloquial") and len(w) < len(o) and w and o},
                   key=lambda p: (-len(p[0]), p))
    _current = Dictionary(version=version, entries=dict(entries),
                          words=sorted(entries, key=lambda w: (-len(w), w)), short_forms=short_forms)


def bump(session: Session) -> int:
    """Raise the dictionary version (inside the caller's use-case); returns the new version."""
    state = session.get(SearchState, 1, with_for_update=True)
    if state is None:
        state = SearchState(id=1, dictionary_version=0)
        session.add(state)
    state.dictionary_version = (state.dictionary_version or 0) + 1
    session.flush()
    return state.dictionary_version
