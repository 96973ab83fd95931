"""Index migrations: a new version is built beside the live one while the repository is
in use, then the alias switches; nobody sees an error or misses a record meanwhile."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from cairn.files.component import FilesComponent
from cairn.records.index_docs import DRAFTS, INDEXES, RECORDS, DocumentSource
from cairn.records.indexer import Indexer
from cairn.records.migration import IndexMigrations, MigrationError
from cairn.search.tantivy_engine import TantivyEngine
from tests.conftest import serve
from tests.factories import Factory, minimal_record
from tests.processes import run_cairn
from tests.service.test_indexer import found_ids, insert_published, new_indexer


def _cli(instance: Path, db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_cairn(instance, "index", *args, CAIRN_DATABASE_URL=db_url)
    assert result.returncode == 0, f"cairn index {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


class Load:
    """Writer threads publishing records and reader threads searching, over HTTP, until
    stopped; every request's failure is kept, and every search must count at least the
    records published before it began and list the newest of them."""

    def __init__(self, base: str, token: str, word: str) -> None:
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}"}
        self.word = word
        self.published: list[str] = []
        self.failures: list[str] = []
        self.searches = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._write, daemon=True) for _ in range(2)] + [
            threading.Thread(target=self._read, daemon=True) for _ in range(2)
        ]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _fail(self, what: str) -> None:
        with self._lock:
            self.failures.append(what)

    def _write(self) -> None:
        session = requests.Session()
        session.headers.update(self.headers)
        n = 0
        while not self._stop.is_set():
            n += 1
            try:
                r = session.post(
                    f"{self.base}/api/records",
                    json=minimal_record(title=f"Load {self.word} {n}"),
                    timeout=30,
                )
                if r.status_code != 201:
                    self._fail(f"create {r.status_code} {r.text}")
                    continue
                rid = r.json()["id"]
                r = session.post(f"{self.base}/api/records/{rid}/draft/actions/publish", timeout=30)
                if r.status_code != 202:
                    self._fail(f"publish {r.status_code} {r.text}")
                    continue
            except requests.RequestException as exc:
                self._fail(f"write {exc!r}")
                continue
            with self._lock:
                self.published.append(rid)

    def _read(self) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            with self._lock:
                count = len(self.published)
                before = set(self.published[-20:])
            try:
                r = session.get(
                    f"{self.base}/api/records",
                    params={"q": f"{self.word} -bulk", "size": 100, "sort": "newest"},
                    timeout=30,
                )
            except requests.RequestException as exc:
                self._fail(f"search {exc!r}")
                continue
            if r.status_code != 200:
                self._fail(f"search {r.status_code} {r.text}")
                continue
            seen = {h["id"] for h in r.json()["hits"]["hits"]}
            if r.json()["hits"]["total"] < count or not before <= seen:
                self._fail(f"search missed {sorted(before - seen)} of {count}")
            with self._lock:
                self.searches += 1


def _wait_dropped(engine: TantivyEngine, name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(engine.versions(name)) != 1:
        assert time.monotonic() < deadline, f"old versions of {name} stay: {engine.versions(name)}"
        time.sleep(0.05)


def _counts_match(indexer: Indexer) -> None:
    with indexer.db.read() as session:
        for name in INDEXES:
            indexer.engine.reload(name)
            assert indexer.engine.document_count(name) == indexer.source.count(session, name), name


@pytest.mark.slow
def test_migrate_by_cli_while_the_server_writes_and_searches(db, tmp_path):
    """`cairn index migrate init|run|rollover` in other processes while a served app keeps
    publishing and searching: no failed request, no record missed, equal counts after."""
    # what is tested is that no change is lost across the switch, not how fast the index
    # follows: on a loaded machine a 5 s wait can run out and answer from a lagging index
    served = serve(tmp_path, db, search_wait_seconds=30)
    try:
        services = served.app.state.services
        indexer = services.search.indexer
        word = "w" + uuid.uuid4().hex[:12]
        user = Factory(services).user()
        bulk = insert_published(db, 2000, f"Load {word} bulk", owner_id=user.id)
        assert indexer.wait_for(indexer.database_seq(), timeout=60)
        old = {name: indexer.engine.alias_target(name) for name in INDEXES}

        with Load(served.base, user.token, word) as load:
            for name in INDEXES:
                _cli(tmp_path, db.url, "migrate", "init", name)
                _cli(tmp_path, db.url, "migrate", "run", name)
                if name == RECORDS:
                    status = _cli(tmp_path, db.url, "migrate", "status", name).stdout
                    assert "is built" in status
                out = _cli(tmp_path, db.url, "migrate", "rollover", name).stdout
                assert f"{name} now serves" in out
            # keep going a little after the switch
            deadline = time.monotonic() + 30
            target = len(load.published) + 10
            while len(load.published) < target or load.searches < 10:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert load.failures == []
        assert len(load.published) >= 10

        for name in INDEXES:
            new = indexer.engine.alias_target(name)
            assert new is not None and new != old[name]
            _wait_dropped(indexer.engine, name)
        assert indexer.wait_for(indexer.database_seq(), timeout=30)
        everything = set(bulk) | set(load.published)
        seen = found_ids(indexer.engine, RECORDS, word)
        assert len(seen) == len(set(seen)) and set(seen) == everything
        assert sorted(found_ids(indexer.engine, DRAFTS, word)) == sorted(seen)
        _counts_match(indexer)
        r = requests.get(f"{served.base}/api/records", params={"q": word, "size": 1}, timeout=30)
        assert r.json()["hits"]["total"] == len(everything)
    finally:
        served.stop()


def test_migrate_in_process_while_writing(services, factory, db, tmp_path):
    """The same steps in the writer's own process (no CLI): rollover switches at once."""
    indexer = new_indexer(db, tmp_path / "search", refresh=0.05)
    indexer.start()
    user = factory.user()
    made: list[str] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def publish() -> None:
        try:
            n = 0
            while not stop.is_set():
                n += 1
                made.append(factory.record(user, title=f"inprocess migword {n}").id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=publish, daemon=True)
    try:
        made += insert_published(db, 500, "inprocess migword bulk")
        thread.start()
        migrations = IndexMigrations(indexer)
        for name in INDEXES:
            before = indexer.engine.alias_target(name)
            state = migrations.init(name)
            assert migrations.run(name).status == "built"
            indexer.wait_for(indexer.database_seq(), timeout=30)
            assert migrations.rollover(name).version == state.version
            assert indexer.engine.alias_target(name) == state.version != before
            assert indexer.engine.versions(name) == [state.version]
        stop.set()
        thread.join(timeout=30)
        assert errors == []
        assert indexer.wait_for(indexer.database_seq(), timeout=30)
        seen = found_ids(indexer.engine, RECORDS, "migword")
        assert sorted(seen) == sorted(made)
        _counts_match(indexer)
        assert all(s.migration is None and s.current for s in migrations.status())
    finally:
        stop.set()
        indexer.stop()
        indexer.engine.close()


