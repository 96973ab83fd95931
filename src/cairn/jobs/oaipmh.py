"""The job kinds of OAI-PMH sets defined by a query.

``oaipmh.sets.build`` (payload ``set_id``, ``revision``): gather a set's members after it
was created or its query changed; a build for an older query does nothing.
``oaipmh.sets.catch_up``: apply the change log to the members, every minute, so that a
harvest request rarely has much to apply itself.
"""

from __future__ import annotations

import logging

from cairn.jobs.registry import JobContext, JobRegistry
from cairn.jobs.schedules import Schedule
from cairn.oaipmh.membership import BUILD_JOB, CATCH_UP_EVERY, CATCH_UP_JOB, SetMembership

log = logging.getLogger(__name__)


def _whole(payload: dict[str, object], name: str) -> int:
    value = payload.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"payload {name} must be a whole number >= 1, not {value!r}")
    return value


class BuildSet:
    def __init__(self, membership: SetMembership) -> None:
        self.membership = membership

    def __call__(self, job: JobContext) -> None:
        set_id, revision = _whole(job.payload, "set_id"), _whole(job.payload, "revision")
        done = self.membership.build(set_id, revision)
        log.info(
            "oaipmh.sets.build (job %s): set %s %s",
            job.id,
            set_id,
            "ready" if done else "superseded",
        )


class CatchUp:
    def __init__(self, membership: SetMembership) -> None:
        self.membership = membership

    def __call__(self, job: JobContext) -> None:
        read = self.membership.catch_up()
        if read:
            log.info("oaipmh.sets.catch_up (job %s): %s changes applied", job.id, read)


def register_oaipmh(registry: JobRegistry, membership: SetMembership) -> list[Schedule]:
    registry.register(BUILD_JOB, BuildSet(membership))
    registry.register(CATCH_UP_JOB, CatchUp(membership))
    return [Schedule(name=CATCH_UP_JOB, kind=CATCH_UP_JOB, every=CATCH_UP_EVERY, max_attempts=3)]
