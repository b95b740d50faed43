"""Ingest: bad rows reported with reasons and good rows published; interrupted loads leave the old data."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import published_resource
from tongban.authz import SYSTEM
from tongban.catalog.schemas import ItemIn
from tongban.db import make_session_factory
from tongban.demo.city import resident_id
from tongban.errors import InvalidTransition, ValidationFailed
from tongban.registries import ingest as registry
from tongban.registries.models import RegistryHead, RegistryLoad, RegistryRecord, RegistryStaging

ITEMS = [
    ItemIn(name="公民身份号码", key="id_number", data_type="resident_id", length=18, required=True, is_key=True,
           sensitivity="personal_sensitive"),
    ItemIn(name="姓名", key="name", length=50, required=True, sensitivity="sensitive"),
    ItemIn(name="出生日期", key="birth_date", data_type="date"),
    ItemIn(name="户籍地行政区划代码", key="region_code", data_type="region_code"),
    ItemIn(name="联系电话", key="phone", data_type="phone", sensitivity="personal_sensitive"),
]


@pytest.fixture
def population(session: Session, city):  # type: ignore[no-untyped-def]
    return published_resource(session, city.users["psb_data"] if "psb_data" in city.users else city.users["hrss_data"],
                              name="户籍人口基本信息（测试）", items=ITEMS)


def _ids(n: int, start: int = 0) -> list[str]:
    return [resident_id("610902", dt.date(1980, 1, 1) + dt.timedelta(days=start + i), 1 + (i % 500), i % 2 == 0)
            for i in range(n)]


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["id_number", "name", "birth_date", "region_code", "phone"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def _people(ids: list[str], name: str = "张") -> list[dict[str, str]]:
    return [{"id_number": i, "name": f"{name}{n}", "birth_date": f"{i[6:10]}-{i[10:12]}-{i[12:14]}",
             "region_code": "610902", "phone": "13912345678"} for n, i in enumerate(ids)]


def _records(session: Session, resource_id: int) -> dict[str, dict[str, str]]:
    session.expire_all()
    rows = session.execute(select(RegistryRecord).where(RegistryRecord.resource_id == resource_id,
                                                        RegistryRecord.deleted.is_(False))).scalars()
    return {r.record_key: (json.loads(r.data) if isinstance(r.data, str) else r.data) for r in rows}


def test_bad_rows_are_reported_and_good_rows_published(tmp_path: Path, engine: Engine, session: Session,
                                                       population) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(6)
    rows = _people(ids)
    rows[1]["id_number"] = ids[1][:-1] + ("0" if ids[1][-1] != "0" else "1")  # wrong check digit
    rows[2]["birth_date"] = "2023-02-30"
    rows[3]["name"] = ""
    rows[4]["phone"] = "12345"
    rows[5]["region_code"] = "61090"
    path = _write(tmp_path / "people.csv", rows)
    result = registry.ingest(factory=make_session_factory(engine), actor=SYSTEM, resource_code=population.code,
                             path=path)
    assert (result.rows_read, result.rows_rejected, result.rows_changed, result.records) == (6, 5, 1, 1)
    assert set(_records(session, population.id)) == {ids[0]}
    report = list(csv.reader(result.report_path.open(encoding="utf-8-sig")))  # type: ignore[union-attr]
    reasons = {(r[0], r[2]): r[3] for r in report[1:]}
    assert "校验位不正确" in reasons[("3", "公民身份号码")]
    assert "不存在" in reasons[("4", "出生日期")]
    assert reasons[("5", "姓名")] == "必填项为空"
    assert "电话号码" in reasons[("6", "联系电话")]
    assert "行政区划代码" in reasons[("7", "户籍地行政区划代码")]
    head = session.execute(select(RegistryHead)).scalar_one()
    assert head.records == 1 and head.version == 1


def test_upsert_changes_only_what_changed_and_sequences_grow(tmp_path: Path, engine: Engine, session: Session,
                                                           population) -> None:  # type: ignore[no-untyped-def]
    factory = make_session_factory(engine)
    ids = _ids(10)
    registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code,
                    path=_write(tmp_path / "a.csv", _people(ids)))
    first = {r.record_key: r.seq for r in session.execute(select(RegistryRecord)).scalars()}
    assert sorted(first.values()) == list(range(2, 12))  # row numbers 2..11 of the first load
    rows = _people(ids[:3]) + _people(_ids(2, start=100))
    rows[0]["name"] = "改名"
    result = registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code,
                             path=_write(tmp_path / "b.csv", rows))
    assert result.rows_changed == 3 and result.records == 12  # one changed, two new, two unchanged
    session.expire_all()
    after = {r.record_key: r.seq for r in session.execute(select(RegistryRecord)).scalars()}
    assert after[ids[1]] == first[ids[1]]  # unchanged record keeps its sequence number
    assert after[ids[0]] > max(first.values())
    assert _records(session, population.id)[ids[0]]["name"] == "改名"


def test_replace_marks_missing_records_deleted(tmp_path: Path, engine: Engine, session: Session,
                                               population) -> None:  # type: ignore[no-untyped-def]
    factory = make_session_factory(engine)
    ids = _ids(5)
    registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code,
                    path=_write(tmp_path / "a.csv", _people(ids)))
    result = registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code, mode="replace",
                             path=_write(tmp_path / "b.csv", _people(ids[:3])), allow_mass_delete=True)
    assert result.records == 3 and result.rows_changed == 2
    session.expire_all()
    deleted = session.execute(select(RegistryRecord).where(RegistryRecord.deleted.is_(True))).scalars().all()
    assert {r.record_key for r in deleted} == set(ids[3:])
    head = session.execute(select(RegistryHead)).scalar_one()
    assert head.last_seq == max(r.seq for r in deleted)


def test_repeated_keys_last_row_wins_on_every_way(tmp_path: Path, engine: Engine, session: Session,
                                                  population) -> None:  # type: ignore[no-untyped-def]
    """A first load on PostgreSQL is copied straight into the records; a file that repeats a key
    cannot be, and is read again through staging. Both databases end with the file's last rows."""
    factory = make_session_factory(engine)
    postgres = engine.dialect.name == "postgresql"
    ids = _ids(6)
    first = registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code,
                            path=_write(tmp_path / "a.csv", _people(ids[:4])))
    assert first.way == ("direct" if postgres else "staged") and first.records == 4
    # New keys repeated (5th), and an existing key repeated (1st): the last row of each wins.
    rows = _people([ids[4], ids[0], ids[4], ids[0], ids[5]])
    rows[2]["name"], rows[3]["name"] = "后来者", "改名"
    again = registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code,
                            path=_write(tmp_path / "b.csv", rows))
    assert again.way == "staged"  # the direct attempt met the repeated new key and started again
    assert (again.rows_read, again.duplicates, again.rows_changed, again.records) == (5, 2, 3, 6)
    records = _records(session, population.id)
    assert records[ids[4]]["name"] == "后来者" and records[ids[0]]["name"] == "改名"
    assert "主键重复" in again.report_path.read_text(encoding="utf-8-sig")  # type: ignore[union-attr]
    # Existing keys repeated but no new key repeated: a direct load on PostgreSQL, same answer.
    rows = _people([ids[1], ids[1]])
    rows[1]["name"] = "再改"
    third = registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code,
                            path=_write(tmp_path / "c.csv", rows))
    assert third.way == ("direct" if postgres else "staged")
    assert (third.duplicates, third.rows_changed) == (1, 1)
    assert _records(session, population.id)[ids[1]]["name"] == "再改"
    session.expire_all()
    seqs = sorted(r.seq for r in session.execute(select(RegistryRecord)).scalars())
    assert len(set(seqs)) == len(seqs)  # every change its own sequence number
    head = session.execute(select(RegistryHead)).scalar_one()
    assert head.last_seq == seqs[-1] and head.version == 3 and head.records == 6


