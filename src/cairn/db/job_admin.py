"""Administering background jobs (admins only): list them, retry a failed one, purge old
ones. The admin page and ``cairn jobs`` share these use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from cairn.core.errors import (
    FieldError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from cairn.core.identity import Identity
from cairn.core.timeutil import utcnow
from cairn.db.database import Database
from cairn.db.jobs import DONE, FAILED, QUEUED, STATES, Job

MAX_PAGE_SIZE = 200
FINISHED_STATES = (DONE, FAILED)
MAX_DAYS = 100_000


@dataclass(frozen=True)
class JobInfo:
    id: int
    kind: str
    payload: dict[str, Any]
    state: str
    attempts: int
    max_attempts: int
    run_after: datetime
    locked_by: str | None
    locked_until: datetime | None
    last_error: str | None
    created: datetime
    updated: datetime
    finished: datetime | None

    @property
    def error_summary(self) -> str:
        """The first line of the error (the full text has the traceback)."""
        return (self.last_error or "").split("\n", 1)[0]


@dataclass(frozen=True)
class JobPage:
    jobs: list[JobInfo]
    total: int
    counts: dict[str, int]


def _info(job: Job) -> JobInfo:
    return JobInfo(
        id=job.id,
        kind=job.kind,
        payload=dict(job.payload or {}),
        state=job.state,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        run_after=job.run_after,
        locked_by=job.locked_by,
        locked_until=job.locked_until,
        last_error=job.last_error,
        created=job.created,
        updated=job.updated,
        finished=job.finished,
    )


def _require_admin(identity: Identity) -> None:
    if not identity.is_admin:
        raise PermissionDenied()


def check_state(state: str, allowed: tuple[str, ...] = STATES, name: str = "state") -> str:
    if state not in allowed:
        raise ValidationFailed([FieldError(name, [f"Must be one of: {', '.join(allowed)}."])])
    return state


class JobAdministration:
    """Admin-only use cases on the jobs table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def search(
        self, identity: Identity, state: str | None = None, page: int = 1, size: int = 50
    ) -> JobPage:
        """Jobs, newest first, optionally in one state; with the count in every state."""
        _require_admin(identity)
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise InvalidRequest(f"page must be 1 or more and size between 1 and {MAX_PAGE_SIZE}.")
        stmt = select(Job)
        if state:
            stmt = stmt.where(Job.state == check_state(state))
        with self.db.read() as session:
            counts = dict.fromkeys(STATES, 0)
            for name, count in session.execute(select(Job.state, func.count()).group_by(Job.state)):
                counts[name] = int(count)
            total = counts.get(state, 0) if state else sum(counts.values())
            rows = session.scalars(
                stmt.order_by(Job.id.desc()).offset((page - 1) * size).limit(size)
            )
            return JobPage([_info(job) for job in rows], total, counts)

    def get(self, identity: Identity, job_id: int) -> JobInfo:
        _require_admin(identity)
        with self.db.read() as session:
            job = session.get(Job, job_id)
            if job is None:
                raise NotFound(f"No job with id {job_id}.")
            return _info(job)

    def retry(self, identity: Identity, job_id: int) -> JobInfo:
        """Queue a failed job again, now, with all its attempts (its last error is kept
        until it runs)."""
        _require_admin(identity)
        now = utcnow()
        with self.db.write() as uow:
            job = uow.session.get(Job, job_id)
            if job is None:
                raise NotFound(f"No job with id {job_id}.")
            if job.state != FAILED:
                raise InvalidRequest(f"Job {job_id} is {job.state}; only failed jobs are retried.")
            uow.session.execute(
                update(Job)
                .where(Job.id == job_id, Job.state == FAILED)
                .values(state=QUEUED, attempts=0, run_after=now, finished=None, updated=now)
                .execution_options(synchronize_session=False)
            )
        return self.get(identity, job_id)

    def purge(
        self, identity: Identity, states: list[str] | None = None, older_than_days: float = 0
    ) -> int:
        """Delete finished jobs (done, failed or both) that finished more than
        ``older_than_days`` ago; queued and running jobs are never purged."""
        _require_admin(identity)
        chosen = [check_state(s, FINISHED_STATES) for s in states or FINISHED_STATES]
        if not 0 <= older_than_days <= MAX_DAYS:
            raise ValidationFailed(
                [FieldError("older_than", [f"Must be between 0 and {MAX_DAYS} days."])]
            )
        cutoff = utcnow() - timedelta(days=older_than_days)
        with self.db.write() as uow:
            result = uow.session.execute(
                delete(Job)
                .where(Job.state.in_(chosen), Job.finished <= cutoff)
                .execution_options(synchronize_session=False)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]
