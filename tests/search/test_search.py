"""The search component: dictionary readings, department names, pinyin initials, typos, fallback,
ranking and highlighting, on the catalog (kind "catalog") and on a kind of its own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import actor_of, published_resource
from tongban import search
from tongban.catalog import service as catalog
from tongban.catalog.schemas import ItemIn
from tongban.search import service as terms
from tongban.search import text
from tongban.search.models import SearchTerm
from tongban.search.schemas import TermIn


def _term(session: Session, city, word: str, official: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    terms.add_term(session=session, actor=actor_of(city.users["admin"]),
                   term_in=TermIn(word=word, official=official, kind=kind, source="测试"))


def _resource(session: Session, city, name: str, abstract: str = "用于业务协同。", officer: str = "hrss_data"):  # type: ignore[no-untyped-def]
    return published_resource(session, city.users[officer], name=name, abstract=abstract,
                              items=[ItemIn(name="统一社会信用代码", key="uscc", data_type="credit_code", is_key=True,
                                            sensitivity="public")])


def _names(session: Session, city, q: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.name for i in catalog.browse(session=session, actor=actor_of(city.users["amr_clerk"]), q=q).items]


def test_colloquial_words_and_synonyms_reach_the_official_term(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _resource(session, city, "居民户口簿信息")
    _resource(session, city, "基本养老金发放信息")
    before = catalog.browse(session=session, actor=actor_of(city.users["amr_clerk"]), q="户口本")
    assert before.expanded == []  # found through the sub-word 户口 only
    _term(session, city, "户口本", "居民户口簿", "colloquial")
    _term(session, city, "养老钱", "基本养老金", "synonym")
    page = catalog.browse(session=session, actor=actor_of(city.users["amr_clerk"]), q="户口本")
    assert [i.name for i in page.items] == ["居民户口簿信息"]
    assert page.expanded == ["户口本 → 居民户口簿"] and not page.fallback and not page.suggestion
    assert _names(session, city, "养老钱") == ["基本养老金发放信息"]
    assert _names(session, city, "居民户口簿") == ["居民户口簿信息"]  # the original word still works


def test_abbreviations_both_ways(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _term(session, city, "社保", "社会保险", "abbreviation")
    _resource(session, city, "社会保险参保登记信息")
    _resource(session, city, "社保卡发放信息")
    assert set(_names(session, city, "社保")) == {"社会保险参保登记信息", "社保卡发放信息"}
    assert "社保卡发放信息" in _names(session, city, "社会保险")


def test_department_names_and_short_forms(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _resource(session, city, "市场主体登记信息", officer="amr_data")
    _resource(session, city, "城乡居民养老保险参保信息")
    assert _names(session, city, "安康市市场监督管理局") == ["市场主体登记信息"]
    assert _names(session, city, "市场监督管理局") == ["市场主体登记信息"]  # the department's short_name
    _term(session, city, "市监局", "安康市市场监督管理局", "department")
    assert _names(session, city, "市监局") == ["市场主体登记信息"]
    assert _names(session, city, "市监局 市场主体") == ["市场主体登记信息"]


def test_situation_phrases(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _resource(session, city, "就业登记信息", abstract="劳动者就业、失业登记及就业创业证信息。")
    _resource(session, city, "高校毕业生就业服务信息")
    _term(session, city, "刚毕业找工作", "高校毕业生就业", "situation")
    _term(session, city, "刚毕业找工作", "就业登记", "situation")
    found = _names(session, city, "刚毕业找工作")
    assert set(found) == {"就业登记信息", "高校毕业生就业服务信息"}
    assert set(_names(session, city, "我刚毕业找工作怎么办")) == set(found)  # filler words dropped


def test_pinyin_initials(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _resource(session, city, "企业营业执照登记信息", officer="amr_data")
    _resource(session, city, "户籍人口基本信息")
    result = search.query(session, "catalog", "yyzz")
    assert [h.name for h in result.hits] == ["企业营业执照登记信息"]
    assert str(result.hits[0].name_html) == "企业<mark>营业执照</mark>登记信息"
    assert _names(session, city, "hjrk") == ["户籍人口基本信息"]


def test_typo_gets_a_suggestion_and_its_results(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _resource(session, city, "企业营业执照登记信息", officer="amr_data")
    _resource(session, city, "户籍人口基本信息")
    page = catalog.browse(session=session, actor=actor_of(city.users["amr_clerk"]), q="营业执招")  # same sound
    assert page.suggestion == "营业执照" and [i.name for i in page.items] == ["企业营业执照登记信息"]
    page = catalog.browse(session=session, actor=actor_of(city.users["amr_clerk"]), q="户籍人囗")  # one char off
    assert page.suggestion == "户籍人口" and [i.name for i in page.items] == ["户籍人口基本信息"]
    assert catalog.browse(session=session, actor=actor_of(city.users["amr_clerk"]), q="营业执照").suggestion == ""


def test_no_match_falls_back_to_partial_matches(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _resource(session, city, "企业营业执照登记信息", officer="amr_data")
    page = catalog.browse(session=session, actor=actor_of(city.users["amr_clerk"]), q="营业执照 火箭发射")
    assert page.fallback and [i.name for i in page.items] == ["企业营业执照登记信息"]
    assert _names(session, city, "火箭发射") == []  # nothing at all: still empty, no error


def test_exact_and_prefix_name_matches_rank_first(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _resource(session, city, "城镇职工失业保险金申领信息", abstract="失业保险 失业保险 失业保险待遇。")
    _resource(session, city, "失业保险金申领信息")
    _resource(session, city, "失业保险")
    assert _names(session, city, "失业保险") == ["失业保险", "失业保险金申领信息", "城镇职工失业保险金申领信息"]


def test_highlighting_escapes_html(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    search.index(session, "test", 1, name="<b>营业执照</b>办理", abstract='a & "b" 营业执照 <script>x</script>')
    session.commit()
    hit = search.query(session, "test", "营业执照").hits[0]
    assert str(hit.name_html) == "&lt;b&gt;<mark>营业执照</mark>&lt;/b&gt;办理"
    assert str(hit.abstract_html) == ("a &amp; &#34;b&#34; <mark>营业执照</mark> &lt;script&gt;x&lt;/script&gt;")
    assert hit.name_spans == [(3, 7)]
    assert search.query(session, "test", "<mark>").hits == []


def test_a_dictionary_change_reloads_the_segmenter(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    _resource(session, city, "社会保险与住房公积金缴存信息")
    assert _names(session, city, "社会保险与住房公积金缴存信息") == ["社会保险与住房公积金缴存信息"]
    assert "五险一金" not in text.current().tokens("我的五险一金", for_search=False)
    _term(session, city, "五险一金", "社会保险与住房公积金", "abbreviation")
    assert _names(session, city, "五险一金") == ["社会保险与住房公积金缴存信息"]
    assert "五险一金" in text.current().tokens("我的五险一金", for_search=False)
    # Deactivated: the next search reloads without the word (a fresh segmenter; rjieba cannot forget).
    term_id = session.execute(select(SearchTerm.id).where(SearchTerm.word == "五险一金")).scalar_one()
    terms.set_active(session=session, actor=actor_of(city.users["admin"]), term_id=term_id, active=False)
    assert _names(session, city, "五险一金") == []
    assert "五险一金" not in text.current().tokens("我的五险一金", for_search=False)


def test_the_vocabulary_sees_this_process_at_once_and_other_processes_after_its_recheck(  # type: ignore[no-untyped-def]
        session: Session, city, monkeypatch) -> None:
    """"Did you mean" words are cached per process: a write through the index is seen at once; a document another
    process indexed (here: rows written without this process's index code) once the recheck interval has passed."""
    from sqlalchemy import text as sql

    from tongban.search import engine

    monkeypatch.setattr(engine, "VOCABULARY_RECHECK_SECONDS", 3600.0)
    _resource(session, city, "企业营业执照登记信息", officer="amr_data")
    assert catalog.browse(session=session, actor=actor_of(city.users["amr_clerk"]), q="营业执招").suggestion == "营业执照"
    _resource(session, city, "户籍人口基本信息")  # this process's write: no waiting
    assert catalog.browse(session=session, actor=actor_of(city.users["amr_clerk"]), q="户籍人囗").suggestion == "户籍人口"
    # Another process's document (the index rows as it writes them; the search_tsv/search_fts rows do not
    # matter to the vocabulary, which reads names).
    session.execute(sql("INSERT INTO search_documents (kind, doc_id, name, abstract, body, tags, aliases, boost, "
                        "updated_at) VALUES ('catalog', 999999, '排污许可证核发信息', '', '', '', '', 0, "
                        "CURRENT_TIMESTAMP)"))
    session.commit()
    assert "排污许可证核发信息" not in engine.vocabulary(session, "catalog").words  # trusted until the recheck
    monkeypatch.setattr(engine, "VOCABULARY_RECHECK_SECONDS", 0.0)
    assert "排污许可证核发信息" in engine.vocabulary(session, "catalog").words