def test_interrupted_load_leaves_the_old_version_served(tmp_path: Path, engine: Engine, session: Session,
                                                        population) -> None:  # type: ignore[no-untyped-def]
    factory = make_session_factory(engine)
    ids = _ids(20)
    registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code,
                    path=_write(tmp_path / "a.csv", _people(ids)))
    before = _records(session, population.id)
    with pytest.raises(RuntimeError, match="simulated interruption"):
        registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code, mode="replace",
                        path=_write(tmp_path / "b.csv", _people(_ids(20, start=500), name="新")), batch_size=5,
                        fail_after_rows=12)
    assert _records(session, population.id) == before  # nothing of the broken load is visible
    session.expire_all()
    loads = session.execute(select(RegistryLoad).order_by(RegistryLoad.id)).scalars().all()
    assert [x.status for x in loads] == ["published", "failed"]
    assert session.execute(select(RegistryStaging)).first() is None
    head = session.execute(select(RegistryHead)).scalar_one()
    assert head.version == 1 and head.records == 20


def test_xlsx_and_parquet_files(tmp_path: Path, engine: Engine, session: Session, population) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.parquet as pq
    from openpyxl import Workbook

    factory = make_session_factory(engine)
    ids = _ids(4)
    rows = _people(ids)
    wb = Workbook()
    ws = wb.active
    ws.append(["公民身份号码", "姓名", "出生日期", "户籍地行政区划代码", "联系电话"])  # Chinese headers work too
    for r in rows[:2]:
        ws.append([r["id_number"], r["name"], dt.date.fromisoformat(r["birth_date"]), int(r["region_code"]),
                   r["phone"]])
    wb.save(tmp_path / "p.xlsx")
    result = registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code, path=tmp_path / "p.xlsx")
    assert (result.rows_read, result.rows_rejected) == (2, 0)
    pq.write_table(pa.Table.from_pylist(rows[2:]), tmp_path / "p.parquet")
    result = registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code,
                             path=tmp_path / "p.parquet")
    assert (result.rows_read, result.rows_rejected, result.records) == (2, 0, 4)
    assert _records(session, population.id)[ids[0]]["birth_date"] == rows[0]["birth_date"]


