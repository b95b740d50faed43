"""The staff pages of cases over real HTTP: the clerk's queue with its clocks, the case page and its actions
(受理, 不予受理, the 补正 notice builder, 审查, 决定, 特别程序, 办结, 送达), refusals, other departments, 窗口收件."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cases.conftest import LICENCE_DATA, CasesWorld
from tests.factories import login
from tests.files.test_inspect import pdf
from tongban import clock as beijing
from tongban.cases import service
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.schemas import CaseCreate

PDF = pdf(1)


def _submit(session: Session, world: CasesWorld, impl_id: int | None = None) -> Case:
    actor = world.actor("enterprise")
    case = service.create_draft(session=session, actor=actor, case_in=CaseCreate.model_validate(
        {"implementation_id": impl_id or world.company.id, "form_data": {"licence": LICENCE_DATA}}))
    for m in session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case.id,
                                                        CaseMaterial.source == "upload")):
        service.upload_material(session=session, actor=actor, case_id=case.id, material_id=m.id, content=PDF,
                                filename="申请书.pdf")
    done = service.submit(session=session, actor=actor, case_id=case.id)
    session.commit()
    return done.case


def _post(client: TestClient, csrf: str, path: str, **data: object):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=True)


def _refresh(session: Session, case: Case) -> Case:
    session.expire_all()
    got = session.get(Case, case.id)
    assert got is not None
    return got


def test_queue_shows_each_case_with_its_deadline_in_working_days(client: TestClient, session: Session,
                                                                 world: CasesWorld) -> None:
    with beijing.frozen(dt.date(2026, 6, 1)):  # a Monday: five working days to answer
        fresh = _submit(session, world)
    with beijing.frozen(dt.date(2026, 5, 18)):
        old = _submit(session, world)
    csrf = login(client, "amr_clerk")
    assert "受理队列" in client.get("/home").text
    with beijing.frozen(dt.date(2026, 6, 2)):
        page = client.get("/cases/queue")
    assert page.status_code == 200
    html = page.text
    assert fresh.number in html and old.number in html
    assert "剩余 4 个工作日" in html  # submitted on Monday, due next Monday
    assert "已逾期" in html and 'class="overdue"' in html
    assert str(fresh.id) not in re.sub(r"<[^>]+>", " ", html).split()  # numbers, never ids
    # The filter by item keeps the cases of that item; the 补正 tab holds none yet.
    assert fresh.number in client.get("/cases/queue", params={"item": fresh.item_code}).text
    assert fresh.number not in client.get("/cases/queue", params={"item": "999"}).text
    assert fresh.number not in client.get("/cases/queue", params={"status": "supplement"}).text
    assert csrf


def test_clerk_accepts_and_reviewer_reviews_and_decides(client: TestClient, session: Session,
                                                        world: CasesWorld) -> None:
    case = _submit(session, world)
    csrf = login(client, "amr_clerk")
    page = client.get(f"/cases/{case.number}")
    assert page.status_code == 200
    html = page.text
    assert "受理" in html and "不予受理" in html and "一次性告知补正" in html
    assert "审查意见" not in html  # not the clerk's step, and not now
    assert world.enterprise.credit_code not in html or world.enterprise.display_name in html
    assert "<svg" in html and 'data-state="当前步骤"' in html
    done = _post(client, csrf, f"/cases/{case.number}/accept")
    assert done.status_code == 200 and "已受理" in done.text
    assert _refresh(session, case).status == "accepted"

    csrf = login(client, "amr_reviewer")
    tasks = client.get("/cases/tasks")
    assert case.number in tasks.text and "审查" in tasks.text and "个工作日" in tasks.text
    page = client.get(f"/cases/{case.number}").text
    assert "提交审查意见" in page and "作出决定" not in page
    done = _post(client, csrf, f"/cases/{case.number}/review", opinion="材料齐全，符合法定条件")
    assert done.status_code == 200 and "审查意见已提交" in done.text
    # 不予许可 needs its reason: the form comes back with the message.
    refused = _post(client, csrf, f"/cases/{case.number}/decide", decision="refuse", reason="")
    assert refused.status_code == 422 and "不予许可须写明理由" in refused.text
    done = _post(client, csrf, f"/cases/{case.number}/decide", decision="approve")
    assert done.status_code == 200 and "已作出决定" in done.text
    case = _refresh(session, case)
    assert (case.status, case.decision, case.licence_id is not None) == ("decided", "approve", True)
    assert "送达期限" in done.text and "剩余 10 个工作日" in done.text  # the 送达 clock runs now
    done = _post(client, csrf, f"/cases/{case.number}/close")
    assert "已办结" in done.text
    done = _post(client, csrf, f"/cases/{case.number}/deliver", method="窗口领取")
    assert "送达（窗口领取）" in done.text
    assert _refresh(session, case).status == "delivered"


def test_reject_with_reason_and_prefilled_remedies(client: TestClient, session: Session, world: CasesWorld) -> None:
    case = _submit(session, world)
    csrf = login(client, "amr_clerk")
    page = client.get(f"/cases/{case.number}").text
    assert "行政复议" in page  # the remedies are prefilled
    empty = _post(client, csrf, f"/cases/{case.number}/reject", reason="", remedies="")
    assert empty.status_code == 422 and "理由" in empty.text
    assert _refresh(session, case).status == "submitted"
    done = _post(client, csrf, f"/cases/{case.number}/reject", reason="不属于本部门职权范围",
                 remedies="如不服，可申请行政复议。")
    assert done.status_code == 200 and "已作出不予受理决定" in done.text and "不属于本部门职权范围" in done.text
    case = _refresh(session, case)
    assert (case.status, case.reason, case.remedies) == ("rejected", "不属于本部门职权范围", "如不服，可申请行政复议。")


def test_disallowed_action_answers_409_with_the_chinese_message(client: TestClient, session: Session,
                                                                world: CasesWorld) -> None:
    case = _submit(session, world)
    csrf = login(client, "amr_clerk")
    assert _post(client, csrf, f"/cases/{case.number}/accept").status_code == 200
    again = _post(client, csrf, f"/cases/{case.number}/accept")
    assert again.status_code == 409
    assert "不能受理" in again.text or "不允许" in again.text or "当前" in again.text
    page = client.get(f"/cases/{case.number}").text
    assert f'action="/cases/{case.number}/accept"' not in page  # no longer offered
    closing = _post(client, csrf, f"/cases/{case.number}/close")
    assert closing.status_code == 409 and "只有已决定的办件可以办结" in closing.text
    unknown = _post(client, csrf, f"/cases/{case.number}/approve-everything")
    assert unknown.status_code == 404 and "未知操作" in unknown.text


def test_supplement_builder_offers_no_upload_for_fetchable_materials(client: TestClient, session: Session,
                                                                     world: CasesWorld) -> None:
    case = _submit(session, world)
    form = session.scalar(select(CaseMaterial).where(CaseMaterial.case_id == case.id, CaseMaterial.name == "申请书"))
    licence = session.scalar(select(CaseMaterial).where(CaseMaterial.case_id == case.id,
                                                        CaseMaterial.name == "营业执照"))
    assert form is not None and licence is not None
    csrf = login(client, "amr_clerk")
    html = client.get(f"/cases/{case.number}").text
    select_for = re.search(rf'<select name="how_{licence.id}">(.*?)</select>', html, re.S)
    assert select_for and 'value="upload"' not in select_for.group(1) and 'value="fetch"' in select_for.group(1)
    upload_for = re.search(rf'<select name="how_{form.id}">(.*?)</select>', html, re.S)
    assert upload_for and 'value="upload"' in upload_for.group(1)
    # A forged POST asking to upload the fetchable licence is refused with the service's message; nothing sent.
    forged = client.post(f"/cases/{case.number}/supplement", data={
        "csrf_token": csrf, "materials": [str(licence.id)], f"how_{licence.id}": "upload"})
    assert forged.status_code == 422 and "不得要求申请人上传" in forged.text
    assert _refresh(session, case).supplement_notice is None
    nothing = client.post(f"/cases/{case.number}/supplement", data={"csrf_token": csrf})
    assert nothing.status_code == 422 and "需补正的材料" in nothing.text
    # One notice listing both: the form to upload again, the licence to fetch.
    done = client.post(f"/cases/{case.number}/supplement", data={
        "csrf_token": csrf, "materials": [str(form.id), str(licence.id)], f"how_{form.id}": "upload",
        f"note_{form.id}": "缺少法定代表人签字", f"how_{licence.id}": "fetch", "note": "请一次补齐"},
        follow_redirects=True)
    assert done.status_code == 200 and "已一次性告知补正" in done.text and "缺少法定代表人签字" in done.text
    case = _refresh(session, case)
    assert case.status == "supplement" and [x["how"] for x in case.supplement_notice or []] == ["upload", "fetch"]
    queue = client.get("/cases/queue", params={"status": "supplement"}).text
    assert case.number in queue and "已暂停（补正）" in queue
    assert f'action="/cases/{case.number}/supplement"' not in client.get(f"/cases/{case.number}").text  # once only


def test_special_procedure_suspends_and_resumes_the_clock(client: TestClient, session: Session,
                                                         world: CasesWorld) -> None:
    case = _submit(session, world)
    csrf = login(client, "amr_clerk")
    _post(client, csrf, f"/cases/{case.number}/accept")
    csrf = login(client, "amr_reviewer")
    done = _post(client, csrf, f"/cases/{case.number}/suspend", reason="专家评审", note="组织专家论证")
    assert done.status_code == 200 and "暂停计时" in done.text and "已暂停（专家评审）" in done.text
    assert "已暂停（专家评审）" in client.get("/cases/tasks").text
    forged = _post(client, csrf, f"/cases/{case.number}/suspend", reason="喝茶")
    assert forged.status_code == 422
    done = _post(client, csrf, f"/cases/{case.number}/resume", note="专家评审结束")
    assert done.status_code == 200 and "已恢复计时" in done.text
    assert _refresh(session, case).suspended_reason is None


def test_another_department_gets_no_case_page_and_no_action(client: TestClient, session: Session,
                                                            world: CasesWorld) -> None:
    case = _submit(session, world)
    csrf = login(client, "hrss_clerk")
    assert client.get(f"/cases/{case.number}").status_code in (403, 404)
    refused = _post(client, csrf, f"/cases/{case.number}/accept")
    assert refused.status_code in (403, 404)
    assert case.number not in client.get("/cases/queue").text
    material = session.scalar(select(CaseMaterial).where(CaseMaterial.case_id == case.id,
                                                         CaseMaterial.name == "申请书"))
    assert material is not None
    assert client.get(f"/cases/{case.number}/materials/{material.id}").status_code == 404
    assert _refresh(session, case).status == "submitted"
    # The handling department's clerk downloads it through the checked path (a PDF, never inline HTML).
    login(client, "amr_clerk")
    got = client.get(f"/cases/{case.number}/materials/{material.id}?inline=1")
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert client.get("/cases/BJ000/accept").status_code == 405


def test_walk_in_entry_finds_the_applicant_and_submits_on_the_same_path(client: TestClient, session: Session,
                                                                        world: CasesWorld) -> None:
    csrf = login(client, "amr_clerk")
    code = world.enterprise.credit_code or ""
    assert "未找到" in client.get("/cases/walk-in", params={"code": "91610902MA0000000X"}).text
    found = client.get("/cases/walk-in", params={"code": code})
    assert found.status_code == 200 and world.enterprise.display_name in found.text
    assert "有限责任公司设立登记" in found.text and "单位参保登记" not in found.text  # the department's items
    made = client.post("/cases/walk-in", data={"csrf_token": csrf, "applicant_code": code,
                                               "implementation_id": str(world.company.id)},
                       follow_redirects=False)
    assert made.status_code == 303
    draft_url = made.headers["location"].split("?")[0]
    draft = client.get(draft_url)
    assert draft.status_code == 200 and "申请书" in draft.text
    early = client.post(f"{draft_url}/submit", data={"csrf_token": csrf})
    assert early.status_code == 422 and "申请书" in early.text
    form = session.scalar(select(CaseMaterial).join(Case, Case.id == CaseMaterial.case_id).where(
        Case.channel == "窗口", CaseMaterial.name == "申请书"))
    assert form is not None
    up = client.post(f"{draft_url}/materials/{form.id}", data={"csrf_token": csrf},
                     files={"file": ("申请书.pdf", PDF, "application/pdf")}, follow_redirects=True)
    assert up.status_code == 200 and "材料已上传" in up.text
    done = client.post(f"{draft_url}/submit", data={"csrf_token": csrf}, follow_redirects=True)
    assert done.status_code == 200 and "查询码" in done.text
    case = session.scalar(select(Case).where(Case.channel == "窗口"))
    assert case is not None and case.status == "submitted" and case.applicant_user_id == world.enterprise.id
    assert case.number in client.get("/cases/queue").text


def test_diagram_is_embedded_and_names_are_escaped(client: TestClient, session: Session, world: CasesWorld) -> None:
    case = _submit(session, world)
    case.form_data = {"licence": {**LICENCE_DATA, "address": "<script>alert(1)</script>"}}
    session.commit()
    login(client, "amr_clerk")
    html = client.get(f"/cases/{case.number}").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    svg = re.search(r"<svg.*?</svg>", html, re.S)
    assert svg and "<script" not in svg.group(0) and "wf-current" in svg.group(0)


def test_home_cards_count_the_handlers_work(client: TestClient, session: Session, world: CasesWorld) -> None:
    _submit(session, world)
    login(client, "amr_clerk")
    home = client.get("/home").text
    assert "待受理办件" in home and "我的待办" in home
    login(client, "amr_data")
    home = client.get("/home").text
    assert "待受理办件" not in home and "受理队列" not in home


def test_a_deadline_warning_links_to_the_case_page(client: TestClient, session: Session, world: CasesWorld) -> None:
    from tongban.cases import deadlines, handling
    from tongban.notifications.models import NotificationMessage

    with beijing.frozen(dt.date(2026, 6, 1)):
        case = _submit(session, world)
        handling.accept(session=session, actor=world.actor("amr_clerk"), case_id=case.id)
        session.commit()
    with beijing.frozen(dt.date(2026, 6, 30)):  # past the five promised working days
        deadlines.check_deadlines(session=session)
    reviewer = world.city.users["amr_reviewer"]
    links = {m.link for m in session.scalars(select(NotificationMessage).where(
        NotificationMessage.recipient_user_id == reviewer.id))}
    assert links == {f"/cases/{case.number}"}
    login(client, "amr_reviewer")
    page = client.get(links.pop())
    assert page.status_code == 200 and case.number in page.text


def test_immediate_case_is_accepted_and_decided_at_the_window(client: TestClient, session: Session,
                                                             world: CasesWorld) -> None:
    case = _submit(session, world, world.social.id)
    csrf = login(client, "hrss_clerk")
    page = client.get(f"/cases/{case.number}").text
    assert "即办件：受理并当场决定" in page and f'action="/cases/{case.number}/accept"' not in page
    done = _post(client, csrf, f"/cases/{case.number}/decide", decision="approve")
    assert done.status_code == 200 and "已作出决定" in done.text
    assert _refresh(session, case).status == "decided"


def test_joint_case_each_department_decides_its_sub_case_from_its_tasks(client: TestClient, session: Session,
                                                                         world: CasesWorld) -> None:
    actor = world.actor("enterprise")
    draft = service.create_draft(session=session, actor=actor, case_in=CaseCreate.model_validate(
        {"bundle_code": "KBQY", "form_data": {"employees": 3, "licence": LICENCE_DATA}}))
    for m in session.scalars(select(CaseMaterial).where(CaseMaterial.case_id == draft.id,
                                                        CaseMaterial.source == "upload")):
        service.upload_material(session=session, actor=actor, case_id=draft.id, material_id=m.id, content=PDF,
                                filename="申请书.pdf")
    parent = service.submit(session=session, actor=actor, case_id=draft.id).case
    session.commit()
    assert parent.process_key == "joint"
    csrf = login(client, "amr_clerk")
    assert _post(client, csrf, f"/cases/{parent.number}/accept").status_code == 200
    for who, sub in (("hrss_reviewer", f"{parent.number}-2"), ("amr_reviewer", f"{parent.number}-1")):
        csrf = login(client, who)
        tasks = client.get("/cases/tasks").text
        assert sub in tasks and parent.number in tasks
        page = client.get(f"/cases/{sub}").text
        assert f'action="/cases/{sub}/decide"' in page
        assert _post(client, csrf, f"/cases/{sub}/decide", decision="approve").status_code == 200
    assert _refresh(session, parent).status == "decided"


def test_the_applicants_message_links_to_their_own_case_page(client: TestClient, session: Session,
                                                             world: CasesWorld) -> None:
    from tests.factories import _PASSWORD_HASH
    from tongban.notifications.models import NotificationMessage

    case = _submit(session, world)
    world.enterprise.password_hash = _PASSWORD_HASH
    session.commit()
    csrf = login(client, "amr_clerk")
    _post(client, csrf, f"/cases/{case.number}/reject", reason="不属于本部门职权范围")
    session.expire_all()
    links = {m.link for m in session.scalars(select(NotificationMessage).where(
        NotificationMessage.recipient_user_id == world.enterprise.id))}
    assert links == {f"/my/cases/{case.id}"}  # the applicant's page (staff pages go by 办件编号)
    login(client, "ent1")
    page = client.get(links.pop())
    assert page.status_code == 200 and case.number in page.text and "不属于本部门职权范围" in page.text


def test_a_staff_read_of_a_case_is_audited_by_page_and_api(client: TestClient, session: Session,
                                                           world: CasesWorld) -> None:
    from tongban.audit.models import AuditEntry

    case = _submit(session, world)
    login(client, "amr_reviewer")

    def reads() -> int:
        session.expire_all()
        return len(session.scalars(select(AuditEntry).where(AuditEntry.action == "case.read",
                                                            AuditEntry.object_id == case.number)).all())

    assert client.get(f"/cases/{case.number}").status_code == 200
    assert reads() == 1
    assert client.get(f"/api/v1/cases/{case.id}").status_code == 200
    assert reads() == 2  # the API's read of the personal data stays on the record too
