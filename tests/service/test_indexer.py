"""The indexer keeps the search indexes equal to the database, fed by the change log:
after a crash (nothing running, or a catch-up killed with SIGKILL) it resumes from the
sequence number the index stored, and only one process per index folder writes."""

from __future__ import annotations

import copy
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from cairn.core.identity import SYSTEM
from cairn.core.ids import generate_id
from cairn.core.timeutil import utcnow
from cairn.db import Database
from cairn.db.changes import record_changes
from cairn.db.migrate import upgrade
from cairn.files.component import FilesComponent
from cairn.records.index_docs import DRAFTS, INDEXES, RECORDS, DocumentSource
from cairn.records.indexer import Indexer
from cairn.records.models import Parent, Record
from cairn.records.schema import load_draft
from cairn.search import SearchRequest
from cairn.search.tantivy_engine import TantivyEngine
from cairn.vocabularies import load_registry
from tests.factories import minimal_record
from tests.processes import cairn_env, run_cairn


def insert_published(
    db: Database, count: int, title: str, *, owner_id: int | None = None
) -> list[str]:
    """``count`` published records (one version each) written straight into the tables,
    with one change-log row each, in one transaction: the quick way to make thousands of
    hits.  ``created`` grows by a millisecond per record, in the order of the ids returned."""
    data, errors = load_draft(minimal_record(title=title), load_registry())
    assert not errors
    wanted: set[str] = set()
    while len(wanted) < 2 * count:
        wanted.add(generate_id())
    ids = sorted(wanted)
    parents, records = ids[:count], ids[count:]
    now = utcnow()
    with db.write() as uow:
        session = uow.session
        session.execute(
            insert(Parent.__table__),
            [
                {
                    "id": p,
                    "owner_id": owner_id,
                    "data": {},
                    "latest_id": r,
                    "latest_index": 1,
                    "draft_id": None,
                    "created": now,
                    "updated": now,
                    "revision_id": 1,
                }
                for p, r in zip(parents, records, strict=True)
            ],
        )
        session.execute(
            insert(Record.__table__),
            [
                {
                    "id": r,
                    "parent_id": p,
                    "index": 1,
                    "data": copy.deepcopy(data),
                    "access_record": "public",
                    "was_public": True,
                    "title": title,
                    "created": now + timedelta(milliseconds=i),
                    "updated": now,
                    "is_deleted": False,
                    "tombstone": None,
                    "revision_id": 1,
                }
                for i, (p, r) in enumerate(zip(parents, records, strict=True))
            ],
        )
        record_changes(session, [("record", r, "publish") for r in records])
    return records


def new_indexer(db: Database, root: Path, **kwargs: Any) -> Indexer:
    indexer = Indexer(db, TantivyEngine(root), DocumentSource([FilesComponent()]), **kwargs)
    indexer.ensure_indexes()
    return indexer


def found_ids(engine: TantivyEngine, index: str, q: str) -> list[str]:
    """Every id ``q`` finds in ``index``, walking with a cursor (duplicates kept)."""
    engine.reload(index)
    ids: list[str] = []
    cursor: str | None = ""
    total = -1
    while cursor is not None:
        result = engine.search(index, SearchRequest(q=q, sort="newest", size=1000, cursor=cursor))
        ids += result.ids
        total = result.total
        cursor = result.next_cursor
    assert len(ids) == total
    return ids


def _stop(indexer: Indexer) -> None:
    indexer.stop()
    indexer.engine.close()