def test_refusals(tmp_path: Path, engine: Engine, session: Session, city, population) -> None:  # type: ignore[no-untyped-def]
    factory = make_session_factory(engine)
    with pytest.raises(ValidationFailed, match="不支持的文件类型"):
        registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code, path=tmp_path / "x.json")
    interface_only = published_resource(session, city.users["hrss_data"], name="接口资源", share_methods=["interface"],
                                        items=ITEMS)
    with pytest.raises(InvalidTransition, match="库表"):
        registry.ingest(factory=factory, actor=SYSTEM, resource_code=interface_only.code,
                        path=_write(tmp_path / "a.csv", _people(_ids(1))))
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("id_number,name\n11010519491231002X,\xd5\xc5\n".encode("latin-1"))
    with pytest.raises(ValidationFailed, match="UTF-8"):
        registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code, path=bad)
    session.expire_all()
    assert session.execute(select(RegistryLoad.status)).scalars().all() == ["failed"]


# Issue 11.11: a replace load must not wipe a register by mistake.

def _published(session: Session) -> tuple[int, int]:
    session.expire_all()
    head = session.execute(select(RegistryHead)).scalar_one()
    return head.version, head.records


@pytest.mark.parametrize("content", ["", "id_number,name,birth_date,region_code,phone\n",
                                     "身份证,名字\n610902198001010011,张三\n"], ids=["empty", "header-only", "wrong-columns"])
def test_replace_with_an_empty_or_wrong_file_leaves_the_register(tmp_path: Path, engine: Engine, session: Session,
                                                                 population, content: str) -> None:  # type: ignore[no-untyped-def]
    factory = make_session_factory(engine)
    ids = _ids(20)
    registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code,
                    path=_write(tmp_path / "a.csv", _people(ids)))
    before = _records(session, population.id)
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code, path=bad, mode="replace")
    expected = {"": "file_empty", "身份证": "key_column_missing"}.get(content[:3].rstrip(",\n") or "", "mass_delete_refused")
    assert err.value.code == expected
    assert any("\u4e00" <= c <= "\u9fff" for c in err.value.message)  # said in Chinese
    assert _records(session, population.id) == before and _published(session) == (1, 20)
    session.expire_all()
    assert session.execute(select(RegistryLoad.status).order_by(RegistryLoad.id)).scalars().all() == ["published",
                                                                                                      "failed"]
    assert session.execute(select(RegistryStaging)).first() is None


