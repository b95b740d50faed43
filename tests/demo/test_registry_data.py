"""Tests for the base-registry data generator (tongban.demo.registry_data)."""

import csv
import datetime
import itertools
from collections import Counter, defaultdict

import pytest
from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc

from tongban.demo import registry_data as rd
from tongban.demo.catalog_data import RESOURCES
from tongban.demo.city import DEPARTMENTS, ENTERPRISES, REGIONS, birth_region_code, uscc
from tongban.identifiers import validate_resident_id, validate_uscc
from tongban.registries.validation import compile_schema, validate_row

N_PERSONS = 200_000
N_ENTITIES = 12_000  # full rows; credit codes are checked over N_CODES entities
N_CODES = 50_000
REGION_CODES = {region.code for region in REGIONS}
SNAPSHOT = datetime.date.fromisoformat(rd.SNAPSHOT_DATE)


@pytest.fixture(scope="module")
def persons() -> list[dict[str, str]]:
    return list(rd.population(N_PERSONS))


@pytest.fixture(scope="module")
def entities() -> list[dict[str, str]]:
    return list(rd.legal_entities(N_ENTITIES))


def _resource(kind: str):
    provider, name, _, _ = rd.RESOURCE_MATCHES[kind]
    return next(r for r in RESOURCES if r.provider == provider and r.name == name)


def _age(birth: str) -> int:
    return SNAPSHOT.year - int(birth[:4])


# --- shapes and ingestion ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "columns"),
    [
        ("population", rd.POPULATION_COLUMNS),
        ("legal_entities", rd.LEGAL_ENTITY_COLUMNS),
        ("credit", rd.TAX_CREDIT_COLUMNS),
        ("social_security", rd.SOCIAL_SECURITY_COLUMNS),
    ],
)
def test_columns_are_the_demo_resource_items_plus_extras(kind: str, columns: tuple[str, ...]) -> None:
    resource = _resource(kind)
    _, _, keys, extras = rd.RESOURCE_MATCHES[kind]
    assert list(columns) == [item.key for item in resource.items] + list(extras)
    assert tuple(item.key for item in resource.items if item.is_key) == keys


def test_generated_rows_pass_the_ingestion_checks_of_their_resource(entities: list[dict[str, str]]) -> None:
    samples = {
        "population": list(rd.population(3000)),
        "legal_entities": entities[:3000],
        "credit": list(rd.credit_records(3000)),
        "social_security": list(rd.social_security(2000)),
    }
    for kind, rows in samples.items():
        schema = compile_schema(_resource(kind).items)
        columns = rd.KINDS[kind][1]
        keys = set()
        for row in rows:
            assert list(row) == list(columns)
            assert all(isinstance(value, str) for value in row.values())
            key, _ = validate_row(schema, row)  # raises RowRejected with the reasons
            keys.add(key)
        assert len(keys) == len(rows), f"{kind}: duplicate record keys"


# --- population ----------------------------------------------------------------


def test_population_resident_ids_are_valid_and_unique(persons: list[dict[str, str]]) -> None:
    ids = [person["id_number"] for person in persons]
    assert len(set(ids)) == N_PERSONS
    for number in ids:
        assert validate_resident_id(number, today=SNAPSHOT) == number
    # stdnum also checks that the region code existed in the birth year.
    for number in ids[::97]:
        assert ric.is_valid(number), number


def test_population_id_agrees_with_gender_birth_date_and_region(persons: list[dict[str, str]]) -> None:
    for person in persons:
        number = person["id_number"]
        birth = person["birth_date"]
        assert number[6:14] == birth.replace("-", "")
        assert person["gender"] == ("男" if int(number[16]) % 2 else "女")
        assert person["reg_region"] in REGION_CODES
        assert number[:6] == birth_region_code(person["reg_region"], datetime.date.fromisoformat(birth))
        assert person["reg_address"].startswith("陕西省安康市")
        assert person["birthplace"] == "陕西省安康市" + rd._REGION_NAME[person["reg_region"]]
        assert person["nation"] in rd.NATIONS
        assert person["education"] in rd.EDUCATION_LEVELS
        assert person["marital_status"] in rd.MARITAL_STATUSES
        assert person["relation_to_head"] in rd.RELATIONS
        assert person["household_type"] in rd.HOUSEHOLD_TYPES
        assert 2 <= len(person["name"]) <= 4
        assert person["phone"] == "" or (len(person["phone"]) == 11 and person["phone"][0] == "1")
        assert 0 <= _age(birth) <= 100


