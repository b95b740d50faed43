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
import time
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from markupsafe import Markup
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from tongban.search import cache, dictionary, fulltext
from tongban.search import text as tx
from tongban.search.fulltext import Alt, Group, hits, kinds_of
from tongban.search.models import SearchDocument

T = TypeVar("T")

#: Words that say how someone asks, not what they look for; dropped unless nothing else is left.
FILLER = frozenset({
    "我", "我想", "我要", "想", "要", "想要", "请问", "怎么", "怎么办", "怎样", "如何", "咋", "咋办", "哪里", "在哪",
    "在哪里", "去哪", "哪儿", "什么", "啥", "的", "了", "吗", "呢", "吧", "啊", "办", "办理", "需要", "可以", "能",
    "能不能", "如何办理", "怎么办理", "哪个",
    "部门", "去", "给", "帮", "一下", "查", "查询", "查一下", "在", "和", "与",
    "及", "或", "有", "是", "个", "手续", "流程", "材料", "需要什么", "要什么", "带什么", "多久", "网上",
    # function and time words: 被公司辞退了, 房贷想用公积金, 孩子明年上小学
    "被", "把", "让", "对", "从", "向", "跟", "将", "用", "这", "那", "这个", "那个", "哪些", "一些", "一个", "一家",
    "自己", "明年", "今年", "去年", "下个月", "马上", "刚", "刚刚", "已经", "还", "都", "也", "就", "才", "又",
    "办什么", "办哪些", "该", "应该", "得", "着", "过", "呀", "嘛", "么", "为什么", "多少",
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
    #: The groups without the weaker readings — a query word's sub-words (民政 of 民政局, which 人民政府
    #: holds too) and the dictionary read backwards (执照 of 营业执照): documents matching all of these
    #: rank above those matching only through the weaker ones (fulltext.PRIMARY). Empty when the same.
    primary: tuple[Group, ...] = ()
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


def _squeeze(chunk: str, seg: tx.Segmenter) -> str:
    """The chunk without its filler words, so that the dictionary finds the words they split: 我要开一家公司
    → 开公司, 孩子明年上小学 → 孩子上小学. A chunk of filler words only is kept (they are then searched)."""
    tokens = seg.tokens(chunk, for_search=False)
    kept = [t for t in tokens if t not in FILLER]
    if not kept or len(kept) == len(tokens) or "".join(tokens) != chunk:
        return chunk
    return "".join(kept)


def understand(session: Session, kind: str | Sequence[str], query: str, *,
               words: dictionary.Dictionary | None = None) -> Understanding:
    d = words or dictionary.ensure(session)
    seg = tx.current()
    q = tx.normalize(query)[:100]
    groups: list[Group] = []
    strong: list[Group] = []  # per group: its alternatives without the weaker readings
    wide: dict[int, Group] = {}
    filler: list[Group] = []
    expanded: list[tuple[str, str, str]] = []
    terms: list[str] = []
    initials = ""
    exact: list[str] = [q]
    for chunk in q.split():
        chunk = _squeeze(chunk, seg)
        if tx.is_initials_query(chunk):
            groups.append((Alt((chunk,), prefix=True),))
            initials = initials or chunk
            terms.append(chunk)
            continue
        pos = 0
        for start, end, word in [*d.find(chunk), (len(chunk), len(chunk), "")]:
            for token in seg.tokens(chunk[pos:start], for_search=False):
                group = _dedupe(_word_alts(token, seg))
                if token in FILLER:
                    filler.append(group)
                else:
                    groups.append(group)
                    strong.append(group[:1])
                terms.extend(a.tokens[0] for a in group if len(a.tokens) == 1)
            if word:
                entries = d.entries[word]
                situation = all(e.kind == "situation" for e in entries)
                alts = [Alt(tuple(seg.tokens(word, for_search=False)))] if situation else _term_alts(word, seg)
                forward = list(alts)
                for e in entries:
                    alts += _term_alts(e.official, seg)
                    if not e.reverse:
                        forward += _term_alts(e.official, seg)
                    expanded.append((word, e.official, e.kind))
                    terms.append(e.official)
                    if chunk == q and start == 0 and end == len(chunk):
                        exact.append(e.official)
                groups.append(_dedupe(alts))
                strong.append(_dedupe(forward))
                wide[len(groups) - 1] = _dedupe([*alts, *_word_alts(word, seg)[1:]])
                terms.append(word)
            pos = end
    widened = [wide.get(i, g) for i, g in enumerate(groups)]
    primary = [] if strong == groups else strong
    if not groups:
        groups = widened = filler
    for g in widened:
        terms.extend(t for a in g for t in a.tokens if not a.prefix)
    return Understanding(text=q, groups=tuple(g for g in groups if g), expanded=tuple(dict.fromkeys(expanded)),
                         terms=tuple(dict.fromkeys(terms)), initials=initials, exact=tuple(dict.fromkeys(exact)),
                         wide=tuple(g for g in widened if g), primary=tuple(g for g in primary if g))


def understand_plain(query: str) -> tuple[Group, ...]:
    """The query's words and sub-words without the dictionary (the benchmark's bare baseline)."""
    return tuple(_dedupe(_word_alts(t, _BASE)) for t in _BASE.tokens(tx.normalize(query), for_search=False))


# ---------------------------------------------------------------- did you mean


#: How long a process trusts its cached vocabulary (for "did you mean" only) before checking the index again
#: for other processes' writes; its own writes are seen at once (fulltext.writes).
VOCABULARY_RECHECK_SECONDS = 5.0


@dataclass
class _Vocabulary:
    key: tuple[object, ...] = ()
    checked_at: float = 0.0  # time.monotonic() of the last check against the database
    writes: int = -1  # fulltext.writes at that check
    words: Counter[str] = field(default_factory=Counter)
    by_spelling: dict[str, str] = field(default_factory=dict)
    by_delete: dict[str, list[str]] = field(default_factory=dict)


_vocab: dict[str, _Vocabulary] = {}
_vocab_lock = threading.Lock()


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))} | {word}