def test_mass_delete_needs_explicit_confirmation(tmp_path: Path, engine: Engine, session: Session, population,
                                                 settings) -> None:  # type: ignore[no-untyped-def]
    factory = make_session_factory(engine)
    ids = _ids(20)
    registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code,
                    path=_write(tmp_path / "a.csv", _people(ids)))
    # Two of twenty (10%) may go; three (15%) may not, unless confirmed.
    with pytest.raises(ValidationFailed, match="--allow-mass-delete") as err:
        registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code, mode="replace",
                        path=_write(tmp_path / "b.csv", _people(ids[3:])))
    assert err.value.detail == {"would_delete": 3, "records": 20, "max_share": 0.1}
    assert _published(session) == (1, 20)
    ok = registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code, mode="replace",
                         path=_write(tmp_path / "c.csv", _people(ids[2:])))
    assert ok.records == 18
    confirmed = registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code, mode="replace",
                                path=_write(tmp_path / "d.csv", []), allow_mass_delete=True)
    assert confirmed.records == 0 and _published(session) == (3, 0)
    # The share is a setting.
    registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code,
                    path=_write(tmp_path / "e.csv", _people(ids)))
    settings.ingest_max_delete_share = 0.5
    half = registry.ingest(factory=factory, actor=SYSTEM, resource_code=population.code, mode="replace",
                           path=_write(tmp_path / "f.csv", _people(ids[:10])))
    assert half.records == 10


def test_upsert_without_the_key_column_is_refused(tmp_path: Path, engine: Engine, session: Session,
                                                  population) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "names.csv"
    bad.write_text("name,phone\n张三,13912345678\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="缺少主键列“公民身份号码”") as err:
        registry.ingest(factory=make_session_factory(engine), actor=SYSTEM, resource_code=population.code, path=bad)
    assert err.value.detail["missing"] == ["id_number"]


# Issue 11.12: a CSV field past the csv module's 128 KiB limit is a bad row, not a traceback.

def test_oversized_csv_field_is_reported_as_a_bad_row(tmp_path: Path, engine: Engine, session: Session,
                                                      population) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(3)
    rows = _people(ids)
    path = _write(tmp_path / "big.csv", rows[:1])
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write(f"{ids[1]},{'长' * 140_000},1980-01-02,610902,13912345678\r\n")
        f.write(f"{ids[2]},李四,{ids[2][6:10]}-{ids[2][10:12]}-{ids[2][12:14]},610902,13912345678\r\n")
    result = registry.ingest(factory=make_session_factory(engine), actor=SYSTEM, resource_code=population.code,
                             path=path)
    assert (result.rows_read, result.rows_rejected, result.records) == (3, 1, 2)
    assert set(_records(session, population.id)) == {ids[0], ids[2]}
    report = list(csv.reader(result.report_path.open(encoding="utf-8-sig")))  # type: ignore[union-attr]
    assert report[1][0] == "3" and "超过 128 KiB" in report[1][3]


# Issue 11.4 in ingest: full-width digits are the same key; control characters are refused.

def test_full_width_keys_are_one_person_and_control_characters_refused(tmp_path: Path, engine: Engine,
                                                                        session: Session, population) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(3)
    rows = _people(ids)
    wide = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    rows.append({**rows[0], "id_number": ids[0].translate(wide), "name": "张全角",
                 "region_code": "６１０９０２", "phone": "１３９１２３４５６７８"})
    rows[1]["name"] = "王\x00五"
    rows[2]["id_number"] = ids[2][:6] + "".join(chr(0x0660 + int(c)) for c in ids[2][6:14]) + ids[2][14:]
    result = registry.ingest(factory=make_session_factory(engine), actor=SYSTEM, resource_code=population.code,
                             path=_write(tmp_path / "u.csv", rows))
    records = _records(session, population.id)
    assert set(records) == {ids[0]} and result.duplicates == 1  # one person, stored under the ASCII key
    assert records[ids[0]] == {**records[ids[0]], "name": "张全角", "region_code": "610902", "phone": "13912345678"}
    reasons = {r[0]: r[3] for r in csv.reader(result.report_path.open(encoding="utf-8-sig"))}  # type: ignore[union-attr]
    assert "控制字符" in reasons["3"] and "半角" in reasons["4"]
