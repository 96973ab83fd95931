"""``pids.register``: bring a DOI registry up to date with a record.

The payload names the DOI; what to send is read when the job runs (the record as it is
then), so a late or repeated job never sends stale metadata. A public record's DOI is
registered (or updated) with its landing page and DataCite XML; a deleted or restricted
record's DOI is hidden. A registry that cannot be reached (:class:`RetriableError`) fails the
attempt, which the job machinery retries with backoff; a refusal (:class:`PermanentError`)
is kept as the DOI's ``failed`` state without retries, since sending the same request again
cannot succeed. Either way the reason shows on the record for its owners and admins.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from cairn.db import Database
from cairn.jobs.registry import JobContext, JobRegistry
from cairn.pids import DoiProvider, PermanentError, RetriableError
from cairn.records.doi_documents import DoiDocuments
from cairn.records.pids import FAILED, HIDDEN, REGISTER_JOB, REGISTERED, RESERVED

log = logging.getLogger(__name__)


class RegisterDoi:
    """The ``pids.register`` handler."""

    def __init__(
        self, db: Database, dois: DoiDocuments, providers: Mapping[str, DoiProvider]
    ) -> None:
        self.db = db
        self.dois = dois
        self.providers = dict(providers)

    def __call__(self, job: JobContext) -> None:
        doi = job.payload.get("doi")
        if not isinstance(doi, str) or not doi:
            raise ValueError(f"payload doi must be a DOI, not {doi!r}")
        with self.db.read() as session:
            task = self.dois.registration(session, doi)
        if task is None:
            log.info("pids.register (job %s): %s is no longer Cairn's, nothing to do", job.id, doi)
            return
        provider = self.providers.get(task.provider)
        if provider is None:
            reason = f"The DOI provider {task.provider!r} is not configured."
            self._mark(doi, FAILED, reason=reason, seen=task.seen)
            return
        try:
            if task.action == "register":
                provider.register(task.doi, task.url, task.xml)
                state, remote = REGISTERED, "findable"
            elif task.action == "hide":
                provider.hide(task.doi)
                state, remote = HIDDEN, "registered"
            else:
                state, remote = (HIDDEN if task.remote else RESERVED), None
        except RetriableError as exc:
            retry = job.attempt < job.max_attempts
            self._mark(doi, FAILED, reason=str(exc), will_retry=retry, seen=task.seen)
            raise
        except PermanentError as exc:
            log.warning("pids.register (job %s): %s refused: %s", job.id, doi, exc)
            self._mark(doi, FAILED, reason=str(exc), seen=task.seen)
            return
        self._mark(doi, state, remote=remote, seen=task.seen)

    def _mark(
        self,
        doi: str,
        state: str,
        remote: str | None = None,
        reason: str | None = None,
        will_retry: bool = False,
        seen: datetime | None = None,
    ) -> None:
        with self.db.write() as uow:
            self.dois.mark(uow.session, doi, state, remote, reason, will_retry, seen)


def register_pids(
    registry: JobRegistry, db: Database, dois: DoiDocuments, providers: Mapping[str, DoiProvider]
) -> None:
    registry.register(REGISTER_JOB, RegisterDoi(db, dois, providers))
