"""Names of the objects the audit log refers to, for the pages that list audit entries.

Registered into `tongban.audit.labels` here, in the web layer, because only the layer above the
domains may know all of their tables (audit sits below them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit.labels import register_resolver
from tongban.cases.models import Case
from tongban.catalog.models import Classification, InformationResource
from tongban.crypto.models import CaCertificate
from tongban.documents.models import Document
from tongban.items.models import BasicItem, Bundle, Implementation
from tongban.jobs.models import Job
from tongban.jobs.registry import label_of
from tongban.licences.models import Licence, LicenceType
from tongban.org.models import ApiKey, AppClient, Department, Region, User
from tongban.seals.models import Seal
from tongban.search.models import SearchTerm
from tongban.sharing.models import Grant, SharingRequest


def _int_ids(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit() and len(i) < 18]


def _by_id(column_id: Any, column_name: Any) -> Any:
    def resolve(session: Session, ids: list[str]) -> Mapping[str, str]:
        rows = session.execute(select(column_id, column_name).where(column_id.in_(_int_ids(ids))))
        return {str(i): str(n) for i, n in rows}
    return resolve


def _by_key(column_key: Any, column_name: Any) -> Any:
    def resolve(session: Session, ids: list[str]) -> Mapping[str, str]:
        rows = session.execute(select(column_key, column_name).where(column_key.in_(ids)))
        return {str(k): f"{n}（{k}）" for k, n in rows}
    return resolve


def _users(session: Session, ids: list[str]) -> Mapping[str, str]:
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(_int_ids(ids))))
    return {str(i): n for i, n in rows}


def _grants(session: Session, ids: list[str]) -> Mapping[str, str]:
    rows = session.execute(
        select(Grant.id, SharingRequest.number, InformationResource.name)
        .join(SharingRequest, SharingRequest.id == Grant.request_id)
        .join(InformationResource, InformationResource.id == Grant.resource_id)
        .where(Grant.id.in_(_int_ids(ids))))
    return {str(i): f"{resource}（共享申请 {number}）" for i, number, resource in rows}


def _licences(session: Session, ids: list[str]) -> Mapping[str, str]:
    rows = session.execute(select(Licence.id, LicenceType.name, Licence.number)
                           .join(LicenceType, LicenceType.id == Licence.type_id)
                           .where(Licence.id.in_(_int_ids(ids))))
    return {str(i): f"{type_name} {number}" for i, type_name, number in rows}


def _seals(session: Session, ids: list[str]) -> Mapping[str, str]:
    rows = session.execute(select(Seal.id, Department.name, Seal.name)
                           .join(Department, Department.id == Seal.department_id)
                           .where(Seal.id.in_(_int_ids(ids))))
    return {str(i): f"{dept}{name}" for i, dept, name in rows}


def _api_keys(session: Session, ids: list[str]) -> Mapping[str, str]:
    rows = session.execute(select(ApiKey.id, AppClient.name, ApiKey.key_prefix)
                           .join(AppClient, AppClient.id == ApiKey.client_id)
                           .where(ApiKey.id.in_(_int_ids(ids))))
    return {str(i): f"{client} 的密钥 {prefix}…" for i, client, prefix in rows}


def _jobs(session: Session, ids: list[str]) -> Mapping[str, str]:
    rows = session.execute(select(Job.id, Job.name).where(Job.id.in_(_int_ids(ids))))
    return {str(i): f"{label_of(name)}（第 {i} 号）" for i, name in rows}


def _implementations(session: Session, ids: list[str]) -> Mapping[str, str]:
    rows = session.execute(select(Implementation.id, BasicItem.name, Department.name)
                           .join(BasicItem, BasicItem.id == Implementation.basic_item_id)
                           .join(Department, Department.id == Implementation.department_id)
                           .where(Implementation.id.in_(_int_ids(ids))))
    return {str(i): f"{item}（{dept}）" for i, item, dept in rows}


def _calendar_years(session: Session, ids: list[str]) -> Mapping[str, str]:
    return {i: f"{i} 年" for i in ids}


def _routes(session: Session, ids: list[str]) -> Mapping[str, str]:
    return {i: f"（{i}）" for i in ids}


def _search_terms(session: Session, ids: list[str]) -> Mapping[str, str]:
    rows = session.execute(select(SearchTerm.id, SearchTerm.word, SearchTerm.official)
                           .where(SearchTerm.id.in_(_int_ids(ids)))).all()
    return {str(i): f"{word} → {official}" for i, word, official in rows}


register_resolver("user", _users)
register_resolver("department", _by_id(Department.id, Department.name))
register_resolver("app_client", _by_id(AppClient.id, AppClient.name))
register_resolver("api_key", _api_keys)
register_resolver("region", _by_key(Region.code, Region.name))
register_resolver("resource", _by_key(InformationResource.code, InformationResource.name))
register_resolver("classification", _by_key(Classification.code, Classification.name))
register_resolver("sharing_request", lambda session, ids: {i: i for i in ids})  # the number is the name
register_resolver("data_dispute", lambda session, ids: {i: i for i in ids})


def _cases(session: Session, ids: list[str]) -> Mapping[str, str]:
    """A case is audited by its 办件编号 once it has one, by its row id as a draft before."""
    names = {i: i for i in ids if not i.isdigit()}
    drafts = _int_ids([i for i in ids if i.isdigit()])
    if not drafts:  # cases with their numbers only: nothing to read (the home page asked for an empty IN)
        return names
    for case_id, number in session.execute(select(Case.id, Case.number).where(Case.id.in_(drafts))):
        names[str(case_id)] = number or "办件草稿"
    return names


register_resolver("case", _cases)
register_resolver("document", _by_id(Document.id, Document.number))
register_resolver("grant", _grants)
register_resolver("licence_type", _by_id(LicenceType.id, LicenceType.name))
register_resolver("licence", _licences)
register_resolver("seal", _seals)
register_resolver("ca_certificate", _by_id(CaCertificate.id, CaCertificate.subject))
register_resolver("calendar_year", _calendar_years)
register_resolver("job", _jobs)
register_resolver("route", _routes)
register_resolver("basic_item", _by_key(BasicItem.code, BasicItem.name))
register_resolver("implementation", _implementations)
register_resolver("bundle", _by_key(Bundle.code, Bundle.name))
register_resolver("item_event", lambda session, ids: {i: i.split(":", 1)[-1] for i in ids})
register_resolver("search_term", _search_terms)