def test_changes_committed_while_no_indexer_runs_are_caught_up(services, factory, db, tmp_path):
    """The database commits without any indexer of this folder running; an indexer started
    later finds everything, and one restarted later resumes from the stored seq."""
    user = factory.user()
    first = [factory.record(user, title=f"offline crashword number {i}").id for i in range(5)]
    draft = factory.draft(user, title="offline crashword draft")

    indexer = new_indexer(db, tmp_path / "search")
    assert indexer.applied_seq() == 0
    indexer.start()
    try:
        assert indexer.wait_for(indexer.database_seq(), timeout=30)
        assert sorted(found_ids(indexer.engine, RECORDS, "crashword")) == sorted(first)
        assert sorted(found_ids(indexer.engine, DRAFTS, "crashword")) == sorted([*first, draft.id])
    finally:
        _stop(indexer)
    stored = indexer.applied_seq()
    assert stored == indexer.database_seq()

    # more commits while nothing runs; a new indexer applies only those
    later = [factory.record(user, title=f"offline crashword later {i}").id for i in range(3)]
    services.records.delete_record(SYSTEM, first[0])
    restarted = new_indexer(db, tmp_path / "search")
    assert restarted.applied_seq() == stored
    applied: list[int] = []
    assert restarted.lock.acquire()
    try:
        reached = restarted.catch_up(progress=applied.append)
        assert reached == restarted.database_seq() == restarted.applied_seq()
        assert sum(applied) == reached - stored  # only the new changes were read
        assert sorted(found_ids(restarted.engine, RECORDS, "crashword")) == sorted(
            first[1:] + later
        )
    finally:
        restarted.lock.release()
        restarted.engine.close()


def test_second_indexer_on_the_same_folder_only_reads(factory, db, tmp_path):
    """Two indexers share a folder: the one holding the lock writes; the other never
    writes, yet its ``wait_for`` sees the first one's commits (asking it to hurry)."""
    writer = new_indexer(db, tmp_path / "search", refresh=30.0)
    reader = new_indexer(db, tmp_path / "search", refresh=0.2)
    writer.start()
    try:
        deadline = time.monotonic() + 10
        while not writer.lock.held:
            assert time.monotonic() < deadline, "the first indexer never took the lock"
            time.sleep(0.01)
        reader.start()
        user = factory.user()
        rid = factory.record(user, title="sharedfolder lockword").id
        seq = reader.database_seq()
        # refresh is 30 s: only the wake-up doorbell makes this quick
        started = time.monotonic()
        assert reader.wait_for(seq, timeout=20)
        assert time.monotonic() - started < 10
        assert not reader.lock.held
        assert found_ids(reader.engine, RECORDS, "lockword") == [rid]
        assert reader.applied_seq() >= seq
    finally:
        _stop(reader)
        _stop(writer)


def test_stop_is_prompt_for_an_indexer_waiting_for_the_lock(db, tmp_path):
    """An indexer that only reads (another holds the lock) stops at once, whatever its
    ``refresh``: it must not sleep through ``stop()`` (up to 60 s with the settings'
    maximum, longer than ``stop``'s 30 s join)."""
    writer = new_indexer(db, tmp_path / "search", refresh=0.05)
    reader = new_indexer(db, tmp_path / "search", refresh=5.0)
    writer.start()
    try:
        deadline = time.monotonic() + 10
        while not writer.lock.held:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        reader.start()
        time.sleep(0.2)  # let the reader find the lock taken
        started = time.monotonic()
        reader.stop()
        assert time.monotonic() - started < 2.0
    finally:
        _stop(reader)
        _stop(writer)


def test_second_indexer_takes_over_when_the_writer_stops(factory, db, tmp_path):
    first = new_indexer(db, tmp_path / "search", refresh=0.05)
    second = new_indexer(db, tmp_path / "search", refresh=0.05)
    first.start()
    try:
        deadline = time.monotonic() + 10
        while not first.lock.held:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        second.start()
        _stop(first)
        rid = factory.record(factory.user(), title="takeover heirword").id
        assert second.wait_for(second.database_seq(), timeout=20)
        deadline = time.monotonic() + 10
        while not second.lock.held:
            assert time.monotonic() < deadline, "the second indexer never took over"
            time.sleep(0.01)
        assert found_ids(second.engine, RECORDS, "heirword") == [rid]
    finally:
        _stop(second)
        _stop(first)


