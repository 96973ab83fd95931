"""Index migrations: build a new version of an index beside the live one, keep it current,
switch the alias atomically, drop the old one; and ``rebuild``, which does all of it.

The steps are separate commands so an operator can build for an hour while the old
version keeps serving (``cairn index migrate init|run|status|rollover|cancel``):

* ``init`` creates an empty version with the current definition (fields, analyzer
  language) and a state file next to it.
* ``run`` notes the change log's newest number, bulk-loads every document from the
  database (one commit, so a crash leaves nothing half-loaded: run it again), catches up
  from the noted number, lets go of the version and marks it ``built``.  From then on the
  writer (``cairn serve``'s indexer) applies every change to it as well.
* ``rollover`` waits until the new version has every change, then points the alias at
  it; readers follow on their next search.  The old version is dropped (by the writer
  process when that is another one).
* ``cancel`` drops the new version.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cairn.core.errors import Conflict
from cairn.records import bulk_index
from cairn.records.index_docs import INDEXES
from cairn.records.indexer import Indexer
from cairn.search.coordination import MigrationState

Progress = Callable[[int], None]


class MigrationError(Conflict):
    """A migration step that cannot be taken in the migration's current state."""


@dataclass(frozen=True)
class IndexStatus:
    name: str
    version: str | None
    documents: int
    applied_seq: int
    database_seq: int
    current: bool  # built with the definition a new version would get
    definition: dict[str, Any]
    migration: MigrationState | None


class IndexMigrations:
    def __init__(self, indexer: Indexer) -> None:
        self.indexer = indexer
        self.engine = indexer.engine

    def _check(self, name: str) -> None:
        if name not in INDEXES:
            raise MigrationError(f"unknown index {name!r}; the indexes are {', '.join(INDEXES)}")

    def _state(self, name: str) -> MigrationState | None:
        return MigrationState.load(self.engine.root, self.engine.prefix, name)

    def _save(self, state: MigrationState) -> None:
        state.save(self.engine.root, self.engine.prefix)

    # -- status ----------------------------------------------------------------------------
    def status(self) -> list[IndexStatus]:
        database = self.indexer.database_seq()
        out = []
        for name in INDEXES:
            version = self.engine.alias_target(name)
            if version is not None:
                self.engine.reload(name)
            out.append(
                IndexStatus(
                    name=name,
                    version=version,
                    documents=self.engine.document_count(name) if version else 0,
                    applied_seq=self.engine.applied_seq(name) if version else 0,
                    database_seq=database,
                    current=self.engine.is_current(name) if version else False,
                    definition=self.engine.describe(name) if version else {},
                    migration=self._state(name),
                )
            )
        return out

    # -- steps -----------------------------------------------------------------------------
    def init(self, name: str) -> MigrationState:
        self._check(name)
        if self._state(name) is not None:
            raise MigrationError(f"a migration of {name!r} exists; cancel or finish it first")
        self.indexer.ensure_indexes()
        state = MigrationState(name, self.engine.create_version(name))
        self._save(state)
        return state

    def _require(self, name: str, *statuses: str) -> MigrationState:
        self._check(name)
        state = self._state(name)
        if state is None:
            raise MigrationError(f"no migration of {name!r}; start one with `init`")
        if state.status not in statuses:
            raise MigrationError(f"the migration of {name!r} is {state.status}")
        return state

    def run(self, name: str, progress: Progress | None = None) -> MigrationState:
        state = self._require(name, "created", "failed", "building")
        if state.status == "building" and _alive_builder(state):
            raise MigrationError(f"the migration of {name!r} is being built right now")
        if state.status != "created":  # start again from an empty version
            self.engine.drop_version(state.version)
            state.version = self.engine.create_version(name)
        state.status, state.error, state.pid = "building", "", os.getpid()
        self._save(state)
        try:
            start = self.indexer.database_seq()
            state.documents = self._load(name, state.version, start, progress)
            state.seq = self.indexer.catch_up({state.version: name})
            self.engine.release(state.version)
        except BaseException as exc:
            state.status, state.error = "failed", f"{type(exc).__name__}: {exc}"
            self._save(state)
            raise
        state.status = "built"
        self._save(state)
        return state

    def _load(self, name: str, version: str, seq: int, progress: Progress | None) -> int:
        """Fill ``version`` with every document of ``name`` (worker processes for large
        indexes); the change log is applied from ``seq`` on afterwards."""
        db, source = self.indexer.db, self.indexer.source
        with db.read() as session:
            total = source.count(session, name)
        if total >= bulk_index.PARALLEL_FROM and bulk_index.workers() >= 2:
            batches = bulk_index.documents(db, source, name)
            return self.engine.load(version, batches, seq, progress)
        with db.read() as session:
            batches = source.all_documents(session, name)
            return self.engine.load(version, batches, seq, progress)

    def rollover(self, name: str, timeout: float = 60.0) -> MigrationState:
        state = self._require(name, "built")
        old = self.engine.alias_target(name) or ""
        indexer = self.indexer
        with indexer.writing_here() as here:
            if here:
                state.seq = indexer.catch_up({state.version: name})
                self.engine.switch_alias(name, state.version)
                if old and old != state.version:
                    self.engine.drop_version(old)
                MigrationState.remove(self.engine.root, self.engine.prefix, name)
                return state
        # another process writes and keeps the new version current: wait until it has
        # every change committed so far, switch, and leave dropping the old one to it
        wanted = indexer.database_seq()
        deadline = time.monotonic() + timeout
        while True:
            indexer.wake.ring()
            self.engine.reload(state.version)
            if self.engine.applied_seq(state.version) >= wanted:
                break
            if time.monotonic() > deadline:
                raise MigrationError(
                    f"the new version of {name!r} did not catch up within {timeout:.0f} s; "
                    "is the writer (`cairn serve`) running?"
                )
            time.sleep(0.05)
        self.engine.switch_alias(name, state.version)
        state.status, state.old = "rolled_over", old
        self._save(state)
        return state

    def cancel(self, name: str) -> MigrationState:
        state = self._require(name, "created", "building", "built", "failed")
        if state.status == "building" and _alive_builder(state):
            raise MigrationError(f"the migration of {name!r} is being built right now")
        with self.indexer.writing_here() as here:
            if here:
                self.engine.drop_version(state.version)
                MigrationState.remove(self.engine.root, self.engine.prefix, name)
                return state
        state.status = "cancelled"
        self._save(state)
        return state

    def rebuild(self, names: tuple[str, ...] = INDEXES, progress: Progress | None = None) -> None:
        """``init`` + ``run`` + ``rollover`` for each index (the old versions serve until
        the new ones are complete)."""
        for name in names:
            existing = self._state(name)
            if existing is not None:
                raise MigrationError(f"a migration of {name!r} is in progress; cancel it first")
        for name in names:
            self.init(name)
            self.run(name, progress)
            self.rollover(name)


def _alive_builder(state: MigrationState) -> bool:
    """Whether the process that marked the migration ``building`` still runs."""
    if state.pid <= 0 or state.pid == os.getpid():
        return False
    try:
        os.kill(state.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
