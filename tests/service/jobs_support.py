"""Job kinds for the jobs tests, loaded by ``cairn worker --handlers tests.service.jobs_support``.

``test.effect`` sleeps ``payload["sleep"]`` seconds, then writes one row to ``job_effects``
keyed by the job's id and naming the process, so a test can count how often a job's effect
happened and which worker did it.
"""

from __future__ import annotations

import os
import time

from sqlalchemy import text

from cairn.db import Database
from cairn.jobs import JobContext, JobRegistry

EFFECTS_DDL = "CREATE TABLE IF NOT EXISTS job_effects (job_id BIGINT, pid INTEGER, attempt INTEGER)"


def create_effects_table(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(EFFECTS_DDL))
        conn.execute(text("DELETE FROM job_effects"))


def effects(db: Database) -> list[tuple[int, int, int]]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT job_id, pid, attempt FROM job_effects ORDER BY job_id"))
        return [(int(a), int(b), int(c)) for a, b, c in rows]


def register_jobs(registry: JobRegistry, db: Database) -> None:
    def effect(job: JobContext) -> None:
        time.sleep(float(job.payload.get("sleep", 0)))
        with db.write() as uow:
            uow.session.execute(
                text("INSERT INTO job_effects (job_id, pid, attempt) VALUES (:j, :p, :a)"),
                {"j": job.id, "p": os.getpid(), "a": job.attempt},
            )

    registry.register("test.effect", effect)
