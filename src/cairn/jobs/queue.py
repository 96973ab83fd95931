"""The queue's steps, each one short transaction: claim, renew, finish, retry or fail.

Claiming is one ``UPDATE ... WHERE id = (SELECT ...) RETURNING`` statement.  On PostgreSQL
the inner select takes ``FOR UPDATE SKIP LOCKED``, so concurrent workers pass over a row
another one is taking; on SQLite the write transaction (``BEGIN IMMEDIATE``) holds the
database's single write lock, so no two processes can run the statement at once.  Either
way a row is handed to exactly one worker.

A claimed job carries a lease (``locked_until``) its worker renews while it runs.  When the
worker dies, the lease runs out and the job becomes claimable again.  Every change after the
claim is guarded by ``locked_by``, so a worker that lost its lease cannot overwrite the
outcome of the one that took the job over.
"""

from __future__ import annotations

import random
import traceback
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update

from cairn.core.timeutil import utcnow
from cairn.db import Database
from cairn.db.jobs import DONE, FAILED, QUEUED, RUNNING, Job

ERROR_MAX = 8000


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits ``base * 2**(n-1)`` seconds, at
    most ``cap``, of which a random half is taken off, so failing jobs spread out."""

    base: float = 10.0
    cap: float = 3600.0

    def delay(self, attempt: int) -> float:
        full = min(self.cap, self.base * 2 ** max(attempt - 1, 0))
        return full / 2 + random.uniform(0, full / 2)


def claim(db: Database, worker: str, kinds: list[str], lease: float) -> Claimed | None:
    """Take the next due job of one of ``kinds`` (or one whose lease ran out)."""
    if not kinds:
        return None
    now = utcnow()
    claimable = and_(
        Job.kind.in_(kinds),
        or_(
            and_(Job.state == QUEUED, Job.run_after <= now),
            and_(Job.state == RUNNING, Job.locked_until < now),
        ),
    )
    candidate = select(Job.id).where(claimable).order_by(Job.run_after, Job.id).limit(1)
    with db.read() as session:  # idle workers look without taking SQLite's write lock
        if session.scalar(candidate) is None:
            return None
    if db.dialect == "postgresql":
        candidate = candidate.with_for_update(skip_locked=True)
    stmt = (
        update(Job)
        .where(Job.id == candidate.scalar_subquery(), claimable)
        .values(
            state=RUNNING,
            locked_by=worker,
            locked_until=now + timedelta(seconds=lease),
            attempts=Job.attempts + 1,
            updated=now,
        )
        .returning(Job.id, Job.kind, Job.payload, Job.attempts, Job.max_attempts)
        .execution_options(synchronize_session=False)
    )
    with db.write() as uow:
        row = uow.session.execute(stmt).first()
    if row is None:
        return None
    return Claimed(row.id, row.kind, dict(row.payload or {}), row.attempts, row.max_attempts)


def _mine(job_id: int, worker: str) -> Any:
    return and_(Job.id == job_id, Job.state == RUNNING, Job.locked_by == worker)


def _apply(db: Database, job_id: int, worker: str, **values: Any) -> bool:
    stmt = (
        update(Job)
        .where(_mine(job_id, worker))
        .values(updated=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    with db.write() as uow:
        return bool(uow.session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def renew(db: Database, job_ids: list[int], worker: str, lease: float) -> None:
    """Extend the leases of the jobs ``worker`` is running."""
    if not job_ids:
        return
    now = utcnow()
    stmt = (
        update(Job)
        .where(Job.id.in_(job_ids), Job.state == RUNNING, Job.locked_by == worker)
        .values(locked_until=now + timedelta(seconds=lease), updated=now)
        .execution_options(synchronize_session=False)
    )
    with db.write() as uow:
        uow.session.execute(stmt)


def complete(db: Database, job_id: int, worker: str) -> bool:
    """Mark the job done; False when the worker no longer held it."""
    return _apply(
        db, job_id, worker, state=DONE, finished=utcnow(), locked_by=None, locked_until=None
    )


def error_text(exc: BaseException) -> str:
    """The error as kept on the job: the message first, then the traceback."""
    text = f"{type(exc).__name__}: {exc}\n\n" + "".join(traceback.format_exception(exc))
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 1] + "…"


def fail(db: Database, job: Claimed, worker: str, error: str, backoff: Backoff) -> str:
    """Keep ``error``; queue the job again after a backoff, or fail it after its last
    attempt. Returns the job's new state."""
    now = utcnow()
    if job.attempts < job.max_attempts:
        run_after = now + timedelta(seconds=backoff.delay(job.attempts))
        _apply(
            db,
            job.id,
            worker,
            state=QUEUED,
            run_after=run_after,
            last_error=error,
            locked_by=None,
            locked_until=None,
        )
        return QUEUED
    _apply(
        db,
        job.id,
        worker,
        state=FAILED,
        finished=now,
        last_error=error,
        locked_by=None,
        locked_until=None,
    )
    return FAILED


def release(db: Database, job_id: int, worker: str) -> bool:
    """Give a job back unfinished (the worker is stopping); the attempt does not count."""
    return _apply(
        db,
        job_id,
        worker,
        state=QUEUED,
        attempts=Job.attempts - 1,
        locked_by=None,
        locked_until=None,
    )
