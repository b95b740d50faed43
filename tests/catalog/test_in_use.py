"""A resource in use is not retired, nor are its used items removed. The catalog asks the checks that the
domains above it register (catalog/hooks.py); sharing registers grants and open requests."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tests.factories import actor_of, app_client, published_resource, resource_in
from tongban import clock
from tongban.catalog import hooks
from tongban.catalog import service as catalog
from tongban.catalog.models import InformationResource
from tongban.errors import Conflict
from tongban.registry import platform
from tongban.sharing import service as sharing
from tongban.sharing.schemas import RequestCreate

D = dt.date


def test_sharing_registers_its_check() -> None:
    platform()
    assert "tongban.sharing.catalog_use:blocking_use" in hooks._in_use_checks


def test_an_open_request_blocks_retiring_and_removing_its_items(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    provider = actor_of(city.users["hrss_data"])
    with clock.frozen(D(2026, 9, 1)):
        resource = published_resource(session, city.users["hrss_data"])
        client = app_client(session, city.amr, code="amr-register")
        session.commit()
        sharing.submit_request(session=session, actor=actor_of(city.users["amr_data"]), request_in=RequestCreate(
            resource_id=resource.id, client_id=client.id, items=["id_number", "name"],
            purpose="企业开办登记时核验法定代表人身份", legal_basis="《市场主体登记管理条例》第十五条",
            scenario="企业开办一网通办", period_start=D(2026, 10, 1), period_end=D(2027, 9, 30)))
        assert catalog.blocking_use(session, resource, set()) == ["1 件办理中的共享申请"]
        assert catalog.blocking_use(session, resource, {"phone"}) == []
        with pytest.raises(Conflict, match="办理中的共享申请"):
            catalog.retire_resource(session=session, actor=provider, resource_id=resource.id, reason="系统停用")
        assert session.get(InformationResource, resource.id).status == "published"  # type: ignore[union-attr]
        # Removing an item nobody asked for is a new version; removing a requested one is refused.
        base = resource_in()
        without_phone = resource_in(items=[i for i in base.items if i.key != "phone"])
        assert catalog.update_resource(session=session, actor=provider, resource_id=resource.id,
                                       resource_in=without_phone).version == 2
        without_name = resource_in(items=[i for i in without_phone.items if i.key != "name"])
        with pytest.raises(Conflict, match="办理中的共享申请"):
            catalog.update_resource(session=session, actor=provider, resource_id=resource.id,
                                    resource_in=without_name)