def test_cancel_drops_the_new_version(factory, db, tmp_path):
    factory.record(factory.user(), title="cancelled cancelword")
    indexer = new_indexer(db, tmp_path / "search", refresh=0.05)
    indexer.start()
    try:
        migrations = IndexMigrations(indexer)
        live = indexer.engine.alias_target(RECORDS)
        state = migrations.init(RECORDS)
        assert sorted(indexer.engine.versions(RECORDS)) == sorted([live, state.version])
        assert migrations.cancel(RECORDS).version == state.version
        assert indexer.engine.versions(RECORDS) == [live]
        assert all(s.migration is None for s in migrations.status())

        # a built one too (the writer keeps it current until then)
        state = migrations.init(RECORDS)
        migrations.run(RECORDS)
        factory.record(factory.user(), title="cancelled cancelword later")
        assert indexer.wait_for(indexer.database_seq(), timeout=30)
        migrations.cancel(RECORDS)
        assert indexer.engine.versions(RECORDS) == [live]
        assert indexer.engine.alias_target(RECORDS) == live
        assert len(found_ids(indexer.engine, RECORDS, "cancelword")) == 2

        with pytest.raises(MigrationError):
            migrations.cancel(RECORDS)
        with pytest.raises(MigrationError):
            migrations.rollover(RECORDS)
        with pytest.raises(MigrationError):
            migrations.run(RECORDS)
        with pytest.raises(MigrationError):
            migrations.init("bogus")
        migrations.init(DRAFTS)
        with pytest.raises(MigrationError):
            migrations.init(DRAFTS)
        with pytest.raises(MigrationError):
            migrations.rollover(DRAFTS)  # not built yet
        with pytest.raises(MigrationError):
            migrations.rebuild()  # a migration is in progress
        migrations.cancel(DRAFTS)
    finally:
        indexer.stop()
        indexer.engine.close()


def test_status_reports_an_outdated_definition_after_a_language_change(factory, db, tmp_path):
    root = tmp_path / "search"
    rid = factory.record(factory.user(), title="Les chevaux mangeaient").id
    english = new_indexer(db, root)
    assert english.lock.acquire()
    english.catch_up()
    english.lock.release()
    rows = IndexMigrations(english).status()
    assert [r.name for r in rows] == list(INDEXES)
    assert all(r.current and r.definition["language"] == "english" for r in rows)
    assert all(r.applied_seq == r.database_seq for r in rows)
    english.engine.close()

    french = Indexer(db, TantivyEngine(root, language="french"), DocumentSource([FilesComponent()]))
    migrations = IndexMigrations(french)
    rows = {r.name: r for r in migrations.status()}
    assert not rows[RECORDS].current and not rows[DRAFTS].current
    assert rows[RECORDS].definition["language"] == "english"
    assert rows[RECORDS].documents == 1

    migrations.rebuild((RECORDS,))
    rows = {r.name: r for r in migrations.status()}
    assert rows[RECORDS].current and rows[RECORDS].definition["language"] == "french"
    assert not rows[DRAFTS].current
    assert found_ids(french.engine, RECORDS, "chevaux") == [rid]
    french.engine.close()
