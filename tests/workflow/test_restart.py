"""A joint case survives the death of the process that handled it: a real second Python process completes
one of three parallel approvals, is killed (SIGKILL) before the others, and this process finishes the case
from what the database holds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.orm import Session

from tongban.workflow import service as wf
from tongban.workflow.models import WorkflowInstance

REPO = Path(__file__).resolve().parents[2]

CHILD = """
import sys, time
from pathlib import Path
from tongban.config import get_settings
from tongban.db import make_engine, make_session_factory
from tongban.workflow import service as wf

instance_id, department_id, marker = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
session = make_session_factory(make_engine(get_settings().database_url))()
wf.complete(session=session, instance_id=instance_id, task="approve", lane="dept_a",
            actor=wf.Participant("reviewer", department_id), outcome="approve")
marker.write_text("committed")
time.sleep(600)  # the server is still "running" when it is killed
"""


def wait_for(condition, what: str, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_a_killed_process_between_parallel_approvals(session: Session, city, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                          database_url: str) -> None:
    wf.publish_shipped(session=session)
    from tests.factories import department

    lanes = {"dept_a": city.amr.id, "dept_b": city.hrss.id, "dept_c": department(session, "安康市税务局").id}
    session.commit()
    inst = wf.start(session=session, process_key="joint", subject=("case", "42"),
                    data={"policy": wf.ALL_MUST_DECIDE, "departments": list(lanes)},
                    lanes={"lead": city.data_bureau.id, **lanes})
    wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant("window_clerk",
                                                                                         city.data_bureau.id),
                data={"acceptance": "accept"})
    instance_id = inst.id
    marker = tmp_path / "committed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(instance_id), str(city.amr.id), str(marker)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: marker.exists() or proc.poll() is not None, "the other process to approve")
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    session.expire_all()
    assert sorted((t.name, t.lane) for t in wf.ready_tasks(session, instance_id)) == [("approve", "dept_b"),
                                                                                     ("approve", "dept_c")]
    for lane in ("dept_c", "dept_b"):
        wf.complete(session=session, instance_id=instance_id, task="approve", lane=lane,
                    actor=wf.Participant("reviewer", lanes[lane]), outcome="approve")
    session.expire_all()
    row = session.get(WorkflowInstance, instance_id)
    assert (row.status, row.end_event) == ("completed", "approved")