def test_population_distributions_are_plausible(persons: list[dict[str, str]]) -> None:
    counties = Counter(person["reg_region"] for person in persons)
    assert counties.most_common(1)[0][0] == "610902"  # 汉滨区 is the largest
    assert len(counties) == 10
    genders = Counter(person["gender"] for person in persons)
    assert 0.45 < genders["男"] / N_PERSONS < 0.55
    ages = [_age(person["birth_date"]) for person in persons]
    share_30_60 = sum(30 <= age < 60 for age in ages) / N_PERSONS
    assert 0.35 < share_30_60 < 0.55
    assert sum(age >= 90 for age in ages) < 0.01 * N_PERSONS
    assert Counter(person["nation"] for person in persons).most_common(1)[0][0] == "01"
    surnames = Counter(person["name"][0] for person in persons)
    assert {surname for surname, _ in surnames.most_common(5)} == {"王", "李", "张", "刘", "陈"}
    assert 0.1 < sum(person["phone"] == "" for person in persons) / N_PERSONS < 0.5


def test_households_are_consistent(persons: list[dict[str, str]]) -> None:
    households: dict[str, list[dict[str, str]]] = defaultdict(list)
    seen_done: set[str] = set()
    previous = None
    for person in persons:
        number = person["household_no"]
        if number != previous:  # members of a household are adjacent
            assert number not in seen_done
            if previous is not None:
                seen_done.add(previous)
            previous = number
        households[number].append(person)
    sizes = Counter(len(members) for members in households.values())
    assert set(sizes) <= {1, 2, 3, 4, 5, 6}
    assert 2.0 < N_PERSONS / len(households) < 3.2
    for members in households.values():
        heads = [m for m in members if m["relation_to_head"] == "02"]
        assert len(heads) == 1
        head = heads[0]
        head_age = _age(head["birth_date"])
        assert head_age >= 16
        for m in members:
            assert m["household_head"] == head["name"]
            assert m["reg_address"] == head["reg_address"]
            assert m["reg_region"] == head["reg_region"]
            relation, age = m["relation_to_head"], _age(m["birth_date"])
            if relation in ("11", "12"):
                assert m["gender"] != head["gender"] and abs(age - head_age) <= 9
                assert m["marital_status"] == head["marital_status"] == "20"
                assert (relation == "12") == (m["gender"] == "女")
            elif relation[0] in "23" and relation != "38":
                assert head_age - age >= 15
                assert (relation[0] == "3") == (m["gender"] == "女")
            elif relation in ("41", "42"):
                assert head_age - age >= 35
            elif relation in ("51", "52"):
                assert age - head_age >= 15
                assert (relation == "52") == (m["gender"] == "女")
            if age < 18:
                assert m["marital_status"] == "10"


def test_person_at_equals_the_population_row(persons: list[dict[str, str]]) -> None:
    indices = [0, 1, 63, 64, 65, 127, 128, 4095, 4096, 99_999, N_PERSONS - 1]
    indices += list(range(12_345, N_PERSONS, 17_011))
    for index in indices:
        assert rd.person_at(index) == persons[index]
    # A copy: changing it does not change the next answer.
    person = rd.person_at(5)
    person["name"] = "改"
    assert rd.person_at(5) == persons[5]
    # Far beyond any generated file, without generating it.
    far = rd.person_at(5_299_999)
    assert validate_resident_id(far["id_number"], today=SNAPSHOT)
    with pytest.raises(ValueError):
        rd.person_at(-1)


def test_population_is_deterministic_and_seeded() -> None:
    first = list(rd.population(1000))
    assert list(rd.population(1000)) == first
    assert list(rd.population(130)) == first[:130]
    other = list(rd.population(1000, seed=7))
    assert other != first
    assert len({p["id_number"] for p in other}) == 1000
    assert list(rd.population(0)) == []
    with pytest.raises(ValueError):
        list(rd.population(-1))


def test_population_is_a_lazy_stream() -> None:
    stream = rd.population(10**9)
    assert len(list(itertools.islice(stream, 200))) == 200


