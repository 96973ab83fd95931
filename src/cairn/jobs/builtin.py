"""Cairn's own job kinds.

``files.gc``: garbage collection of stored files, as ``cairn files gc`` does it by hand:
blobs no draft or record refers to any more, stray bytes in storage, expired resumable
(tus) uploads and abandoned multipart uploads, all older than the grace period
(payload ``grace_hours``, default the setting ``files_gc_grace_hours``).  Scheduled hourly.
"""

from __future__ import annotations

import logging

from cairn.core.identity import SYSTEM
from cairn.files.maintenance import FilesMaintenance
from cairn.jobs.registry import JobContext, JobRegistry
from cairn.jobs.schedules import Schedule

log = logging.getLogger(__name__)

FILES_GC = "files.gc"
FILES_GC_EVERY = 3600.0


class FilesGarbageCollection:
    """The ``files.gc`` handler."""

    def __init__(self, maintenance: FilesMaintenance, grace_hours: int) -> None:
        self.maintenance = maintenance
        self.grace_hours = grace_hours

    def __call__(self, job: JobContext) -> None:
        grace = job.payload.get("grace_hours", self.grace_hours)
        if not isinstance(grace, int) or isinstance(grace, bool) or grace < 0:
            raise ValueError(f"payload grace_hours must be a whole number >= 0, not {grace!r}")
        result = self.maintenance.collect(SYSTEM, grace)
        log.info("files.gc (job %s): %s", job.id, result)


def register_builtin(
    registry: JobRegistry, maintenance: FilesMaintenance, grace_hours: int
) -> list[Schedule]:
    """Register the built-in kinds; returns their schedules."""
    registry.register(FILES_GC, FilesGarbageCollection(maintenance, grace_hours))
    return [Schedule(name=FILES_GC, kind=FILES_GC, every=FILES_GC_EVERY, max_attempts=3)]
