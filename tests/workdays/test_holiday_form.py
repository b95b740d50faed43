"""节假日设置 through the page, as an administrator types a State Council notice (issue 11, item 14)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from tests.factories import csrf_from, login
from tongban.errors import ValidationFailed
from tongban.workdays import service as workdays

D = dt.date
SPRING_2027 = [D(2027, 2, 5), D(2027, 2, 8), D(2027, 2, 9), D(2027, 2, 10), D(2027, 2, 11)]  # 6–7 Feb: weekend


def _post(client: TestClient, holidays: str, workdays_text: str = ""):  # type: ignore[no-untyped-def]
    page = client.get("/admin/calendar", params={"year": 2027})
    assert page.status_code == 200
    return client.post("/admin/calendar", data={
        "csrf_token": csrf_from(page.text), "year": "2027", "notice": "国务院办公厅关于2027年部分节假日安排的通知",
        "holidays": holidays, "workdays": workdays_text}, follow_redirects=False)


def test_a_range_typed_with_zhi_is_saved_day_by_day(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "admin")
    r = _post(client, "2027-01-01 元旦\n2027-02-05 至 2027-02-11 春节", "2027-02-13 春节调休\n2027-02-20 春节调休")
    assert r.status_code == 303, r.text
    year = client.get("/api/v1/calendar/2027").json()
    assert year["official"] is True
    assert [(h["day"], h["name"]) for h in year["holidays"]] == \
        [("2027-01-01", "元旦")] + [(d.isoformat(), "春节") for d in SPRING_2027]
    assert [w["day"] for w in year["workdays"]] == ["2027-02-13", "2027-02-20"]
    assert "<td>至 2027-02-11 春节</td>" not in client.get("/admin/calendar", params={"year": 2027}).text


def test_a_make_up_day_without_a_name_says_which_line_and_what_to_write(
        client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "admin")
    r = _post(client, "2027-01-01 元旦", "2027-02-13 春节调休\n2027-02-20")
    assert r.status_code == 422
    assert "调休上班日期第 2 行“2027-02-20”缺少名称" in r.text and "2027-02-14 春节调休" in r.text
    assert "2027-02-20</textarea>" in r.text  # the typed lines are kept for correction
    assert client.get("/api/v1/calendar/2027").json()["official"] is False  # nothing half-written


@pytest.mark.parametrize("line", [
    "2027-02-05 至 2027-02-11 春节", "2027-02-05至2027-02-11 春节", "2027-02-05 ~ 2027-02-11 春节",
    "2027-02-05～2027-02-11 春节", "2027-02-05-2027-02-11 春节", "2027-02-05 - 2027-02-11 春节",
    "2027-02-05 到 2027-02-11 春节", "2027-02-05 至 02-11 春节", "2027年2月5日至2月11日 春节",
])
def test_range_separators(line: str) -> None:
    assert workdays.parse_lines(line) == [(d, "春节") for d in SPRING_2027]


@pytest.mark.parametrize(("text", "field", "says"), [
    ("2027-02-11 至 2027-02-05 春节", "holidays", "放假日期第 1 行“2027-02-11 至 2027-02-05 春节”的结束日期早于开始日期"),
    ("2027-01-01 元旦\n2027-02-30 春节", "holidays", "放假日期第 2 行“2027-02-30 春节”的日期格式不正确：没有这一天"),
    ("春节 2027-02-05", "holidays", "放假日期第 1 行“春节 2027-02-05”的日期格式不正确，应写作"),
    ("2027-01-01 元旦\n2027-01-01 元旦", "holidays", "放假日期第 2 行“2027-01-01 元旦”中的 2027-01-01 与第 1 行重复"),
    ("2027-02-08 至 2027-02-12 春节调休", "workdays", "调休上班日期第 1 行“2027-02-08 至 2027-02-12 春节调休”的范围内没有周末"),
])
def test_bad_lines_name_the_field_the_line_and_the_fix(text: str, field: str, says: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        workdays.parse_lines(text, field=field)
    assert caught.value.message.startswith(says), caught.value.message
    assert caught.value.detail["field"] == field


def test_the_api_refuses_a_day_entered_twice_instead_of_failing(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "admin")
    r = client.put("/api/v1/calendar/2027", headers={"X-CSRF-Token": csrf}, json={
        "notice": "国务院办公厅关于2027年部分节假日安排的通知",
        "holidays": [{"day": "2027-01-01", "name": "元旦"}, {"day": "2027-01-01", "name": "元旦"}]})
    assert r.status_code == 422 and r.json()["code"] == "duplicate_day"
    assert r.json()["detail"]["field"] == "holidays" and "2027-01-01" in r.json()["message"]


def test_the_page_counts_deadlines_on_the_weekend_fallback_and_recounts_them(  # type: ignore[no-untyped-def]
        client: TestClient, session, city) -> None:
    from tongban.workdays import clocks

    clocks.start(session, owner_type="test_permit", owner_id=1, days=5, start=D(2026, 12, 28))  # into 2027
    clocks.start(session, owner_type="test_permit", owner_id=2, days=5, start=D(2026, 12, 1))
    session.commit()
    login(client, "admin")
    assert "有 1 件办理中的期限跨入尚未登记节假日安排的年份" in client.get("/admin/calendar", params={"year": 2027}).text
    r = _post(client, "2027-01-01 元旦")
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "2027 年节假日安排已保存，已按新安排重新推算 1 件办理中的期限" in page
    assert "跨入尚未登记节假日安排的年份" not in page