# --- legal entities ------------------------------------------------------------


def test_entity_credit_codes_are_valid_and_unique(entities: list[dict[str, str]]) -> None:
    # The codes do not depend on the legal representatives, so they are taken from the entity
    # records without building the representatives' population blocks.
    codes = [rd._entity(2027, index).uscc for index in range(N_CODES)]
    assert codes[:N_ENTITIES] == [entity["uscc"] for entity in entities]
    assert len(set(codes)) == N_CODES
    for code in codes:
        assert validate_uscc(code) == code
        assert code[0] == "9" and code[1] in "123"
        assert code[2:8] in REGION_CODES
    for code in codes[::101]:
        assert stdnum_uscc.is_valid(code), code
    # The fast USCC builder agrees with tongban.demo.city.uscc.
    for code in codes[::997]:
        assert rd._uscc(code[0], code[1], code[2:8], code[8:16]) == uscc(code[0], code[1], code[2:8], code[8:16])
    seeded = {d.uscc for d in DEPARTMENTS} | {e.uscc for e in ENTERPRISES}
    assert seeded.isdisjoint(codes)


def test_entity_types_and_codes_agree(entities: list[dict[str, str]]) -> None:
    types = Counter(entity["entity_type"] for entity in entities)
    assert types["个体工商户"] > 0 and types["农民专业合作社"] > 0
    assert sum(count for kind, count in types.items() if "有限责任公司" in kind) > N_ENTITIES / 3
    statuses = Counter(entity["reg_status"] for entity in entities)
    assert statuses["存续"] > statuses["注销"] > 0 and statuses["吊销"] > 0 and statuses["在业"] > 0
    for entity in entities:
        code, kind, name = entity["uscc"], entity["entity_type"], entity["entity_name"]
        if kind == "个体工商户":
            assert code[1] == "2"
        elif kind == "农民专业合作社":
            assert code[1] == "3" and name.endswith("专业合作社")
        else:
            assert code[1] == "1"
        if kind.startswith("有限责任公司"):
            assert name.endswith("有限公司") or name.endswith("有限责任公司")
        # Codes assigned since the 2015 reform start with MA.
        assert code[8:10] == "MA" if entity["established_date"] >= "2015-10-01" else code[8:16].isdigit()
        assert entity["established_date"] <= entity["approval_date"] <= rd.SNAPSHOT_DATE
        assert entity["business_term_to"] > entity["established_date"]
        assert float(entity["reg_capital"]) > 0
        assert entity["domicile"].startswith("陕西省安康市")
        assert len(entity["industry_code"]) == 5
        assert entity["reg_authority"].endswith("市场监督管理局")


def test_legal_representatives_are_persons_of_the_population(
    entities: list[dict[str, str]], persons: list[dict[str, str]]
) -> None:
    reps = Counter(entity["legal_rep_id"] for entity in entities)
    assert max(reps.values()) <= 2  # reps are mostly distinct people
    for entity in entities:
        assert validate_resident_id(entity["legal_rep_id"], today=SNAPSHOT)
    for index in range(0, N_ENTITIES, 7):
        person_index = rd.representative_index(index)
        assert person_index < rd.persons_needed(index + 1)
        person = rd.person_at(person_index)
        assert person["id_number"] == entities[index]["legal_rep_id"]
        assert person["name"] == entities[index]["legal_rep"]
        assert 23 <= _age(person["birth_date"]) <= 68
    # The representatives of the first entities are rows of a population file of persons_needed rows.
    needed = rd.persons_needed(N_ENTITIES)
    assert needed <= N_PERSONS
    ids = {person["id_number"] for person in persons[:needed]}
    assert all(entity["legal_rep_id"] in ids for entity in entities)


def test_entity_at_equals_the_stream_and_is_deterministic(entities: list[dict[str, str]]) -> None:
    for index in (0, 1, 5, 6, 777, 9_876, N_ENTITIES - 1):
        assert rd.entity_at(index) == entities[index]
    assert list(rd.legal_entities(300)) == entities[:300]
    other = list(rd.legal_entities(300, seed=99))
    assert {e["uscc"] for e in other}.isdisjoint({e["uscc"] for e in entities[:300]})


