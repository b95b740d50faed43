"""Portal search at real scale (1,200 published service items and the bundles) vs the bare full-text query.

The demo city (230 basic items, 10 bundles) is grown to `items` published basic items (default 1,200, a
prefecture city's published list) with generated items of city departments: names made of a real object
and a real action of the basic catalog (建筑起重机械 + 使用登记, 道路运输经营 + 许可变更 …), the texts of a
random demo implementation (conditions, materials, result), published through the items domain's own
builders and indexed by its indexing module, exactly as an item a department publishes.

Platform path: `portal.queries.search_services` (the /services/search page's read model: query
understanding with the dictionary, one ranked query over items and bundles, suggestion, top-up and
fallback, the items' departments and flags) over the judged portal queries (bench/search_queries.json),
after one warming pass, each computed (the results cache emptied before each) and kept (cached_*: asked again,
served from search/cache.py after its one-statement version check). Baseline: the bare full-text query
(FTS5 MATCH / tsvector @@ over the item and bundle kinds, ranked, top 36) of the same queries' plain words,
on the same database in the same run.
Prints one JSON line. Usage: .venv/bin/python bench/portal_search.py [items]
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

from _common import fresh_database, percentile
from sqlalchemy import select, text

from tongban.db import make_engine, make_session_factory
from tongban.demo import loader
from tongban.items import indexing, service
from tongban.items.models import BasicItem, Implementation, ImplementationVersion
from tongban.items.schemas import ImplementationIn
from tongban.org.models import Department
from tongban.search import engine as search_engine
from tongban.search import fulltext
from tongban.transactions import scope

ITEMS = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
HERE = Path(__file__).resolve().parent

OBJECTS = ["建筑起重机械", "道路运输经营", "危险货物运输", "特种设备", "食品生产", "药品经营", "医疗器械生产",
           "民办职业培训学校", "社会团体", "基金会", "养老机构", "托育机构", "公共场所", "放射诊疗", "饮用水供水单位",
           "出版物零售", "印刷经营", "电影放映", "文物保护工程", "种畜禽生产经营", "水产苗种生产", "农药生产",
           "肥料", "兽药生产", "植物检疫", "林草种子生产经营", "野生动物驯养繁殖", "采矿权", "探矿权", "地质灾害治理",
           "测绘资质", "城市供热", "燃气燃烧器具安装维修", "城镇排水", "建设工程质量检测", "房地产开发企业",
           "物业服务", "二手车交易市场", "成品油零售", "拍卖企业", "典当行", "旅行社分社", "导游", "娱乐场所",
           "互联网上网服务", "保安服务", "机动车维修", "驾驶员培训", "出租汽车", "网络预约出租汽车", "水路运输",
           "港口经营", "民用爆炸物品", "烟草专卖零售", "消防技术服务", "职业卫生技术服务", "安全评价", "计量器具",
           "检验检测机构", "律师事务所"]
ACTIONS = ["许可", "许可变更", "许可延续", "许可注销", "资质认定", "资质变更", "备案", "备案变更", "证书补发",
           "年度报告", "登记", "注销登记", "核准", "审批", "审查", "验收", "资格认定", "证照换发", "延期申请",
           "信息变更"]


def grow(session, target: int) -> int:  # type: ignore[no-untyped-def]
    """Add generated published items until `target` basic items have a live implementation."""
    with scope(session):
        have = session.execute(select(BasicItem).order_by(BasicItem.id)).scalars().all()
        if len(have) >= target:
            return len(have)
        rng = random.Random(13)
        shots = [dict(s) for (s,) in session.execute(
            select(ImplementationVersion.snapshot).join(
                Implementation, (Implementation.id == ImplementationVersion.implementation_id)
                & (ImplementationVersion.version == Implementation.published_version)))]
        depts = [d for d in session.execute(select(Department)).scalars() if d.region_code.endswith("00")
                 and ("局" in d.name or "中心" in d.name)]
        names = {b.name for b in have}
        combos = [o + a for o in OBJECTS for a in ACTIONS if o + a not in names]
        rng.shuffle(combos)
        new_ids = []
        for n, name in enumerate(combos[:target - len(have)]):
            shot = rng.choice(shots)
            basic = BasicItem(code=f"99{n:010d}", name=name, item_type=rng.choice(["行政许可", "行政备案", "公共服务"]),
                              legal_basis="《生成的测试事项》", levels=["市级"], high_frequency=False)
            session.add(basic)
            session.flush()
            data = ImplementationIn.model_validate({
                "basic_code": basic.code, "legal_days": 20, "promised_days": 10, "fee": "不收费",
                "conditions": shot.get("conditions") or ["符合相关规定"],
                "materials": [{k: m.get(k) for k in ("name", "source", "ref", "required", "note")}
                              for m in shot.get("materials", [])] or [{"name": "申请书", "source": "upload"}],
                "steps": shot.get("steps") or ["申请", "受理", "审查", "决定"], "visits": 0,
                "channels": ["网上办理"], "service_objects": shot.get("service_objects") or ["企业法人"],
                "consult_phone": "0915-3212345", "complaint_phone": "12345", "place": "市政务服务中心",
                "hours": "工作日 9:00-17:00", "online": True, "instant": False,
                "result_name": name.removesuffix("许可") + "许可证" if "许可" in name else "办理结果通知",
            })
            impl = service.build_implementation(session, None, basic, rng.choice(depts), data)
            service.mark_published(session, None, impl, note="生成")
            new_ids.append(basic.id)
        indexing.index_items(session, new_ids)
        fulltext.refresh_statistics(session)
    return len(have) + len(new_ids)


def main() -> None:
    url = fresh_database()
    engine = make_engine(url)
    session = make_session_factory(engine)()
    loader.load(session)
    session.commit()
    t0 = time.perf_counter()
    items = grow(session, ITEMS)
    grow_seconds = time.perf_counter() - t0
    session.close()
    queries = [q["q"] for q in json.loads((HERE / "search_queries.json").read_text(encoding="utf-8"))]

    from tongban.portal.queries import _searches, search_services

    dialect = engine.dialect.name
    kinds = (indexing.ITEM_KIND, indexing.BUNDLE_KIND)
    if dialect == "postgresql":
        bare = text("SELECT document_id FROM search_tsv WHERE doc @@ to_tsquery('simple', :q) "
                    "AND kind IN ('item', 'bundle') "
                    "ORDER BY ts_rank(doc, to_tsquery('simple', :q), 1) DESC LIMIT 36")
    else:
        bare = text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q AND kind IN ('item', 'bundle') "
                    "ORDER BY bm25(search_fts, 0.0, 10.0, 3.0, 2.0, 1.0, 5.0) LIMIT 36")
    render = fulltext.tsquery if dialect == "postgresql" else fulltext.fts5_query
    params = [render(search_engine.understand_plain(q)) for q in queries]
    bare_ms: list[float] = []
    with engine.connect() as conn:
        for p in params:
            conn.execute(bare, {"q": p}).all()  # warm-up
        for p in params:
            t1 = time.perf_counter()
            conn.execute(bare, {"q": p}).all()
            bare_ms.append((time.perf_counter() - t1) * 1000)

    session = make_session_factory(engine)()
    fn_ms: list[float] = []
    for q in queries:
        search_services(session, q)
        session.rollback()
    found = 0
    for q in queries:
        _searches.clear()  # the search computed, not kept from the warming pass (search/cache.py)
        t1 = time.perf_counter()
        page = search_services(session, q)
        fn_ms.append((time.perf_counter() - t1) * 1000)
        found += 1 if page.results else 0
        session.rollback()  # a read: end its transaction, as a request does
    cached_ms: list[float] = []
    for q in queries:
        search_services(session, q)
        session.rollback()
    for q in queries:
        t1 = time.perf_counter()
        search_services(session, q)  # the same words again: the version check and the kept page
        cached_ms.append((time.perf_counter() - t1) * 1000)
        session.rollback()
    session.close()
    print(json.dumps({
        "bench": "portal_search", "database": dialect, "published_items": items, "kinds": list(kinds),
        "queries": len(queries), "queries_with_results": found,
        "search_p50_ms": round(percentile(fn_ms, 50), 2), "search_p95_ms": round(percentile(fn_ms, 95), 2),
        "cached_p50_ms": round(percentile(cached_ms, 50), 2), "cached_p95_ms": round(percentile(cached_ms, 95), 2),
        "bare_p50_ms": round(percentile(bare_ms, 50), 2), "bare_p95_ms": round(percentile(bare_ms, 95), 2),
        "ratio_p95_search_to_bare": round(percentile(fn_ms, 95) / max(percentile(bare_ms, 95), 1e-6), 1),
        "grow_seconds": round(grow_seconds, 1),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