def vocabulary(session: Session, kind: str | Sequence[str], *,
               words: dictionary.Dictionary | None = None) -> _Vocabulary:
    """The words of the indexed names of a kind or kinds (and the dictionary's), cached until the index changes."""
    d = words or dictionary.ensure(session)
    kinds = kinds_of(kind)
    cached = _vocab.get(_cache_key(kind))
    now, writes = time.monotonic(), fulltext.writes
    if all(k in cache.TOKENS for k in kinds):
        # Kinds whose documents carry a token (search/cache.py): exact, cheap, and it sees other processes' writes
        # at once — a page kept by cache.ResultCache must not hold a suggestion from a vocabulary seconds old.
        key: tuple[object, ...] = (*cache.version(session, kinds), d.version)
        if cached is not None and cached.key == key:
            return cached
    else:
        # Trusted without a query for a few seconds unless this process wrote to the index or the dictionary
        # changed: the key's aggregate over every document of the kind was a millisecond of each slow search.
        if (cached is not None and cached.writes == writes and cached.key[-1] == d.version
                and now - cached.checked_at < VOCABULARY_RECHECK_SECONDS):
            return cached
        key = (*session.execute(select(func.count(SearchDocument.id), func.max(SearchDocument.updated_at),
                                       func.max(SearchDocument.id)).where(SearchDocument.kind.in_(kinds))).one(),
               d.version)
        if cached is not None and cached.key == key:
            cached.checked_at, cached.writes = now, writes
            return cached
    seg = tx.current()
    counts: Counter[str] = Counter()
    for (name,) in session.execute(select(SearchDocument.name).where(SearchDocument.kind.in_(kinds))):
        name = tx.normalize(name)
        if len(name) <= 16:
            counts[name] += 1
        counts.update(t for t in set(seg.tokens(name, for_search=True)) if len(t) > 1 and not t.isascii())
        cut = seg.tokens(name, for_search=False)
        counts.update(a + b for a, b in itertools.pairwise(cut) if not (a + b).isascii())
    for w, entries in d.entries.items():
        counts[w] += 1
        counts.update(e.official for e in entries)
    v = _Vocabulary(key=key, checked_at=now, writes=writes, words=counts)
    for w, _n in counts.most_common():
        v.by_spelling.setdefault(tx.spelling(w), w)
        if len(w) >= 3:
            for k in _deletes(w):
                v.by_delete.setdefault(k, []).append(w)
    with _vocab_lock:
        _vocab[_cache_key(kind)] = v
    return v


