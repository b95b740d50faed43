"""Read models of the exchange's pages: one function per page, returning everything its template shows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.exchange import endpoints
from tongban.exchange.endpoint_models import TIMEOUT_DEFAULT_MS, TIMEOUT_MAX_MS, TIMEOUT_MIN_MS


@dataclass(frozen=True)
class EndpointsHome:
    #: The 接口 resources the actor may register endpoints for, each with its endpoint (or none yet).
    rows: list[endpoints.InterfaceResource]
    timeout_default: int = TIMEOUT_DEFAULT_MS
    timeout_min: int = TIMEOUT_MIN_MS
    timeout_max: int = TIMEOUT_MAX_MS


def endpoints_home(session: Session, actor: Actor) -> EndpointsHome:
    """接口登记: the provider department's 接口 resources (every department's for the platform); nothing written."""
    return EndpointsHome(rows=endpoints.list_interface_resources(session=session, actor=actor))
