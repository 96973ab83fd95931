"""Periodic jobs: enqueued once per period, however many workers tick.

Periods are aligned to the epoch (``every=3600`` falls on the hour, ``every=86400`` at
midnight UTC).  The ``job_schedules`` row of a schedule holds the start of the next period
that is due; a worker that finds it due moves it on with a compare-and-set
(``UPDATE ... WHERE next_run = <what it read>``) and enqueues the job in the same
transaction. Only one worker's update matches, so only one job is enqueued per period.
A period missed while no worker ran is made up by one job, not one per missed period.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from cairn.core.timeutil import isoformat, utcnow
from cairn.db import Database
from cairn.db.jobs import DEFAULT_MAX_ATTEMPTS, JobSchedule, enqueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    """Enqueue a ``kind`` job every ``every`` seconds (first at the next period start, or
    at once when ``at_start``). Its payload gets ``scheduled_for``: the period's start."""

    name: str
    kind: str
    every: float
    payload: dict[str, Any] = field(default_factory=dict)
    at_start: bool = True
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    def __post_init__(self) -> None:
        if self.every < 1:
            raise ValueError(f"schedule {self.name}: every must be at least 1 second")

    def next_after(self, moment: datetime) -> datetime:
        """The first period start strictly after ``moment``."""
        slot = math.floor(moment.timestamp() / self.every) + 1
        return datetime.fromtimestamp(slot * self.every, UTC)


def tick(db: Database, schedules: list[Schedule], now: datetime | None = None) -> list[int]:
    """Enqueue the jobs of the schedules that are due; returns the new jobs' ids."""
    enqueued: list[int] = []
    for schedule in schedules:
        try:
            job_id = _tick_one(db, schedule, now or utcnow())
        except IntegrityError:  # another worker created the schedule's row meanwhile
            continue
        if job_id is not None:
            enqueued.append(job_id)
    return enqueued


def _tick_one(db: Database, schedule: Schedule, now: datetime) -> int | None:
    with db.read() as session:
        due = session.scalar(select(JobSchedule.next_run).where(JobSchedule.name == schedule.name))
    if due is None:
        first = now if schedule.at_start else schedule.next_after(now)
        with db.write() as uow:
            uow.session.add(JobSchedule(name=schedule.name, next_run=first))
        due = first
    if due > now:
        return None
    with db.write() as uow:
        moved = uow.session.execute(
            update(JobSchedule)
            .where(JobSchedule.name == schedule.name, JobSchedule.next_run == due)
            .values(next_run=schedule.next_after(now), last_enqueued=now)
            .execution_options(synchronize_session=False)
        )
        if not moved.rowcount:  # type: ignore[attr-defined]
            return None  # another worker took this period
        payload = {**schedule.payload, "scheduled_for": isoformat(due)}
        job = enqueue(uow.session, schedule.kind, payload, max_attempts=schedule.max_attempts)
        uow.session.execute(
            update(JobSchedule)
            .where(JobSchedule.name == schedule.name)
            .values(last_job_id=job.id)
            .execution_options(synchronize_session=False)
        )
        job_id = job.id
    log.info("schedule %s: enqueued job %s", schedule.name, job_id)
    return job_id