def _cache_key(kind: str | Sequence[str]) -> str:
    return "+".join(kinds_of(kind))


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


def _protected(chunk: str, v: _Vocabulary,
               known: list[tuple[int, int, str]]) -> tuple[list[tuple[int, int]], set[tuple[int, int]]]:
    """Spans of the chunk a correction must not cut through or change: the dictionary words found in it,
    its segmented words that are known words of the vocabulary (驾驶证 in 驾驶证到期更换: correcting its
    驶证 to the same-sounding 市政 would change what was asked), and its filler words (给 in 给小孩报户口 is
    no misspelt 生). Returns the spans and, among them, the filler words' (a fragment may not hold these
    whole either)."""
    spans = [(a, b) for a, b, _w in known]
    fillers: set[tuple[int, int]] = set()
    pos = 0
    for token in tx.current().tokens(chunk, for_search=False):
        start = chunk.find(token, pos)
        if start < 0:
            continue
        pos = start + len(token)
        if token in FILLER:
            fillers.add((start, pos))
        if token in FILLER or (len(token) > 1 and token in v.words):
            spans.append((start, pos))
    return spans, fillers


def _blocked(start: int, end: int, spans: list[tuple[int, int]], fillers: set[tuple[int, int]]) -> bool:
    """Whether correcting chunk[start:end] would cut through a protected span or change a filler word."""
    return any(a < end and start < b and not (start <= a and b <= end and (a, b) not in fillers) for a, b in spans)


def _fix(chunk: str, v: _Vocabulary, known: list[tuple[int, int, str]]) -> str | None:
    """The chunk with one fragment corrected: the longest fragment that sounds like a known word; else
    the longest one character off a known word of the same length (a wrong character); else one with a
    character missing or extra. A typo is most often a wrong character; taking the first shorter word
    found by dropping a character would change what was asked (养老保险待遇领区 → 养老保险待遇区).
    A fragment that is a known word, cuts through one, or touches a filler word is left alone."""
    substituted: str | None = None
    other: str | None = None
    spans, fillers = _protected(chunk, v, known)
    for size in range(len(chunk), 1, -1):
        for start in range(len(chunk) - size + 1):
            frag = chunk[start:start + size]
            end = start + size
            if frag in v.words or _blocked(start, end, spans, fillers):
                continue
            better = _same_sound(frag, v)
            if better:
                return chunk[:start] + better + chunk[end:]
            off = _one_off(frag, v)
            if off is not None:
                fixed = chunk[:start] + off[0] + chunk[end:]
                if off[1]:
                    substituted = substituted or fixed
                else:
                    other = other or fixed
    return substituted or other


def _known(chunk: str, d: dictionary.Dictionary, kind: str | Sequence[str]) -> bool:
    """A chunk typed as one whole known word: a dictionary word, or a word of the index's vocabulary as
    last built in this process. Such a chunk is spelled right, so no suggestion is looked for, and the
    vocabulary's freshness need not be checked for it (that check reads the index: it was most of the
    cost of a multi-word query of known words that falls back to any-word matching). A stale vocabulary
    can only hold a word that was indexed a moment ago; a chunk it lacks takes the full, checked path."""
    cached = _vocab.get(_cache_key(kind))
    return chunk.isascii() or chunk in d.entries or (cached is not None and chunk in cached.words)


def suggest(session: Session, kind: str | Sequence[str], query: str, *,
            words: dictionary.Dictionary | None = None) -> str:
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
    #: Where the rows matching only some of the words start (None: every row matches every word).
    partial_from: int | None = None

    @property
    def expanded(self) -> list[str]:
        """The dictionary's readings shown to the user: "户口本 → 居民户口簿"."""
        return [f"{w} → {o}" for w, o, _k in self.understanding.expanded]

    def spans(self, value: str) -> list[tuple[int, int]]:
        return tx.spans(value, self.understanding.terms, initials_query=self.understanding.initials)

    def highlight(self, value: str, *, limit: int | None = None) -> Markup:
        """The text with the matched spans in <mark>, HTML-escaped."""
        return tx.marked(value, self.spans(value), limit=limit)


