"""Background jobs: handlers by kind, the queue's claim/finish steps, the worker, schedules.

Jobs are rows of the ``jobs`` table (:mod:`cairn.db.jobs`), enqueued in the unit of work
that causes them.  A :class:`JobRunner` claims and runs them: as a thread of ``cairn serve``
and in any number of ``cairn worker`` processes on one or several machines.
"""

from cairn.jobs.registry import JobContext, JobRegistry
from cairn.jobs.schedules import Schedule
from cairn.jobs.worker import JobRunner

__all__ = ["JobContext", "JobRegistry", "JobRunner", "Schedule"]
