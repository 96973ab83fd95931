"""The worker: threads that claim and run jobs, and one that renews leases and ticks
schedules. ``cairn serve`` runs one in a thread; ``cairn worker`` runs one per process."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

from cairn.db import Database
from cairn.db.jobs import DONE
from cairn.jobs import queue
from cairn.jobs.queue import Backoff, Claimed
from cairn.jobs.registry import JobContext, JobRegistry
from cairn.jobs.schedules import Schedule, tick

log = logging.getLogger(__name__)


def worker_name() -> str:
    """``host:pid:random``: who holds a job, as shown in ``cairn jobs list``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class JobRunner:
    """Runs the jobs of the kinds in ``registry`` with ``concurrency`` threads.

    ``poll`` is how long an idle thread waits before looking for work again; ``lease`` how
    long a claimed job stays reserved without a renewal (renewed every third of it while the
    handler runs). :meth:`stop` lets running jobs finish for ``grace`` seconds and gives
    back the ones still running after that.
    """

    def __init__(
        self,
        db: Database,
        registry: JobRegistry,
        schedules: list[Schedule] | None = None,
        *,
        concurrency: int = 1,
        poll: float = 1.0,
        lease: float = 60.0,
        backoff: Backoff | None = None,
        name: str | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be 1 or more")
        self.db = db
        self.registry = registry
        self.schedules = list(schedules or [])
        self.concurrency = concurrency
        self.poll = poll
        self.lease = lease
        self.backoff = backoff or Backoff()
        self.name = name or worker_name()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._running: dict[int, Claimed] = {}
        self._lock = threading.Lock()
        self.on_finished: Callable[[int, str], None] | None = None  # (job id, state)

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._work, name=f"cairn-job-{i}", daemon=True)
            for i in range(self.concurrency)
        ]
        self._threads.append(
            threading.Thread(target=self._housekeeping, name="cairn-job-lease", daemon=True)
        )
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        """Look for work now (e.g. after enqueueing in this process)."""
        self._wake.set()

    def stop(self, grace: float = 30.0) -> list[int]:
        """Stop claiming; wait up to ``grace`` seconds for running jobs, then give back
        those still running. Returns the ids given back."""
        self._stop.set()
        self._wake.set()
        workers = [t for t in self._threads if t.name != "cairn-job-lease"]
        deadline = time.monotonic() + grace
        for thread in workers:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        with self._lock:
            unfinished = list(self._running)
        released = [job_id for job_id in unfinished if queue.release(self.db, job_id, self.name)]
        for thread in self._threads:
            if thread not in workers:
                thread.join(timeout=5)
        return released

    def run_once(self) -> bool:
        """Claim and run one job in this thread; False when none was due."""
        job = queue.claim(self.db, self.name, self.registry.kinds, self.lease)
        if job is None:
            return False
        with self._lock:
            self._running[job.id] = job
        try:
            state = self._run(job)
        finally:
            with self._lock:
                self._running.pop(job.id, None)
        if self.on_finished is not None:
            self.on_finished(job.id, state)
        return True

    def _run(self, job: Claimed) -> str:
        handler = self.registry.handler(job.kind)
        if job.attempts > job.max_attempts:
            error = f"Gave up: the workers running this job stopped {job.max_attempts} times."
            return queue.fail(self.db, job, self.name, error, self.backoff)
        try:
            if handler is None:  # claim() only takes registered kinds
                raise LookupError(f"no handler for job kind {job.kind!r}")
            handler(JobContext(job.id, job.kind, job.payload, job.attempts, job.max_attempts))
        except Exception as exc:
            log.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, exc)
            return queue.fail(self.db, job, self.name, queue.error_text(exc), self.backoff)
        if not queue.complete(self.db, job.id, self.name):
            log.warning("job %s finished after its lease was lost", job.id)
        return DONE

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the database went away: keep the thread, try again later
                log.exception("job worker error")
                busy = False
            if not busy:
                self._wake.wait(self.poll)
                self._wake.clear()

    def _housekeeping(self) -> None:
        interval = min(self.poll, self.lease / 3)
        while not self._stop.is_set():
            try:
                with self._lock:
                    ids = list(self._running)
                queue.renew(self.db, ids, self.name, self.lease)
                if self.schedules and tick(self.db, self.schedules):
                    self._wake.set()
            except Exception:
                log.exception("job housekeeping error")
            self._stop.wait(interval)