def test_an_index_ahead_of_the_database_is_rebuilt(services, factory, db, tmp_path):
    """A database restored from a backup is behind the index: the writer rebuilds."""
    from cairn.records.migration import IndexMigrations

    indexer = new_indexer(db, tmp_path / "search", refresh=0.05)
    indexer.rebuilder = IndexMigrations(indexer).rebuild
    rid = factory.record(factory.user(), title="ahead futureword").id
    assert indexer.lock.acquire()
    indexer.catch_up()
    # pretend the index has seen far more changes than the database holds
    for name in INDEXES:
        indexer.engine.apply(name, [], indexer.database_seq() + 1000)
    indexer.lock.release()
    indexer.start()
    try:
        deadline = time.monotonic() + 30
        while indexer.applied_seq() != indexer.database_seq():
            assert time.monotonic() < deadline, "the index ahead was not rebuilt"
            time.sleep(0.05)
        assert found_ids(indexer.engine, RECORDS, "futureword") == [rid]
    finally:
        _stop(indexer)


# -- a real crash ------------------------------------------------------------------------------
@pytest.mark.slow
def test_index_update_killed_mid_way_then_run_again(tmp_path):
    """``cairn index update`` is SIGKILLed between two of its commits; run again, it
    finishes, and every record is in each index exactly once."""
    instance = tmp_path / "instance"
    setup = run_cairn(instance, "db", "upgrade")
    assert setup.returncode == 0, setup.stderr
    db = Database(f"sqlite:///{instance / 'cairn.db'}")
    upgrade(db)
    count = 12_000  # six commits of 2,000 changes
    ids = insert_published(db, count, "killed killword")
    end = Indexer(db, TantivyEngine(instance / "search"), DocumentSource()).database_seq()

    watcher = TantivyEngine(instance / "search")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cairn", "index", "update"],
        env=cairn_env(instance),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    killed_at = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                watcher.reload(RECORDS)
                seq = watcher.applied_seq(RECORDS)
            except Exception:  # the index does not exist yet
                seq = 0
            if 0 < seq < end:
                proc.send_signal(signal.SIGKILL)
                killed_at = seq
                break
            time.sleep(0.005)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert killed_at is not None, (
        f"cairn index update was not caught mid-way (exit {proc.returncode}): "
        f"{proc.stderr.read().decode() if proc.stderr else ''}"
    )
    assert proc.returncode == -signal.SIGKILL
    if proc.stderr is not None:
        proc.stderr.close()

    again = run_cairn(instance, "index", "update")
    assert again.returncode == 0, again.stderr
    assert f"Indexes at change {end}." in again.stdout

    engine = TantivyEngine(instance / "search")
    indexer = Indexer(db, engine, DocumentSource())
    for name in INDEXES:
        engine.reload(name)
    assert indexer.applied_seq() == indexer.database_seq() == end
    for name in INDEXES:
        seen = found_ids(engine, name, "killword")
        assert len(seen) == len(set(seen)) == count, name
        assert set(seen) == set(ids), name
    engine.close()
    watcher.close()
    db.dispose()


def test_after_a_switch_searches_wait_for_the_version_now_live(db, tmp_path):
    """What a search waits for is the version its index name points at: right after a
    migration's rollover to a version that is behind, waiting must not pass on the old
    version's progress (it did, and searches missed records)."""
    indexer = new_indexer(db, tmp_path / "search")
    assert indexer.lock.acquire()
    try:
        insert_published(db, 3, "Before the switch")
        seq = indexer.catch_up()
        assert indexer.wait_for(seq, timeout=0.2, names=[RECORDS])
        behind = indexer.engine.create_version(RECORDS)  # empty: nothing applied yet
        indexer.engine.switch_alias(RECORDS, behind)
        assert not indexer.wait_for(seq, timeout=0.2, names=[RECORDS])
        indexer.catch_up()
        assert indexer.wait_for(seq, timeout=0.2, names=[RECORDS])
        assert len(found_ids(indexer.engine, RECORDS, "switch")) == 3
    finally:
        indexer.lock.release()
        _stop(indexer)
