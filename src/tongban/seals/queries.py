"""Read models of the seal pages (电子印章管理): one function per page, everything its template shows.

None of them writes. Who sees which seal stays in service.list_seals / service.get_seal; the CA
certificates are crypto.ca's (platform admins only, like the JSON API).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tongban.authz import Actor, Permission
from tongban.crypto import ca
from tongban.crypto.models import CaCertificate
from tongban.errors import NotFound
from tongban.org import service as org
from tongban.seals import service
from tongban.seals.models import Seal


@dataclass(frozen=True)
class SealsHome:
    seals: list[Seal]
    #: The CA certificates on record (trusted and retired).
    cas: list[CaCertificate]
    #: The departments the 制作电子印章 form offers: the active ones.
    departments: list[Any]
    max_years: int = service.MAX_YEARS


def seals_home(session: Session, actor: Actor) -> SealsHome:
    """电子印章管理 (platform admins): every seal, the trusted CA certificates and the make-a-seal form."""
    actor.require(Permission.SEAL_MANAGE)
    departments, _ = org.list_departments(session=session, actor=actor, size=1000)
    return SealsHome(seals=service.list_seals(session=session, actor=actor),
                     cas=ca.list_certificates(session=session, actor=actor),
                     departments=[d for d in departments if d.status == "active"])


def seal_picture(session: Session, actor: Actor, seal_id: int) -> str:
    """The seal's picture (SVG) for those who may see the seal."""
    return service.get_seal(session=session, actor=actor, seal_id=seal_id).picture_svg


@dataclass(frozen=True)
class CertificateRequestFile:
    """One PKCS#10 request of a pending seal, as the file handed to the external CA."""

    filename: str
    pem: str


REQUEST_KINDS = ("sm2", "pdf")


def certificate_request(session: Session, actor: Actor, seal_id: int, which: str) -> CertificateRequestFile:
    """The SM2 or the PDF-signing certificate request of a seal waiting for an external CA."""
    if which not in REQUEST_KINDS:
        raise NotFound("证书请求只有 sm2 和 pdf 两种。")
    seal = service.get_seal(session=session, actor=actor, seal_id=seal_id)
    requests = service.certificate_requests(session=session, actor=actor, seal_id=seal_id)
    return CertificateRequestFile(filename=f"seal-{seal.es_id}-{which}.csr",
                                  pem=requests.sm2 if which == "sm2" else requests.pdf)
