"""The jobs table (a transactional outbox) and :func:`enqueue`.

A job is a row written in the caller's unit of work: it exists if and only if that
transaction commits.  Workers (``cairn.jobs``) claim rows, run the handler registered for
their ``kind`` and mark them ``done`` or, after their last attempt, ``failed``.  Services
enqueue through this module, so they never depend on the worker code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from cairn.core.timeutil import utcnow
from cairn.db.base import Base, JSONDoc, UTCDateTime

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATES = (QUEUED, RUNNING, DONE, FAILED)
DEFAULT_MAX_ATTEMPTS = 5
KIND_MAX = 64


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(KIND_MAX))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_ATTEMPTS)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        Index("ix_jobs_state_run_after", "state", "run_after"),
        {"sqlite_autoincrement": True},
    )


class JobSchedule(Base):
    """When a periodic job is next due; workers advance ``next_run`` with a compare-and-set,
    so exactly one of them enqueues each period."""

    __tablename__ = "job_schedules"

    name: Mapped[str] = mapped_column(String(KIND_MAX), primary_key=True)
    next_run: Mapped[datetime] = mapped_column(UTCDateTime())
    last_enqueued: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_job_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), nullable=True
    )


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    run_after: datetime | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Job:
    """Add a job to the caller's transaction; it runs only if that transaction commits."""
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"job kind must be 1 to {KIND_MAX} characters")
    if max_attempts < 1:
        raise ValueError("max_attempts must be 1 or more")
    now = utcnow()
    job = Job(
        kind=kind,
        payload=dict(payload or {}),
        state=QUEUED,
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after or now,
        created=now,
        updated=now,
    )
    session.add(job)
    session.flush()  # the id, for callers that want to show or remember it
    return job
