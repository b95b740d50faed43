"""谁用了我的数据: a citizen reads Chinese item names and Beijing time, not keys and UTC."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.exchange.conftest import IDS, call_headers
from tests.factories import PASSWORD, login
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.org.models import User


def test_data_uses_name_items_in_chinese_and_give_beijing_time(client: TestClient, session: Session,  # type: ignore[no-untyped-def]
                                                                world) -> None:
    url = f"/api/v1/exchange/{world['resource'].code}/records/{IDS[0]}"
    assert client.get(url, headers=call_headers(world)).status_code == 200
    owner = session.execute(select(User).where(User.kind == "citizen")).scalars().first()
    assert owner is not None
    owner.id_number = owner.username = IDS[0]
    session.commit()
    citizen = TestClient(client.app)
    login(citizen, IDS[0], PASSWORD)
    use = citizen.get("/api/v1/exchange/my-data-uses").json()["items"][0]
    assert set(use["items"]) == {"id_number", "name", "address"}
    assert set(use["item_names"]) == {"公民身份号码", "姓名", "户籍地址"}
    logged = session.execute(select(ExchangeLogEntry.occurred_at)).scalars().first()
    assert logged is not None
    shown = dt.datetime.fromisoformat(use["time"])
    assert shown.utcoffset() == dt.timedelta(hours=8)
    assert shown == logged.replace(tzinfo=dt.UTC)