def match(session: Session, kind: str | Sequence[str], u: Understanding, *, any_word: bool = False,
          named: bool = False) -> Subquery:
    prefix = u.text if len(u.text) >= 2 else ""
    groups = u.wide if any_word and u.wide else u.groups
    return hits(session, kind, groups, exact=u.exact, prefix=prefix, any_word=any_word, named=named,
                primary=() if any_word else u.primary)


def run(session: Session, kind: str | Sequence[str], query: str, fetch: Callable[[Subquery], list[T]], *,
        partial_named: bool = False, key: Callable[[T], Hashable] | None = None, few: int = 5) -> Outcome[T]:
    """Search a kind (or several, ranked together): `fetch(hits)` joins the (doc_id, kind, score) subquery
    with the domain's own conditions and returns its rows; the strategy tries all words, the suggestion,
    any word, then any word of the suggestion (身分证补办: 身份证 matches, 补办 does not).

    With `key` (a row's identity), a multi-word query whose words all match fewer than `few` rows is topped
    up with rows matching some of its words, below them (`Outcome.partial_from` says where they start): a
    person who typed a sentence (孩子出生了怎么上户口) should see the item that matches most of it even when
    only one bundle matches all of it. Without `key` the partial matches come only when nothing matches all.

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
    if rows and (key is None or len(rows) >= few or len(u.groups) < 2):
        return Outcome(rows=rows, understanding=u)
    if rows and key is not None:
        seen = {key(r) for r in rows}
        more = [r for r in fetch(match(session, kind, u, any_word=True, named=partial_named)) if key(r) not in seen]
        return Outcome(rows=[*rows, *more], understanding=u, partial_from=len(rows) if more else None)
    suggestion = suggest(session, kind, u.text, words=d)
    su = understand(session, kind, suggestion, words=d) if suggestion else None
    if su is not None and not su.empty:
        rows = fetch(match(session, kind, su))
        if rows:
            return Outcome(rows=rows, understanding=su, suggestion=suggestion)
    if len(u.groups) > 1:
        rows = fetch(match(session, kind, u, any_word=True, named=partial_named))
        if rows:
            return Outcome(rows=rows, understanding=u, fallback=True, partial_from=0)
    if su is not None and len(su.groups) > 1:
        rows = fetch(match(session, kind, su, any_word=True, named=partial_named))
        if rows:
            return Outcome(rows=rows, understanding=su, suggestion=suggestion, fallback=True, partial_from=0)
    return Outcome(rows=[], understanding=u)


# ---------------------------------------------------------------- the simple API


@dataclass(frozen=True)
class Hit:
    doc_id: int
    kind: str
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
    #: Where the hits matching only some of the words start (None: all hits match every word).
    partial_from: int | None = None


def query(session: Session, kind: str | Sequence[str], text: str, *, within: Select[tuple[int]] | None = None,
          limit: int = 20, partial_named: bool = True) -> SearchResult:
    """Search a kind's documents (or several kinds', ranked together; each hit says its kind): the best
    `limit` hits (among the ids `within` selects, when given),
    with highlights, the suggestion used, the dictionary's readings and whether it fell back (a partial
    match must match a word in the name or tags unless `partial_named` is False; see `run`)."""
    d = SearchDocument

    def fetch(sub: Subquery) -> list[tuple[int, str, float, str, str]]:
        stmt = (select(sub.c.doc_id, sub.c.kind, sub.c.score, d.name, d.abstract)
                .join(d, (d.kind == sub.c.kind) & (d.doc_id == sub.c.doc_id)))
        if within is not None:
            stmt = stmt.where(sub.c.doc_id.in_(within))
        return [tuple(r) for r in session.execute(
            stmt.order_by(sub.c.score.desc(), sub.c.kind, sub.c.doc_id).limit(limit)).all()]

    out = run(session, kind, text, fetch, partial_named=partial_named, key=lambda r: (r[0], r[1]))
    found = []
    for doc_id, doc_kind, score, name, abstract in out.rows[:limit]:
        ns, ab = out.spans(name), out.spans(abstract)
        found.append(Hit(doc_id=doc_id, kind=doc_kind, score=float(score), name=name, abstract=abstract, name_spans=ns,
                         abstract_spans=ab, name_html=tx.marked(name, ns), abstract_html=tx.marked(abstract, ab)))
    return SearchResult(hits=found, suggestion=out.suggestion, expanded=out.expanded, fallback=out.fallback,
                        partial_from=out.partial_from)
