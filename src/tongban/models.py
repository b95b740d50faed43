"""Imports every domain's tables so that Base.metadata knows the whole schema."""

from tongban.audit.models import AuditChainHead, AuditEntry
from tongban.org.models import ApiKey, AppClient, Department, LoginAttempt, Region, User, UserRole, WebSession

__all__ = [
    "ApiKey", "AppClient", "AuditChainHead", "AuditEntry", "Department", "LoginAttempt", "Region", "User",
    "UserRole", "WebSession",
]