# --- credit and social security ---------------------------------------------------


def test_tax_credit_records_reference_entities() -> None:
    rows = list(rd.credit_records(5000))
    assert len(rows) == 5000
    assert len({(row["uscc"], row["evaluation_year"]) for row in rows}) == 5000
    by_code = {entity["uscc"]: entity for entity in rd.legal_entities(5000)}
    ranges = {"A": (90, 100), "B": (70, 90), "M": (70, 90), "C": (40, 70), "D": (0, 40)}
    for row in rows:
        entity = by_code[row["uscc"]]
        assert entity["entity_type"] != "个体工商户"
        assert row["entity_name"] == entity["entity_name"]
        assert entity["established_date"][:4] <= row["evaluation_year"] <= "2024"
        low, high = ranges[row["tax_credit_level"]]
        assert low <= float(row["credit_score"]) < high
        assert row["tax_authority"].startswith("国家税务总局")
    levels = Counter(row["tax_credit_level"] for row in rows)
    assert set(levels) == set("ABMCD") and levels["B"] == max(levels.values())
    assert list(rd.credit_records(100)) == rows[:100]


def test_social_security_records_reference_persons_and_employers() -> None:
    rows = list(rd.social_security(3000, entity_count=500))
    assert len(rows) == 3000
    assert len({row["id_number"] for row in rows}) == 3000
    people = {person["id_number"]: person for person in rd.population(6 * 3000)}
    employers = {entity["uscc"]: entity for entity in rd.legal_entities(500)}
    for row in rows:
        person = people[row["id_number"]]
        assert row["name"] == person["name"]
        assert employers[row["unit_uscc"]]["entity_name"] == row["insured_unit"]
        assert row["first_insured_date"] >= "1995-01-01"
        assert row["first_insured_date"] > person["birth_date"]
        age = _age(person["birth_date"])
        assert age >= 18
        assert (row["insured_status"] == "退休") == (age >= (55 if person["gender"] == "女" else 60))
        assert int(row["contribution_months"]) >= 0
        assert 4000 < float(row["contribution_base"]) <= 22_470
    assert list(rd.social_security(50, entity_count=500)) == rows[:50]


# --- files ---------------------------------------------------------------------------


def test_write_csv_round_trip(tmp_path) -> None:
    rows = list(rd.population(500))
    path = tmp_path / "population.csv"
    assert rd.write_csv(iter(rows), path) == 500
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == list(rd.POPULATION_COLUMNS)
        assert list(reader) == rows
    # Selected columns, in the given order; keys not listed are left out.
    subset = tmp_path / "subset.csv"
    assert rd.write_csv(rows, subset, columns=["name", "id_number"]) == 500
    with subset.open(encoding="utf-8", newline="") as handle:
        assert list(csv.DictReader(handle)) == [{"name": r["name"], "id_number": r["id_number"]} for r in rows]
    # Missing keys are written as empty values; one column works too.
    ragged = tmp_path / "ragged.csv"
    assert rd.write_csv([{"a": "1", "b": "2"}, {"a": "3"}], ragged, columns=["b", "a"]) == 2
    with ragged.open(encoding="utf-8", newline="") as handle:
        assert list(csv.DictReader(handle)) == [{"b": "2", "a": "1"}, {"b": "", "a": "3"}]
    single = tmp_path / "single.csv"
    assert rd.write_csv(rows[:3], single, columns=["id_number"]) == 3
    assert single.read_text(encoding="utf-8").split() == ["id_number"] + [r["id_number"] for r in rows[:3]]
    empty = tmp_path / "empty.csv"
    assert rd.write_csv([], empty, columns=rd.TAX_CREDIT_COLUMNS) == 0
    assert empty.read_text(encoding="utf-8").strip() == ",".join(rd.TAX_CREDIT_COLUMNS)


@pytest.mark.parametrize("kind", sorted(rd.KINDS))
def test_main_writes_a_file(kind: str, tmp_path, capsys) -> None:
    out = tmp_path / f"{kind}.csv"
    assert rd.main([kind, "120", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 120
    assert list(rows[0]) == list(rd.KINDS[kind][1])
    generator = rd.KINDS[kind][0]
    assert rows == list(generator(120))
    assert "rows/s" in capsys.readouterr().err
