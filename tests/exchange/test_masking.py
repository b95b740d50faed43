"""Masking (脱敏) is one rule per kind of value, and every path that answers a record applies it."""

from __future__ import annotations

import datetime as dt
import io
import json

import httpx
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.exchange.conftest import IDS, ITEMS, ProviderProcess, call_headers
from tests.exchange.provider_app import RECORDS as PROVIDER_RECORDS
from tests.factories import actor_of, published_resource
from tongban import clock
from tongban.exchange import endpoints, masking
from tongban.identifiers import mask_name
from tongban.licences import verify
from tongban.registries import ingest as registry
from tongban.sharing import service as sharing
from tongban.sharing.schemas import ComplianceDecision, RequestCreate


@pytest.mark.parametrize(("name", "masked"), [("王建华", "王**"), ("张伟", "张*"), ("欧阳娜娜", "欧***"), ("王", "*")])
def test_a_person_is_masked_the_same_way_in_the_exchange_and_on_licences(name: str, masked: str) -> None:
    exchange_mask = masking.masker("text", "name", "姓名")
    assert exchange_mask(name) == verify.mask_name(name) == mask_name(name) == masked
    # An item holding a person's name under another key is still a name.
    assert masking.masker("text", "xm", "申请人姓名")(name) == masked


# ---------------------------------------------------------------- every path that answers a record


def _interface_resource(session: Session, city, world, provider: ProviderProcess):  # type: ignore[no-untyped-def]
    """A 接口 resource of the same provider with the same items, granted to the same client, registered."""
    resource = published_resource(session, city.users["hrss_data"], name="户籍人口（脱敏属性测试，接口）",
                                  share_type="unconditional", share_condition="", share_methods=["interface"],
                                  data_on_platform=False, items=ITEMS)
    req = sharing.submit_request(session=session, actor=actor_of(city.users["amr_data"]), request_in=RequestCreate(
        resource_id=resource.id, client_id=world["client"].id, items=["id_number", "name", "address"],
        purpose="企业开办登记核验法定代表人身份", legal_basis="《市场主体登记管理条例》", scenario="企业开办",
        period_start=clock.today(), period_end=clock.today() + dt.timedelta(days=30)))
    sharing.compliance_check(session=session, actor=actor_of(city.users["admin"]), request_id=req.id,
                             decision=ComplianceDecision(decision="pass"))
    endpoints.register_endpoint(session=session, actor=actor_of(city.users["hrss_data"]), resource_id=resource.id,
                                endpoint_in=endpoints.EndpointIn(url=provider.url + "/population"))
    grant = sharing.grant_for(session, req.id)
    assert grant is not None
    return resource, grant


def _texts(r: httpx.Response) -> str:
    """Everything an answer says, as text: JSON re-serialised unescaped, CSV as is, Parquet's values."""
    ctype = r.headers.get("content-type", "")
    if "parquet" in ctype:
        return json.dumps(pq.read_table(io.BytesIO(r.content)).to_pylist(), ensure_ascii=False)
    if "json" in ctype:
        return json.dumps(r.json(), ensure_ascii=False)
    return r.text


SENSITIVE = sorted(i.key for i in ITEMS if i.sensitivity in ("sensitive", "personal_sensitive"))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(granted=st.sets(st.sampled_from([i.key for i in ITEMS]), min_size=1),
       plain=st.sets(st.sampled_from([i.key for i in ITEMS])), which=st.integers(0, 2),
       filter_on=st.sampled_from(["id_number", "name", "address", "phone"]))
def test_no_path_shows_a_masked_value_in_plain(client: TestClient, session: Session, city, world, provider,  # type: ignore[no-untyped-def]
                                               granted: set[str], plain: set[str], which: int,
                                               filter_on: str) -> None:
    if "interface" not in world:
        world["interface"], world["interface_grant"] = _interface_resource(session, city, world, provider)
    for g in (world["grant"], world["interface_grant"]):
        g.items, g.plain_items = sorted(granted), sorted(plain)
    session.commit()
    hub = registry.published_records(session, world["resource"].id, IDS)
    hub_record = hub[IDS[which]]
    remote = PROVIDER_RECORDS[which]
    # What the consumer sends (the key, a filter value, the end user) may be personal data too.
    h = call_headers(world, **{"X-End-User": IDS[which]})
    code, remote_code = world["resource"].code, world["interface"].code
    answers = {
        "keyed": client.get(f"/api/v1/exchange/{code}/records/{IDS[which]}", headers=h),
        "filtered": client.get(f"/api/v1/exchange/{code}/records", params={filter_on: hub_record[filter_on]},
                               headers=h),
        "changes": client.get(f"/api/v1/exchange/{code}/changes", params={"since": 0}, headers=h),
        "export csv": client.get(f"/api/v1/exchange/{code}/export", params={"format": "csv"}, headers=h),
        "export parquet": client.get(f"/api/v1/exchange/{code}/export", params={"format": "parquet"}, headers=h),
        "proxy": client.get(f"/api/v1/exchange/{remote_code}/invoke", params={filter_on: remote[filter_on]},
                            headers=h),
    }
    shown_plain = granted & plain
    secrets = {(key, str(record[key])) for record in [*hub.values(), *PROVIDER_RECORDS] for key in SENSITIVE
               if key not in shown_plain and record.get(key)}
    for path, r in answers.items():
        assert r.status_code in (200, 404, 422), (path, r.text)
        text = _texts(r)
        leaked = sorted(key for key, value in secrets if value in text)
        assert not leaked, (path, leaked, text)
    assert answers["keyed"].status_code == 200
    # A path that answers at all answers something: the property is not met by refusing everything.
    if "id_number" in granted:
        assert answers["changes"].status_code == 200 and answers["changes"].json()["changes"]
