"""Tables of the workflow engine: published process versions, running instances, ready user tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base, utcnow
from tongban.org.models import Department

_BIG = BigInteger().with_variant(Integer, "sqlite")

# Instance statuses: running (has ready or waiting tasks), completed (reached an end event).
RUNNING, COMPLETED = "running", "completed"


class WorkflowProcess(Base):
    """One published version of a BPMN process (流程定义): data, never edited; a change is a new version."""

    __tablename__ = "workflow_processes"
    __table_args__ = (
        UniqueConstraint("key", "version", name="uq_workflow_processes_key_version"),
        UniqueConstraint("key", "sha256", name="uq_workflow_processes_key_sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(40))  # "immediate", "promised", "joint"
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    bpmn: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WorkflowInstance(Base):
    """One running (or finished) process of a subject, e.g. ("case", "17"); the Spiff state as JSON.

    `state` is SpiffWorkflow's serialization without the process spec (rebuilt from the process version's
    BPMN), in Spiff's format `format`. `version` counts saves: a save from a stale copy fails (optimistic
    locking) instead of overwriting another transition.
    """

    __tablename__ = "workflow_instances"
    __table_args__ = (Index("ix_workflow_instances_subject", "subject_kind", "subject_ref"),)

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("workflow_processes.id"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(40))
    subject_ref: Mapped[str] = mapped_column(String(64))
    lanes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # lane -> department id
    format: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=RUNNING)
    end_event: Mapped[str | None] = mapped_column(String(64), nullable=True)  # e.g. "approved"
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class WorkflowTask(Base):
    """A READY user task of an instance (待办): an indexed projection of the state for task lists."""

    __tablename__ = "workflow_tasks"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_id", name="uq_workflow_tasks_instance_task"),
        # "my department's task list" for a role, soonest due first.
        Index("ix_workflow_tasks_department_role_due", "department_id", "role", "due_date"),
    )

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(_BIG, ForeignKey("workflow_instances.id", ondelete="CASCADE"),
                                             index=True)
    task_id: Mapped[str] = mapped_column(String(36))  # SpiffWorkflow's task UUID
    name: Mapped[str] = mapped_column(String(64))  # the BPMN id of the task ("accept", "approve_a")
    title: Mapped[str] = mapped_column(String(100))  # its Chinese name ("受理")
    role: Mapped[str] = mapped_column(String(40))
    lane: Mapped[str | None] = mapped_column(String(40), nullable=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey(Department.id), nullable=True)
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
