"""Query understanding and the search strategy: all words, then the suggestion, then any word.

`understand` turns what a person typed into groups of alternatives (a document must match one
alternative of every group): dictionary words (户口本, 社保, 市监局, 刚毕业找工作) become a group of the
word and its official terms; other words are segmented and widened to their sub-words; 2–8 ASCII
letters may be pinyin initials (yyzz); filler words (我想, 怎么, 办理) are dropped.

`run` asks the domain's `fetch` for its rows matching all groups; if there are none it looks for a
"did you mean" (same pinyin or one character off, among the words of the indexed names), and runs that;
if still none, it runs any-word (partial) matching. Exact and prefix name matches rank first (index.hits).
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from markupsafe import Markup
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from tongban.search import dictionary
from tongban.search import text as tx
from tongban.search.fulltext import Alt, Group, hits
from tongban.search.models import SearchDocument

T = TypeVar("T")

#: Words that say how someone asks, not what they look for; dropped unless nothing else is left.
FILLER = frozenset({
    "我", "我想", "我要", "想", "要", "想要", "请问", "怎么", "怎么办", "怎样", "如何", "咋", "咋办", "哪里", "在哪",
    "在哪里", "去哪", "哪儿", "什么", "啥", "的", "了", "吗", "呢", "吧", "啊", "办", "办理", "需要", "可以", "能",
    "能不能", "如何办理", "怎么办理", "哪个",
    "部门", "去", "给", "帮", "一下", "查", "查询", "查一下", "在", "和", "与",
    "及", "或", "有", "是", "个", "手续", "流程", "材料", "需要什么", "要什么", "带什么", "多久", "网上",
})


@dataclass(frozen=True)
class Understanding:
    text: str
    groups: tuple[Group, ...]
    #: (word, official term, kind) of every dictionary word found in the query.
    expanded: tuple[tuple[str, str, str], ...] = ()
    #: Strings to highlight: the query's words, their sub-words and the official terms.
    terms: tuple[str, ...] = ()
    #: The query, if it may be pinyin initials.
    initials: str = ""
    exact: tuple[str, ...] = ()
    #: The groups for any-word (fallback) matching: a dictionary word's group also takes the word's own
    #: sub-words (户口本 → 户口), so that a word whose readings match nothing still matches partly.
    wide: tuple[Group, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups


_BASE = tx.Segmenter()


def _maximal_parts(term: str, seg: tx.Segmenter) -> tuple[str, ...]:
    """A term as the words it is made of without the dictionary (居民户口簿 → 居民, 户口簿): documents
    indexed before the term was added to the dictionary split it so (until search.reindex has run)."""
    return tuple(t for t in _BASE.tokens(term, for_search=False) if t != term)


def _word_alts(word: str, seg: tx.Segmenter) -> list[Alt]:
    alts = [Alt((word,))]
    alts += [Alt((t,)) for t in dict.fromkeys(seg.tokens(word, for_search=True)) if len(t) > 1 and t != word]
    return alts


def _term_alts(term: str, seg: tx.Segmenter) -> list[Alt]:
    tokens = seg.tokens(term, for_search=False)
    alts = [Alt(tuple(tokens))] if tokens else []
    parts = _maximal_parts(term, seg)
    if parts and parts != tuple(tokens):
        alts.append(Alt(parts))
    return alts


def _dedupe(alts: Sequence[Alt]) -> Group:
    return tuple(dict.fromkeys(a for a in alts if a.tokens))


def understand(session: Session, kind: str, query: str, *, words: dictionary.Dictionary | None = None) -> Understanding:
    d = words or dictionary.ensure(session)
    seg = tx.current()
    q = tx.normalize(query)[:100]
    groups: list[Group] = []
    wide: dict[int, Group] = {}
    filler: list[Group] = []
    expanded: list[tuple[str, str, str]] = []
    terms: list[str] = []
    initials = ""
    exact: list[str] = [q]
    for chunk in q.split():
        if tx.is_initials_query(chunk):
            groups.append((Alt((chunk,), prefix=True),))
            initials = initials or chunk
            terms.append(chunk)
            continue
        pos = 0
        for start, end, word in [*d.find(chunk), (len(chunk), len(chunk), "")]:
            for token in seg.tokens(chunk[pos:start], for_search=False):
                group = _dedupe(_word_alts(token, seg))
                (filler if token in FILLER else groups).append(group)
                terms.extend(a.tokens[0] for a in group if len(a.tokens) == 1)
            if word:
                entries = d.entries[word]
                situation = all(e.kind == "situation" for e in entries)
                alts = [Alt(tuple(seg.tokens(word, for_search=False)))] if situation else _term_alts(word, seg)
                for e in entries:
                    alts += _term_alts(e.official, seg)
                    expanded.append((word, e.official, e.kind))
                    terms.append(e.official)
                    if chunk == q and start == 0 and end == len(chunk):
                        exact.append(e.official)
                groups.append(_dedupe(alts))
                wide[len(groups) - 1] = _dedupe([*alts, *_word_alts(word, seg)[1:]])
                terms.append(word)
            pos = end
    widened = [wide.get(i, g) for i, g in enumerate(groups)]
    if not groups:
        groups = widened = filler
    for g in widened:
        terms.extend(t for a in g for t in a.tokens if not a.prefix)
    return Understanding(text=q, groups=tuple(g for g in groups if g), expanded=tuple(dict.fromkeys(expanded)),
                         terms=tuple(dict.fromkeys(terms)), initials=initials, exact=tuple(dict.fromkeys(exact)),
                         wide=tuple(g for g in widened if g))


def understand_plain(query: str) -> tuple[Group, ...]:
    """The query's words and sub-words without the dictionary (the benchmark's bare baseline)."""
    return tuple(_dedupe(_word_alts(t, _BASE)) for t in _BASE.tokens(tx.normalize(query), for_search=False))


# ---------------------------------------------------------------- did you mean


@dataclass
class _Vocabulary:
    key: tuple[object, ...] = ()
    words: Counter[str] = field(default_factory=Counter)
    by_spelling: dict[str, str] = field(default_factory=dict)
    by_delete: dict[str, list[str]] = field(default_factory=dict)


_vocab: dict[str, _Vocabulary] = {}
_vocab_lock = threading.Lock()


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))} | {word}


def vocabulary(session: Session, kind: str, *, words: dictionary.Dictionary | None = None) -> _Vocabulary:
    """The words of the indexed names of a kind (and the dictionary's), cached until the index changes."""
    d = words or dictionary.ensure(session)
    key = (*session.execute(select(func.count(SearchDocument.id), func.max(SearchDocument.updated_at),
                                   func.max(SearchDocument.id)).where(SearchDocument.kind == kind)).one(),
           d.version)
    cached = _vocab.get(kind)
    if cached is not None and cached.key == key:
        return cached
    seg = tx.current()
    counts: Counter[str] = Counter()
    for (name,) in session.execute(select(SearchDocument.name).where(SearchDocument.kind == kind)):
        name = tx.normalize(name)
        if len(name) <= 16:
            counts[name] += 1
        counts.update(t for t in set(seg.tokens(name, for_search=True)) if len(t) > 1 and not t.isascii())
        cut = seg.tokens(name, for_search=False)
        counts.update(a + b for a, b in itertools.pairwise(cut) if not (a + b).isascii())
    for w, entries in d.entries.items():
        counts[w] += 1
        counts.update(e.official for e in entries)
    v = _Vocabulary(key=key, words=counts)
    for w, _n in counts.most_common():
        v.by_spelling.setdefault(tx.spelling(w), w)
        if len(w) >= 3:
            for k in _deletes(w):
                v.by_delete.setdefault(k, []).append(w)
    with _vocab_lock:
        _vocab[kind] = v
    return v


def _same_sound(fragment: str, v: _Vocabulary) -> str | None:
    same = v.by_spelling.get(tx.spelling(fragment))
    return same if same and same != fragment else None


def _one_off(fragment: str, v: _Vocabulary) -> tuple[str, bool] | None:
    """The most frequent known word one character off (and whether it has the fragment's length)."""
    if len(fragment) < 3:
        return None
    found = [w for k in _deletes(fragment) for w in v.by_delete.get(k, ()) if w != fragment]
    if not found:
        return None
    best = max(found, key=lambda w: (len(w) == len(fragment), v.words[w], -abs(len(w) - len(fragment))))
    return best, len(best) == len(fragment)


def _fix(chunk: str, v: _Vocabulary, known: list[tuple[int, int, str]]) -> str | None:
    """The chunk with one fragment corrected: the longest fragment that sounds like a known word; else
    the longest one character off a known word of the same length (a wrong character); else one with a
    character missing or extra. A typo is most often a wrong character; taking the first shorter word
    found by dropping a character would change what was asked (养老保险待遇领区 → 养老保险待遇区)."""
    substituted: str | None = None
    other: str | None = None
    for size in range(len(chunk), 1, -1):
        for start in range(len(chunk) - size + 1):
            frag = chunk[start:start + size]
            if frag in v.words or any(a < start + size and start < b and not (start <= a and b <= start + size)
                                      for a, b, _w in known):
                continue  # a known word, or cutting through a dictionary word the person typed right
            better = _same_sound(frag, v)
            if better:
                return chunk[:start] + better + chunk[start + size:]
            off = _one_off(frag, v)
            if off is not None:
                fixed = chunk[:start] + off[0] + chunk[start + size:]
                if off[1]:
                    substituted = substituted or fixed
                else:
                    other = other or fixed
    return substituted or other


def _known(chunk: str, d: dictionary.Dictionary, kind: str) -> bool:
    """A chunk typed as one whole known word: a dictionary word, or a word of the index's vocabulary as
    last built in this process. Such a chunk is spelled right, so no suggestion is looked for, and the
    vocabulary's freshness need not be checked for it (that check reads the index: it was most of the
    cost of a multi-word query of known words that falls back to any-word matching). A stale vocabulary
    can only hold a word that was indexed a moment ago; a chunk it lacks takes the full, checked path."""
    cached = _vocab.get(kind)
    return chunk.isascii() or chunk in d.entries or (cached is not None and chunk in cached.words)


def suggest(session: Session, kind: str, query: str, *, words: dictionary.Dictionary | None = None) -> str:
    """A 'did you mean' for a query without results: the longest fragment that is no known word but
    sounds like one or is one character off, replaced ("" when there is none)."""
    d = words or dictionary.ensure(session)
    chunks = tx.normalize(query).split()
    if all(_known(c, d, kind) for c in chunks):
        return ""
    v = vocabulary(session, kind, words=d)
    out: list[str] = []
    changed = False
    for chunk in chunks:
        fixed = _fix(chunk, v, d.find(chunk)) if chunk not in v.words and not chunk.isascii() else None
        changed = changed or fixed is not None
        out.append(fixed or chunk)
    return " ".join(out) if changed else ""


# ---------------------------------------------------------------- the strategy


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What `run` found: the domain's rows, and how (for the page to explain it)."""

    rows: list[T]
    understanding: Understanding
    #: "Did you mean": the corrected query whose results these are ("" when none).
    suggestion: str = ""
    #: True when no result matched every word and these match some of them.
    fallback: bool = False

    @property
    def expanded(self) -> list[str]:
        """The dictionary's readings shown to the user: "户口本 → 居民户口簿"."""
        return [f"{w} → {o}" for w, o, _k in self.understanding.expanded]

    def spans(self, value: str) -> list[tuple[int, int]]:
        return tx.spans(value, self.understanding.terms, initials_query=self.understanding.initials)

    def highlight(self, value: str, *, limit: int | None = None) -> Markup:
        """The text with the matched spans in <mark>, HTML-escaped."""
        return tx.marked(value, self.spans(value), limit=limit)


def match(session: Session, kind: str, u: Understanding, *, any_word: bool = False, named: bool = False) -> Subquery:
    prefix = u.text if len(u.text) >= 2 else ""
    groups = u.wide if any_word and u.wide else u.groups
    return hits(session, kind, groups, exact=u.exact, prefix=prefix, any_word=any_word, named=named)


def run(session: Session, kind: str, query: str, fetch: Callable[[Subquery], list[T]], *,
        partial_named: bool = False) -> Outcome[T]:
    """Search a kind: `fetch(hits)` joins the (doc_id, score) subquery with the domain's own conditions
    and returns its rows; the strategy tries all words, the suggestion, then any word.

    The dictionary's version is read once per search; the suggestion is only looked for when a chunk of
    the query is not one known word (a multi-word query of known words goes straight to any-word).
    With `partial_named`, an any-word match must match a word in the document's name or tags: for
    short documents named by what they are (service items, bundles), a match only in the longer texts
    on a common word is noise that would crowd out what the person asked for."""
    d = dictionary.ensure(session)
    u = understand(session, kind, query, words=d)
    if u.empty:
        return Outcome(rows=[], understanding=u)
    rows = fetch(match(session, kind, u))
    if rows:
        return Outcome(rows=rows, understanding=u)
    suggestion = suggest(session, kind, u.text, words=d)
    if suggestion:
        su = understand(session, kind, suggestion, words=d)
        if not su.empty:
            rows = fetch(match(session, kind, su))
            if rows:
                return Outcome(rows=rows, understanding=su, suggestion=suggestion)
    if len(u.groups) > 1:
        rows = fetch(match(session, kind, u, any_word=True, named=partial_named))
        if rows:
            return Outcome(rows=rows, understanding=u, fallback=True)
    return Outcome(rows=[], understanding=u)


# ---------------------------------------------------------------- the simple API


@dataclass(frozen=True)
class Hit:
    doc_id: int
    score: float
    name: str
    abstract: str
    name_spans: list[tuple[int, int]]
    abstract_spans: list[tuple[int, int]]
    name_html: Markup
    abstract_html: Markup


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    suggestion: str
    expanded: list[str]
    fallback: bool


def query(session: Session, kind: str, text: str, *, within: Select[tuple[int]] | None = None,
          limit: int = 20, partial_named: bool = True) -> SearchResult:
    """Search a kind's documents: the best `limit` hits (among the ids `within` selects, when given),
    with highlights, the suggestion used, the dictionary's readings and whether it fell back (a partial
    match must match a word in the name or tags unless `partial_named` is False; see `run`)."""
    d = SearchDocument

    def fetch(sub: Subquery) -> list[tuple[int, float, str, str]]:
        stmt = (select(sub.c.doc_id, sub.c.score, d.name, d.abstract)
                .join(d, (d.kind == kind) & (d.doc_id == sub.c.doc_id)))
        if within is not None:
            stmt = stmt.where(sub.c.doc_id.in_(within))
        return [tuple(r) for r in session.execute(
            stmt.order_by(sub.c.score.desc(), sub.c.doc_id).limit(limit)).all()]

    out = run(session, kind, text, fetch, partial_named=partial_named)
    found = []
    for doc_id, score, name, abstract in out.rows:
        ns, ab = out.spans(name), out.spans(abstract)
        found.append(Hit(doc_id=doc_id, score=float(score), name=name, abstract=abstract, name_spans=ns,
                         abstract_spans=ab, name_html=tx.marked(name, ns), abstract_html=tx.marked(abstract, ab)))
    return SearchResult(hits=found, suggestion=out.suggestion, expanded=out.expanded, fallback=out.fallback)
