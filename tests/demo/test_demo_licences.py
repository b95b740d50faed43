"""The loaded demo licence library: every type the items take is issued, to the persons of the register."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.demo import city, items_data, registry_loader
from tongban.demo.licence_data import LICENCE_TYPES, NOT_ISSUED_IN_CITY
from tongban.demo.loader import DemoSummary
from tongban.items.reads import issued_licence_types, live_facts
from tongban.items.rules import counts, no_upload, once_only
from tongban.licences.models import Licence, LicenceType
from tongban.registries.models import RegistryRecord


def test_demo_licences_agree_with_the_register_and_free_the_items_materials(demo: DemoSummary, session: Session) -> None:

    # Every demo type is active and holds valid licences, each issued by one of the type's issuers.
    types = session.execute(select(LicenceType)).scalars().all()
    assert {t.name for t in types} == {s.name for s in LICENCE_TYPES}
    licences = session.execute(select(Licence)).scalars().all()
    for t in types:
        held = [lic for lic in licences if lic.type_id == t.id]
        assert held and all(lic.status == "valid" for lic in held), t.name
        issuers = {i.department_id for i in t.issuers}
        assert all(lic.issuer_department_id in issuers for lic in held), t.name

    # A person's licence names a person of the population register by the register's name and ID, and so
    # do the spouses and parents it names.
    population = registry_loader.register(session, "population")
    register = {r.record_key: r.data for r in session.execute(select(RegistryRecord).where(
        RegistryRecord.resource_id == population.id)).scalars()}
    for lic in licences:
        if lic.holder_code_type != "resident_id":
            continue
        assert register[lic.holder_code]["name"] == lic.holder_name, lic.identifier
        if "birth_date" in lic.data:
            assert lic.data["birth_date"] == register[lic.holder_code]["birth_date"]
        for role in ("husband", "wife", "mother", "father"):
            if lic.data.get(f"{role}_id"):
                assert register[lic.data[f"{role}_id"]]["name"] == lic.data[f"{role}_name"], lic.identifier
    first = city.CITIZENS[0]
    held_by_first = {lic.type.name for lic in licences if lic.holder_code == first.resident_id}
    assert {"居民身份证", "居民户口簿", "机动车驾驶证", "社会保障卡", "不动产权证书"} <= held_by_first

    # The once-only rate counts every licence-sourced material of an issued type as fetched; what is still
    # uploaded is exactly the listed types no department of the city issues.
    issued = issued_licence_types(session)
    assert set(items_data.REFERENCED_LICENCE_TYPES) - issued <= set(NOT_ISSUED_IN_CITY)
    facts = live_facts(session)
    still = {m.ref for f in facts for m in f.materials if counts(m) and m.source == "licence"
             and not no_upload(m, issued)}
    assert still and still <= set(NOT_ISSUED_IN_CITY)
    now = once_only(facts, issued)
    before = once_only(facts, frozenset(s.name for s in LICENCE_TYPES[:4]))
    assert now.rate is not None and before.rate is not None and now.rate > before.rate
