"""How the search component reads sentences and ranks several kinds together (the portal's items and
bundles): one ranking over kinds, partial matches below a few full ones, filler words squeezed out before
the dictionary looks, corrections that leave known and filler words alone, aliases and boosts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.factories import actor_of
from tongban import search
from tongban.search import fulltext
from tongban.search import service as terms
from tongban.search.schemas import TermIn

ITEM, BUNDLE = "t_item", "t_bundle"


def _term(session: Session, city, word: str, official: str, kind: str = "colloquial") -> None:  # type: ignore[no-untyped-def]
    terms.add_term(session=session, actor=actor_of(city.users["admin"]),
                   term_in=TermIn(word=word, official=official, kind=kind, source="测试"))


def _ranked(session: Session, q: str) -> list[tuple[str, int]]:
    return [(h.kind, h.doc_id) for h in search.query(session, (ITEM, BUNDLE), q).hits]


def test_kinds_are_ranked_together(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    fulltext.index(session, ITEM, 1, name="内地居民结婚登记", abstract="行政确认；结婚证", body="居民户口簿 居民身份证")
    fulltext.index(session, BUNDLE, 1, name="新生儿出生一件事", abstract="生育；出生医学证明、出生登记",
                   body="出生医学证明办理 出生登记 结婚证")
    fulltext.index(session, ITEM, 2, name="出生登记", abstract="行政确认；居民户口簿", body="出生医学证明 结婚证")
    # The item named for what was asked comes before the bundle that only lists it among its members.
    assert _ranked(session, "出生登记")[0] == (ITEM, 2)
    # The bundle named for what was asked comes first.
    assert _ranked(session, "新生儿出生")[0] == (BUNDLE, 1)
    # Each hit says its kind; one kind alone still works as before.
    assert {h.kind for h in search.query(session, ITEM, "结婚证").hits} == {ITEM}


def test_a_few_full_matches_are_topped_up_with_partial_ones(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _term(session, city, "报户口", "出生登记")
    fulltext.index(session, BUNDLE, 1, name="新生儿出生一件事", abstract="小孩出生后一次办好出生登记")
    fulltext.index(session, ITEM, 2, name="出生登记", abstract="行政确认")
    fulltext.index(session, ITEM, 3, name="居民身份证补领", abstract="行政确认")
    found = search.query(session, (ITEM, BUNDLE), "小孩 报户口")
    # Only the bundle has both words; the item matching one of them follows, marked as partial.
    assert [(h.kind, h.doc_id) for h in found.hits] == [(BUNDLE, 1), (ITEM, 2)]
    assert found.partial_from == 1 and not found.fallback
    # Enough full matches: no partial ones.
    assert search.query(session, (ITEM, BUNDLE), "出生登记").partial_from is None


def test_filler_words_are_squeezed_out_before_the_dictionary_looks(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _term(session, city, "开公司", "企业开办", kind="situation")
    fulltext.index(session, BUNDLE, 1, name="企业开办一件事", abstract="开办；营业执照、公章刻制")
    fulltext.index(session, ITEM, 1, name="公司章程备案", abstract="行政备案")
    # 一家 splits 开公司; without it the dictionary word is found and leads to the bundle.
    found = search.query(session, (ITEM, BUNDLE), "我要开一家公司")
    assert [(h.kind, h.doc_id) for h in found.hits][:1] == [(BUNDLE, 1)]
    assert "开公司 → 企业开办" in found.expanded


def test_corrections_leave_known_words_and_filler_alone(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _term(session, city, "生小孩", "新生儿出生一件事", kind="situation")
    fulltext.index(session, ITEM, 1, name="机动车驾驶证换证", abstract="行政许可；机动车驾驶证")
    fulltext.index(session, ITEM, 2, name="市政设施维护", abstract="公共服务")
    fulltext.index(session, ITEM, 3, name="出生登记", abstract="行政确认")
    # 驶证 sounds like 市政, but 驾驶证 is a known word: no "did you mean 驾市政"; the item is found by partial.
    found = search.query(session, (ITEM, BUNDLE), "驾驶证到期更换")
    assert found.suggestion == "" and [h.doc_id for h in found.hits][:1] == [1]
    # 给 is a filler word, not a misspelt 生 (生小孩 is a dictionary word one character away).
    assert search.query(session, (ITEM, BUNDLE), "给小孩报户口").suggestion == ""


def test_a_corrected_query_may_still_match_partly(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    fulltext.index(session, ITEM, 1, name="居民身份证补领", abstract="行政确认；居民身份证")
    fulltext.index(session, ITEM, 2, name="出生登记", abstract="行政确认")
    # 身分证 → 身份证 (same sound); nothing has 补办 too: the corrected query's partial matches.
    found = search.query(session, (ITEM, BUNDLE), "身分证补办")
    assert found.suggestion == "身份证补办" and found.fallback and [h.doc_id for h in found.hits] == [1]


def test_aliases_rank_like_the_name_and_boost_breaks_ties(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    for n in range(1, 6):  # items taking a 营业执照 as a material, in their longer texts
        fulltext.index(session, ITEM, n, name=f"经营许可{n}", abstract="行政许可", body="营业执照 场所证明 " * 2)
    body = "有经营能力的公民 有固定的经营场所 经营者身份证明 经营场所使用证明 自然人 开办 " * 2
    # (Without the alias, FTS5's bm25 put the issuing item, with its longer texts, below those taking one.)
    fulltext.index(session, ITEM, 10, name="个体工商户设立登记", abstract="行政许可；营业执照", body=body,
                   aliases="营业执照")
    assert _ranked(session, "营业执照")[0] == (ITEM, 10)
    # The alias is indexed for pinyin initials too, and never shown as the name.
    hit = search.query(session, ITEM, "yyzz").hits[0]
    assert hit.doc_id == 10 and hit.name == "个体工商户设立登记"
    # Two equally good documents: the boosted one first.
    fulltext.index(session, ITEM, 20, name="户口迁入登记", abstract="行政确认")
    fulltext.index(session, ITEM, 21, name="户口迁出登记", abstract="行政确认", boost=0.25)
    assert [h.doc_id for h in search.query(session, ITEM, "户口 登记").hits][:1] == [21]


def test_the_query_words_themselves_outrank_their_weaker_readings(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    # 民政 is a word inside 人民政府 too: ten county documents tagged with their 人民政府 must not come above
    # the one of the 民政局 (PostgreSQL's ts_rank, without inverse document frequency, put them first).
    for n in range(1, 11):
        fulltext.index(session, ITEM, n, name="政府常务会议议定事项信息", abstract="记录政府常务会议的议定事项",
                       tags=f"第{n}县人民政府 人民政府")
    fulltext.index(session, ITEM, 50, name="婚姻登记信息", abstract="记录婚姻登记", body="登记机关 " * 8,
                   tags="安康市民政局 市民政局")
    assert _ranked(session, "民政局")[0] == (ITEM, 50)


def test_a_name_matching_every_word_ranks_above_texts_mentioning_them(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _term(session, city, "营业执照", "市场主体登记", kind="synonym")
    for n in range(1, 11):
        fulltext.index(session, ITEM, n, name="个体工商户登记信息", abstract="个体工商户的登记信息，营业执照的核发记录",
                       body="营业执照 登记 信息")
    fulltext.index(session, ITEM, 60, name="市场主体登记信息",
                   abstract="记录企业、农民专业合作社等市场主体的设立、变更和注销登记信息，是法人单位基础信息的主要来源。",
                   body="统一社会信用代码 企业名称 法定代表人 企业类型 注册资本 成立日期 住所 经营范围 登记机关 登记状态")
    assert (ITEM, 60) in _ranked(session, "营业执照信息")[:3]


def test_control_and_private_characters_and_one_character_queries_are_harmless(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    fulltext.index(session, ITEM, 1, name="出生登记", abstract="行政确认")
    # A NUL or a private-use character must not reach PostgreSQL (it cannot store a NUL: that was a 500);
    # a one-character query has no prefix to rank by.
    for q in ["\x00", "出\x00生", "\U000fe67dP\U000c4d06\x85", "出", "\x85"]:
        search.query(session, (ITEM, BUNDLE), q)
    assert [h.doc_id for h in search.query(session, ITEM, "出生\x00登记").hits] == [1]
