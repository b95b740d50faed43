"""The seal pages' read models, called directly: who may open them and what each actor gets."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of
from tongban.errors import Forbidden, NotFound
from tongban.seals import queries
from tongban.seals import service as seals


def _seal(session: Session, city: SmallCity, department_id: int, kind: str, ca_source: str = "own") -> seals.Seal:
    return seals.create_seal(session=session, actor=actor_of(city.users["admin"]), seal_in=seals.SealCreate(
        department_id=department_id, kind=kind, ca_source=ca_source))


def test_seals_home_is_the_platform_admins(session: Session, city: SmallCity) -> None:
    amr = _seal(session, city, city.amr.id, "licence")
    hrss = _seal(session, city, city.hrss.id, "official", ca_source="external")
    home = queries.seals_home(session, actor_of(city.users["admin"]))
    assert [s.id for s in home.seals] == [hrss.id, amr.id]  # newest first, every department's
    # The platform's own CA was set up by the first seal: its root and issuing certificates are listed.
    assert {c.role for c in home.cas} >= {"root", "issuing"} and {c.source for c in home.cas} == {"own"}
    assert {d.id for d in home.departments} == {city.data_bureau.id, city.amr.id, city.hrss.id}
    assert home.max_years == seals.MAX_YEARS
    for who in ("supervisor", "amr_admin", "amr_reviewer", "citizen"):
        with pytest.raises(Forbidden):
            queries.seals_home(session, actor_of(city.users[who]))


def test_a_seal_picture_for_its_department_only(session: Session, city: SmallCity) -> None:
    seal = _seal(session, city, city.amr.id, "licence")
    assert queries.seal_picture(session, actor_of(city.users["amr_reviewer"]), seal.id).startswith("<svg")
    assert queries.seal_picture(session, actor_of(city.users["admin"]), seal.id) == seal.picture_svg
    for who in ("hrss_reviewer", "amr_data"):  # another department's issuer; a data officer issues nothing
        with pytest.raises(NotFound):
            queries.seal_picture(session, actor_of(city.users[who]), seal.id)


def test_certificate_requests_of_a_pending_seal(session: Session, city: SmallCity) -> None:
    seal = _seal(session, city, city.amr.id, "licence", ca_source="external")
    admin = actor_of(city.users["admin"])
    sm2 = queries.certificate_request(session, admin, seal.id, "sm2")
    pdf = queries.certificate_request(session, admin, seal.id, "pdf")
    assert sm2.filename == f"seal-{seal.es_id}-sm2.csr" and pdf.filename == f"seal-{seal.es_id}-pdf.csr"
    assert sm2.pem.startswith("-----BEGIN CERTIFICATE REQUEST-----") and sm2.pem != pdf.pem
    with pytest.raises(NotFound):
        queries.certificate_request(session, admin, seal.id, "rsa")
    with pytest.raises(NotFound):
        queries.certificate_request(session, admin, seal.id + 1000, "sm2")
    # The department's issuer sees the seal but may not ask for its certificates.
    with pytest.raises(Forbidden):
        queries.certificate_request(session, actor_of(city.users["amr_reviewer"]), seal.id, "sm2")
