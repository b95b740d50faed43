"""The 任务运行 page: platform admins see schedules, jobs and runs, and queue a failed job again."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.factories import SmallCity, login
from tests.jobs import sample_tasks  # noqa: F401  (registers the test jobs)
from tests.jobs.test_runner import job_row
from tongban.audit.models import AuditEntry
from tongban.db import make_session_factory, utcnow
from tongban.jobs import enqueue, run_pending


def _failed_job(engine: Engine, session: Session) -> int:
    enqueue(session, "tests.fail", {"key": "p"})
    session.commit()
    now = utcnow()
    for _ in range(3):
        run_pending(make_session_factory(engine), now=now)
        now = job_row(session, "tests.fail").run_at
    return job_row(session, "tests.fail").id


def test_admin_sees_runs_and_retries_a_failed_job(client: TestClient, engine: Engine, session: Session,
                                                   city: SmallCity) -> None:
    job_id = _failed_job(engine, session)
    csrf = login(client, "admin")
    page = client.get("/admin/jobs")
    assert page.status_code == 200
    text = page.text
    assert 'href="/admin/jobs">任务运行</a>' in text  # in the menu
    for shown in ("交换日志封存与监测统计", "共享申请期限检查", "测试：总是失败", "exchange.seal", "每 1 分钟", "sharing.deadlines", "每个工作日 08:00（北京时间）", "tests.fail",
                  "供应商网关暂时不可用", "失败 1", "重新排队"):
        assert shown in text, shown
    r = client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert "已重新排队" in client.get(r.headers["location"]).text
    assert job_row(session, "tests.fail").status == "queued"
    audited = session.execute(select(AuditEntry.action).where(AuditEntry.object_type == "job")).scalars().all()
    assert audited == ["job.retry"]
    # The audit log names the job in Chinese, like every other object.
    assert "后台任务重新排队" in client.get("/admin/audit").text
    assert f"后台任务 测试：总是失败（第 {job_id} 号）" in client.get("/admin/audit").text
    again = client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": csrf})
    assert again.status_code == 409 and "只有失败的任务可以重试" in again.text


def test_other_staff_may_not_open_the_page(client: TestClient, city: SmallCity) -> None:
    login(client, "amr_data")
    page = client.get("/admin/jobs")
    assert page.status_code == 403
    assert 'href="/admin/jobs"' not in client.get("/home").text
