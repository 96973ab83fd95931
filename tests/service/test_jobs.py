"""Background jobs against the real database (SQLite, or PostgreSQL from
CAIRN_TEST_DATABASE_URL): the outbox rides the unit of work, claims are exclusive across
threads and processes, leases bring back the jobs of killed workers, failures retry with
backoff and are kept, schedules enqueue once per period."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cairn.app import build_job_runner
from cairn.core.identity import SYSTEM
from cairn.core.timeutil import utcnow
from cairn.db.job_admin import JobAdministration
from cairn.db.jobs import DONE, FAILED, QUEUED, RUNNING, Job, JobSchedule, enqueue
from cairn.jobs import JobContext, JobRegistry, JobRunner, Schedule, queue
from cairn.jobs.queue import Backoff
from cairn.jobs.schedules import tick
from tests.processes import cairn_env
from tests.service import jobs_support

ROOT = Path(__file__).resolve().parents[2]


def _jobs(db) -> list[Job]:
    with db.read() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def _job(db, job_id: int) -> Job:
    with db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _add(db, kind: str, payload=None, **kwargs) -> int:
    with db.write() as uow:
        return enqueue(uow.session, kind, payload, **kwargs).id


def _wait(predicate, timeout: float = 30.0, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


def test_a_job_exists_only_if_its_transaction_committed(db):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), db.write() as uow:
        enqueue(uow.session, "test.effect", {"n": 1})
        raise Boom()
    assert _jobs(db) == []
    job_id = _add(db, "test.effect", {"n": 2})
    [job] = _jobs(db)
    assert (job.id, job.state, job.payload, job.attempts) == (job_id, QUEUED, {"n": 2}, 0)
    with pytest.raises(ValueError):
        _add(db, "")


def test_many_threads_claim_each_job_exactly_once(db):
    ids = [_add(db, "test.count", {"i": i}) for i in range(120)]
    ran: list[int] = []
    lock = threading.Lock()

    def count(job: JobContext) -> None:
        with lock:
            ran.append(job.id)

    registry = JobRegistry()
    registry.register("test.count", count)
    runners = [JobRunner(db, registry, concurrency=3, poll=0.05) for _ in range(3)]
    for runner in runners:
        runner.start()
    try:
        _wait(lambda: len(ran) >= len(ids))
        time.sleep(0.3)  # a double claim would show up as an extra run
    finally:
        for runner in runners:
            runner.stop()
    assert sorted(ran) == ids
    assert {job.state for job in _jobs(db)} == {DONE}
    assert all(job.attempts == 1 and job.locked_by is None for job in _jobs(db))


def test_only_registered_kinds_are_claimed(db):
    other = _add(db, "test.elsewhere")
    assert queue.claim(db, "w1", ["test.count"], lease=10) is None
    assert _job(db, other).state == QUEUED
    claimed = queue.claim(db, "w1", ["test.elsewhere"], lease=10)
    assert claimed is not None and claimed.id == other


def test_a_lost_lease_lets_another_worker_take_the_job(db):
    job_id = _add(db, "test.effect")
    first = queue.claim(db, "worker-a", ["test.effect"], lease=0.3)
    assert first is not None and first.attempts == 1
    assert queue.claim(db, "worker-b", ["test.effect"], lease=10) is None  # still leased
    time.sleep(0.4)
    second = queue.claim(db, "worker-b", ["test.effect"], lease=10)
    assert second is not None and (second.id, second.attempts) == (job_id, 2)
    assert not queue.complete(db, job_id, "worker-a")  # the old holder cannot finish it
    assert queue.complete(db, job_id, "worker-b")
    assert _job(db, job_id).state == DONE


def test_renewed_leases_keep_long_jobs(db):
    job_id = _add(db, "test.slow")
    started = threading.Event()

    def slow(job: JobContext) -> None:
        started.set()
        time.sleep(1.2)

    registry = JobRegistry()
    registry.register("test.slow", slow)
    runner = JobRunner(db, registry, poll=0.05, lease=0.6)
    runner.start()
    try:
        started.wait(10)
        time.sleep(0.8)  # past the first lease: renewed, so nobody else may take it
        assert queue.claim(db, "thief", ["test.slow"], lease=10) is None
        _wait(lambda: _job(db, job_id).state == DONE)
    finally:
        runner.stop()
    assert _job(db, job_id).attempts == 1


def test_failures_retry_with_backoff_and_are_kept(db):
    calls: dict[int, list[float]] = {}

    def flaky(job: JobContext) -> None:
        calls.setdefault(job.id, []).append(time.monotonic())
        if job.payload["fail_times"] >= job.attempt:
            raise RuntimeError(f"DataCite said no (attempt {job.attempt})")

    registry = JobRegistry()
    registry.register("test.flaky", flaky)
    recovers = _add(db, "test.flaky", {"fail_times": 2}, max_attempts=5)
    hopeless = _add(db, "test.flaky", {"fail_times": 99}, max_attempts=2)
    runner = JobRunner(db, registry, poll=0.02, backoff=Backoff(base=0.4, cap=10))
    runner.start()
    try:
        _wait(lambda: _job(db, recovers).state == DONE and _job(db, hopeless).state == FAILED)
    finally:
        runner.stop()
    good, bad = _job(db, recovers), _job(db, hopeless)
    assert good.attempts == 3 and "attempt 2" in (good.last_error or "")
    assert bad.attempts == 2 and bad.finished is not None and bad.locked_by is None
    assert (bad.last_error or "").startswith("RuntimeError: DataCite said no (attempt 2)")
    assert "Traceback" in (bad.last_error or "")
    # retries wait at least half of base * 2**(attempt-1): 0.2 s, then 0.4 s
    first, second, third = calls[recovers]
    assert second - first >= 0.19 and third - second >= 0.39


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap():
    backoff = Backoff(base=10, cap=100)
    for attempt, full in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (9, 100)]:
        delays = [backoff.delay(attempt) for _ in range(200)]
        assert all(full / 2 <= d <= full for d in delays)
        assert len(set(delays)) > 100  # jittered


def test_a_failed_job_is_retried_and_purged_by_an_admin(db, factory):
    admin = JobAdministration(db)
    registry = JobRegistry()
    registry.register("test.flaky", lambda job: (_ for _ in ()).throw(OSError("disk full")))
    job_id = _add(db, "test.flaky", max_attempts=1)
    done_id = _add(db, "test.done")
    registry.register("test.done", lambda job: None)
    runner = JobRunner(db, registry)
    while runner.run_once():
        pass
    page = admin.search(SYSTEM, FAILED)
    assert [j.id for j in page.jobs] == [job_id] and page.counts[FAILED] == 1
    assert page.jobs[0].error_summary == "OSError: disk full"
    with pytest.raises(Exception, match="Permission"):
        admin.retry(factory.user().identity, job_id)
    with pytest.raises(Exception, match="only failed"):
        admin.retry(SYSTEM, done_id)
    again = admin.retry(SYSTEM, job_id)
    assert (again.state, again.attempts) == (QUEUED, 0)
    assert runner.run_once() and _job(db, job_id).state == FAILED
    assert admin.purge(SYSTEM, ["done"], older_than_days=1) == 0
    assert admin.purge(SYSTEM, ["done"]) == 1
    assert admin.purge(SYSTEM) == 1 and _jobs(db) == []
    with pytest.raises(Exception, match="validation"):
        admin.purge(SYSTEM, ["queued"])


def test_a_schedule_enqueues_once_per_period_with_two_workers(db):
    schedule = Schedule(name="test.tick", kind="test.tick", every=1.0)
    ran: list[str] = []
    registry = JobRegistry()
    registry.register("test.tick", lambda job: ran.append(job.payload["scheduled_for"]))
    runners = [JobRunner(db, registry, [schedule], poll=0.02) for _ in range(2)]
    for runner in runners:
        runner.start()
    time.sleep(3.5)
    for runner in runners:
        runner.stop()
    jobs = _jobs(db)
    periods = [job.payload["scheduled_for"] for job in jobs]
    assert 3 <= len(jobs) <= 5 and len(set(periods)) == len(periods)
    assert sorted(ran) == sorted(periods)
    with db.read() as session:
        row = session.get(JobSchedule, "test.tick")
        assert row is not None and row.last_job_id == jobs[-1].id


def test_racing_ticks_enqueue_one_job(db):
    schedule = Schedule(name="test.race", kind="test.race", every=60.0)
    now = schedule.next_after(utcnow()) + timedelta(seconds=1)  # a period's second second
    results: list[list[int]] = []
    barrier = threading.Barrier(6)

    def racer() -> None:
        barrier.wait()
        results.append(tick(db, [schedule], now))

    threads = [threading.Thread(target=racer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(r) for r in results) == 1 and len(_jobs(db)) == 1
    assert tick(db, [schedule], now + timedelta(seconds=30)) == []  # same period
    assert len(tick(db, [schedule], now + timedelta(seconds=61))) == 1


def test_files_gc_job_removes_unreferenced_blobs(db, services, settings):
    local = services.files.storages["local"]
    stray = local.write_stream(iter([b"an upload nobody finished"]))
    old = time.time() - 3600 * 3
    path = local.local_path(stray.uri)
    os.utime(path, (old, old))
    runner = build_job_runner(settings, db, services.files.storages)
    assert "files.gc" in runner.registry.kinds
    job_id = _add(db, "files.gc", {"grace_hours": 1})
    assert runner.run_once()
    assert _job(db, job_id).state == DONE and not local.exists(stray.uri)
    bad = _add(db, "files.gc", {"grace_hours": "soon"}, max_attempts=1)
    assert runner.run_once()
    assert _job(db, bad).state == FAILED and "grace_hours" in (_job(db, bad).last_error or "")


# -- real `cairn worker` processes ---------------------------------------------------------


def _worker(tmp: Path, db, *args: str) -> subprocess.Popen[str]:
    env = cairn_env(tmp, CAIRN_DATABASE_URL=db.url, PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "cairn", "worker", "--handlers", "tests.service.jobs_support"]
    return subprocess.Popen(
        [*command, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _started(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("Worker "), line


def _stop(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=60)
    return out


def test_two_worker_processes_share_the_jobs_and_run_each_once(db, tmp_path):
    jobs_support.create_effects_table(db)
    workers = [_worker(tmp_path / f"w{i}", db, "--concurrency", "2") for i in range(2)]
    try:
        for process in workers:
            _started(process)
        ids = [_add(db, "test.effect", {"sleep": 0.1}) for _ in range(60)]
        _wait(lambda: len(jobs_support.effects(db)) >= len(ids), timeout=60)
        time.sleep(0.5)
    finally:
        outputs = [_stop(process) for process in workers]
    effects = jobs_support.effects(db)
    assert [e[0] for e in effects] == ids, outputs
    by_worker = Counter(pid for _, pid, _ in effects)
    assert set(by_worker) == {p.pid for p in workers}  # both took a share
    assert all(job.state == DONE and job.attempts == 1 for job in _jobs(db))
    assert all(p.returncode == 0 for p in workers)


def test_a_job_of_a_killed_worker_runs_again_once(db, tmp_path):
    jobs_support.create_effects_table(db)
    job_id = _add(db, "test.effect", {"sleep": 4})
    first = _worker(tmp_path / "a", db, "--lease", "2")
    _started(first)
    _wait(lambda: _job(db, job_id).state == RUNNING)
    assert f":{first.pid}:" in (_job(db, job_id).locked_by or "")
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=10)
    assert _job(db, job_id).state == RUNNING and jobs_support.effects(db) == []
    second = _worker(tmp_path / "b", db, "--lease", "2")
    try:
        _started(second)
        _wait(lambda: _job(db, job_id).state == DONE, timeout=60)
    finally:
        _stop(second)
    job = _job(db, job_id)
    assert job.attempts == 2 and job.locked_by is None
    assert jobs_support.effects(db) == [(job_id, second.pid, 2)]


def test_sigterm_lets_the_running_job_finish(db, tmp_path):
    jobs_support.create_effects_table(db)
    job_id = _add(db, "test.effect", {"sleep": 1.5})
    process = _worker(tmp_path / "t", db)
    _started(process)
    _wait(lambda: _job(db, job_id).state == RUNNING)
    out = _stop(process)
    assert process.returncode == 0, out
    assert _job(db, job_id).state == DONE
    assert jobs_support.effects(db) == [(job_id, process.pid, 1)]


def test_sigterm_gives_back_a_job_that_outlives_the_grace(db, tmp_path):
    jobs_support.create_effects_table(db)
    job_id = _add(db, "test.effect", {"sleep": 30})
    process = _worker(tmp_path / "g", db, "--grace", "0.5")
    _started(process)
    _wait(lambda: _job(db, job_id).state == RUNNING)
    out = _stop(process)
    assert process.returncode == 0 and f"Gave back unfinished jobs: {job_id}" in out
    job = _job(db, job_id)
    assert (job.state, job.attempts, job.locked_by) == (QUEUED, 0, None)


def test_the_registry_takes_dotted_kinds_once():
    registry = JobRegistry()
    registry.register("doi.register", lambda job: None)
    for bad in ("", "DOI", "doi register", "doi.", "x" * 65):
        with pytest.raises(ValueError):
            registry.register(bad, lambda job: None)
    with pytest.raises(ValueError, match="twice"):
        registry.register("doi.register", lambda job: None)
    assert registry.kinds == ["doi.register"] and "doi.register" in registry
