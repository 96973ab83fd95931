"""``cairn jobs`` and ``cairn worker`` as real processes, and the job thread of ``cairn serve``,
on a fresh SQLite instance."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from cairn.db import Database
from cairn.db.jobs import DONE, FAILED, QUEUED, Job, enqueue
from tests.processes import cairn_env, run_cairn


def cairn(instance: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = run_cairn(instance, *args, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"cairn {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    cairn(path, "db", "upgrade")
    return path


@pytest.fixture
def idb(instance: Path):  # the instance's own database, not the test session's
    database = Database(f"sqlite:///{instance / 'cairn.db'}")
    yield database
    database.dispose()


def _add(db: Database, kind: str, payload=None, max_attempts: int = 5) -> int:
    with db.write() as uow:
        return enqueue(uow.session, kind, payload, max_attempts=max_attempts).id


def _states(db: Database) -> dict[int, str]:
    with db.read() as session:
        return {job.id: job.state for job in session.scalars(select(Job))}


def _wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _run_worker_until(instance: Path, predicate) -> str:
    process = subprocess.Popen(
        [sys.executable, "-m", "cairn", "worker", "--concurrency", "2"],
        env=cairn_env(instance, CAIRN_JOBS_POLL_SECONDS="0.1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(predicate)
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    assert process.returncode == 0, out
    return out


def test_list_show_retry_purge(instance, idb):
    db = idb
    failing = _add(db, "files.gc", {"grace_hours": -1}, max_attempts=1)
    fine = _add(db, "files.gc", {"grace_hours": 1})
    waiting = _add(db, "doi.register", {"record": "abcd-1234"})  # no worker has this kind

    def settled() -> bool:  # the three above and the two scheduled kinds have run
        states = _states(db)
        others = [s for i, s in states.items() if i not in (failing, waiting)]
        return states[failing] == FAILED and len(others) == 3 and set(others) == {DONE}

    out = _run_worker_until(instance, settled)
    assert "kinds files.gc" in out
    states = _states(db)
    assert states[waiting] == QUEUED
    scheduled = [i for i in states if i not in (failing, fine, waiting)]
    # the hourly files.gc and the OAI-PMH sets' catch-up every minute
    assert len(scheduled) == 2 and {states[i] for i in scheduled} == {DONE}

    listing = cairn(instance, "jobs", "list").stdout
    assert "doi.register" in listing and "grace_hours must be a whole number" in listing
    assert "5 jobs shown of 5 (queued 1, running 0, done 3, failed 1)" in listing
    failed_only = cairn(instance, "jobs", "list", "--state", "failed").stdout
    assert "files.gc" in failed_only and "failed" in failed_only
    assert "doi.register" not in failed_only and "1 jobs shown of 5" in failed_only
    bad = cairn(instance, "jobs", "list", "--state", "stuck", check=False)
    assert bad.returncode == 1 and "state: Must be one of: queued, running, done, failed" in (
        bad.stderr
    )

    shown = cairn(instance, "jobs", "show", str(failing)).stdout
    assert "ValueError: payload grace_hours" in shown and "Traceback" in shown
    missing = cairn(instance, "jobs", "show", "99999", check=False)
    assert missing.returncode == 1 and "No job with id 99999" in missing.stderr

    assert (
        f"Job {failing} (files.gc) queued again."
        in cairn(instance, "jobs", "retry", str(failing)).stdout
    )
    assert _states(db)[failing] == QUEUED
    not_failed = cairn(instance, "jobs", "retry", str(fine), check=False)
    assert not_failed.returncode == 1 and "only failed jobs are retried" in not_failed.stderr

    assert "Purged 0 jobs." in cairn(instance, "jobs", "purge", "--older-than", "1").stdout
    assert "Purged 3 jobs." in cairn(instance, "jobs", "purge", "--state", "done").stdout
    wrong = cairn(instance, "jobs", "purge", "--state", "queued", check=False)
    assert wrong.returncode == 1 and "Must be one of: done, failed" in wrong.stderr
    assert set(_states(db)) == {failing, waiting}


def test_worker_refuses_a_missing_handlers_module(instance):
    result = cairn(instance, "worker", "--handlers", "no_such_module_here", check=False)
    assert result.returncode == 2 and "no_such_module_here" in result.stderr


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("in_server", ["true", "false"])
def test_serve_runs_jobs_in_a_thread_unless_turned_off(instance, idb, in_server):
    db = idb
    job_id = _add(db, "files.gc", {"grace_hours": 1})
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cairn", "serve", "--port", str(port)],
        env=cairn_env(instance, CAIRN_JOBS_IN_SERVER=in_server, CAIRN_JOBS_POLL_SECONDS="0.1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: _answers(f"http://127.0.0.1:{port}/api/records"))
        if in_server == "true":
            _wait_for(lambda: _states(db).get(job_id) == DONE)
            assert len(_states(db)) == 3  # and the two schedules (files.gc, oaipmh catch-up)
        else:
            time.sleep(2)
            assert _states(db) == {job_id: QUEUED}
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Application shutdown complete" in err, err
