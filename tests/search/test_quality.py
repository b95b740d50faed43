"""Search quality fixes found by bench/search_quality.py, one kind of query each: a department's name
inside its longer official name, pinyin initials of a run of words or of an abbreviation, partial
matches ranked by how many words they match, typos of a wrong character, and known words left alone."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.factories import actor_of
from tests.search.test_search import _names, _resource, _term
from tongban.catalog import service as catalog


def _page(session: Session, city, q: str):  # type: ignore[no-untyped-def]
    return catalog.browse(session=session, actor=actor_of(city.users["amr_clerk"]), q=q)


def test_a_known_word_inside_a_longer_one_is_found(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    # 市自然资源局 is one word of the dictionary; its part 自然资源局 (another word) must find it too.
    _term(session, city, "市自规局", "市自然资源局", "department")
    _term(session, city, "自规局", "自然资源局", "department")
    _resource(session, city, "基础测绘成果信息", abstract="由市自然资源局汇交的基础测绘成果。")
    _resource(session, city, "户籍人口基本信息")
    assert _names(session, city, "自然资源局") == ["基础测绘成果信息"]
    assert _names(session, city, "自规局") == ["基础测绘成果信息"]


def test_pinyin_initials_of_a_run_of_words_and_of_an_abbreviation(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _term(session, city, "社保卡", "社会保障卡", "abbreviation")
    _resource(session, city, "住房公积金缴存信息")
    _resource(session, city, "社会保障卡信息")
    _resource(session, city, "中小学学生学籍信息")
    assert _names(session, city, "gjjjc") == ["住房公积金缴存信息"]  # 公积金缴存, not from the name's start
    assert _names(session, city, "xjxx") == ["中小学学生学籍信息"]
    assert _names(session, city, "sbk") == ["社会保障卡信息"]  # 社保卡, the abbreviation people say


def test_partial_matches_with_more_words_rank_first(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _resource(session, city, "养犬登记信息", abstract="记录养犬登记的登记日期、登记机关和登记证号。")
    _resource(session, city, "不动产权属信息", abstract="记录房屋的权利人、坐落和登记情况。")
    page = _page(session, city, "房屋 登记 抵押")  # nothing mentions 抵押
    assert page.fallback and [i.name for i in page.items] == ["不动产权属信息", "养犬登记信息"]


def test_a_typo_is_corrected_to_the_word_of_the_same_length(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _resource(session, city, "养老保险待遇领取信息")
    _resource(session, city, "城乡居民养老保险参保信息")
    page = _page(session, city, "养老保险待遇领区")
    assert page.suggestion == "养老保险待遇领取"  # not 养老保险待遇区 (a character dropped)
    assert [i.name for i in page.items] == ["养老保险待遇领取信息"]


def test_a_dictionary_word_typed_right_is_not_corrected(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _term(session, city, "户口本", "居民户口簿", "colloquial")
    _resource(session, city, "户籍人口基本信息")
    _resource(session, city, "户口迁移信息")
    page = _page(session, city, "户口本信息")
    assert page.suggestion == ""  # never 户基本信息 (口本信息 → 基本信息 would cut through 户口本)
    assert page.fallback and page.items[0].name == "户口迁移信息"  # 户口, a part of 户口本
