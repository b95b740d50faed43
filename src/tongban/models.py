"""Imports every domain's tables so that Base.metadata knows the whole schema."""

from tongban.audit.models import AuditChainHead, AuditEntry
from tongban.cases.models import Case, CaseEvent, CaseFee, CaseMaterial
from tongban.catalog.models import Classification, InformationItem, InformationResource, ResourceVersion
from tongban.crypto.models import CaCertificate, StoredKey
from tongban.disputes.models import DataDispute, DisputeAttachment
from tongban.documents.models import Document
from tongban.exchange.endpoint_models import ProviderEndpoint
from tongban.exchange.log_models import ExchangeLogEntry, ExchangeLogHead, ExchangeLogSubject
from tongban.exchange.models import QuotaUsage
from tongban.indicators.models import IndicatorCatalogDaily, IndicatorDaily, IndicatorMark, IndicatorMonthly
from tongban.items.models import (
    BasicItem,
    Bundle,
    BundleMember,
    Implementation,
    ImplementationVersion,
    ItemEvent,
    ItemEventItem,
    Material,
)
from tongban.jobs.models import Job, JobLease, JobRun, JobSchedule
from tongban.licences.models import (
    Licence,
    LicenceEvent,
    LicenceLibrary,
    LicenceType,
    LicenceTypeIssuer,
    LicenceVersion,
)
from tongban.monitoring.models import ExchangeStatsHourly
from tongban.notifications.models import NotificationMessage, NotificationTemplate
from tongban.numbering import NumberCounter
from tongban.org.models import ApiKey, AppClient, Department, LoginAttempt, Region, User, UserRole, WebSession
from tongban.ratings.models import Rating, RatingFollowUp
from tongban.registries.models import RegistryHead, RegistryLoad, RegistryRecord, RegistryStaging
from tongban.seals.models import Seal
from tongban.search.models import SearchDocument, SearchState, SearchTerm
from tongban.sharing.models import Grant, SharingRequest
from tongban.supervision.models import SupervisionAlert, SupervisionRule
from tongban.versioned import ConfigVersion
from tongban.workdays.models import CalendarDay, CalendarYear
from tongban.workflow.models import WorkflowInstance, WorkflowProcess, WorkflowTask

__all__ = [
    "ApiKey",
    "AppClient",
    "AuditChainHead",
    "AuditEntry",
    "BasicItem",
    "Bundle",
    "BundleMember",
    "CaCertificate",
    "CalendarDay",
    "CalendarYear",
    "Case",
    "CaseEvent",
    "CaseFee",
    "CaseMaterial",
    "Classification",
    "ConfigVersion",
    "DataDispute",
    "Department",
    "DisputeAttachment",
    "Document",
    "ExchangeLogEntry",
    "ExchangeLogHead",
    "ExchangeLogSubject",
    "ExchangeStatsHourly",
    "Grant",
    "Implementation",
    "ImplementationVersion",
    "IndicatorCatalogDaily",
    "IndicatorDaily",
    "IndicatorMark",
    "IndicatorMonthly",
    "InformationItem",
    "InformationResource",
    "ItemEvent",
    "ItemEventItem",
    "Job",
    "JobLease",
    "JobRun",
    "JobSchedule",
    "Licence",
    "LicenceEvent",
    "LicenceLibrary",
    "LicenceType",
    "LicenceTypeIssuer",
    "LicenceVersion",
    "LoginAttempt",
    "Material",
    "NotificationMessage",
    "NotificationTemplate",
    "NumberCounter",
    "ProviderEndpoint",
    "QuotaUsage",
    "Rating",
    "RatingFollowUp",
    "Region",
    "RegistryHead",
    "RegistryLoad",
    "RegistryRecord",
    "RegistryStaging",
    "ResourceVersion",
    "Seal",
    "SearchDocument",
    "SearchState",
    "SearchTerm",
    "SharingRequest",
    "StoredKey",
    "SupervisionAlert",
    "SupervisionRule",
    "User",
    "UserRole",
    "WebSession",
    "WorkflowInstance",
    "WorkflowProcess",
    "WorkflowTask",
]
