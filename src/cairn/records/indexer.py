"""The indexer: keeps the records indexes equal to the database, fed by the change log.

One process per index folder writes (it holds :class:`~cairn.search.coordination.WriterLock`);
the others only read.  The writer applies the change log in order, one engine commit per
batch, and every commit stores the sequence number it reached, so a crash between the
database commit and the index commit loses nothing: the next writer resumes from the
stored number.  It catches up every ``refresh`` seconds, and at once when a search asks
for it (:meth:`Indexer.wait_for`): searches first wait until the index has reached the
change log's newest number, so whoever has written something finds it when searching
(see docs/decisions/0002-search-visibility.md).

Index migrations (:mod:`cairn.records.migration`) add versions the writer also keeps
current until they are rolled over.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from cairn.db import Database
from cairn.db.changes import changes_since, last_seq
from cairn.records.index_docs import INDEXES, DocumentSource
from cairn.search.coordination import MigrationState, WakeFile, WriterLock
from cairn.search.tantivy_engine import IndexNotFound, TantivyEngine

log = logging.getLogger(__name__)
BATCH = 2000  # change-log rows per engine commit while catching up
Progress = Callable[[int], None]


class Indexer:
    """Feeds the ``records`` and ``drafts`` indexes of ``engine`` from ``db``'s change log."""

    def __init__(
        self,
        db: Database,
        engine: TantivyEngine,
        source: DocumentSource,
        *,
        refresh: float = 1.0,
        wait: float = 5.0,
        tick: float = 0.025,
    ) -> None:
        self.db = db
        self.engine = engine
        self.source = source
        self.refresh = refresh
        self.wait = wait
        self.tick = tick
        root, prefix = engine.root, engine.prefix
        self.lock = WriterLock(root / f"{prefix}indexer.lock")
        self.wake = WakeFile(root / f"{prefix}indexer.wake")
        self._init_lock = WriterLock(root / f"{prefix}init.lock")
        self._cond = threading.Condition()
        self._urgent = False
        self._wanted: set[str] = set()  # indexes searches in this process wait for
        self._stopping = False
        self._thread: threading.Thread | None = None
        # physical index version -> newest seq it reached (as the writer here committed it);
        # by version, not by name: after a migration's rollover the name points at another
        # version, which may not have caught up yet, and searches must wait for *it*
        self._applied: dict[str, int] = {}
        self._ahead = False
        # rebuilds the indexes when they are ahead of the database (a restored backup);
        # set by the composition root (cairn.records.migration builds on this module)
        self.rebuilder: Callable[[], None] | None = None
        self.writing = threading.RLock()  # held while indexes are written or switched

    @property
    def running(self) -> bool:
        """Whether this object's writer loop runs (in a thread of this process)."""
        return self._thread is not None

    @property
    def root(self) -> Path:
        return self.engine.root

    # -- set-up ----------------------------------------------------------------------------
    def ensure_indexes(self) -> None:
        """Create the indexes that do not exist yet (one process at a time)."""
        while not self._init_lock.acquire():
            time.sleep(0.01)
        try:
            for name in INDEXES:
                self.engine.ensure_index(name)
        finally:
            self._init_lock.release()

    def start(self) -> None:
        """Run the writer loop in a daemon thread (it writes only while holding the lock)."""
        if self._thread is not None:
            return
        self.ensure_indexes()
        self._stopping = False
        self._applied = {}
        self._thread = threading.Thread(target=self._run, name="cairn-indexer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self.lock.release()
        for name in INDEXES:
            self.engine.release(name)

    @contextmanager
    def writing_here(self) -> Iterator[bool]:
        """Whether this process may write the indexes now (no other process holds the lock);
        while it is True the writer loop of this process, if any, is held back."""
        if not self.lock.acquire():
            yield False
            return
        try:
            with self.writing:
                yield True
        finally:
            if not self.running:
                self.lock.release()

    # -- what is applied -------------------------------------------------------------------
    def applied_seq(self, names: Sequence[str] = INDEXES) -> int:
        """The newest seq that every live index of ``names`` has reached (as committed)."""
        try:
            return min(self.engine.applied_seq(name) for name in names)
        except IndexNotFound:
            return 0

    def _reached(self, names: Sequence[str]) -> int:
        """The newest seq the versions that ``names`` point at now have all reached."""
        versions = [self.engine.alias_target(name) for name in names]
        return min((self._applied.get(v, -1) if v else -1 for v in versions), default=-1)

    def database_seq(self) -> int:
        with self.db.read() as session:
            return last_seq(session)

    def wait_for(
        self, seq: int, timeout: float | None = None, names: Sequence[str] = INDEXES
    ) -> bool:
        """Wait until the live indexes ``names`` have reached ``seq``; False when
        ``timeout`` (default: the ``wait`` setting) passed first (the caller then answers
        from the index as it is)."""
        if self._reached(names) >= seq:
            return True
        deadline = time.monotonic() + (self.wait if timeout is None else timeout)
        if self.lock.held:
            with self._cond:
                self._urgent = True
                self._wanted.update(names)
                self._cond.notify_all()
                while self._reached(names) < seq:
                    left = deadline - time.monotonic()
                    if left <= 0 or self._stopping:
                        return False
                    self._cond.wait(left)
            return True
        self.wake.ring()  # another process writes: ask it to hurry, and watch its commits
        pause = 0.002
        while True:
            for name in names:
                with contextlib.suppress(IndexNotFound):
                    self.engine.reload(name)
            if self.applied_seq(names) >= seq:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    # -- writing ---------------------------------------------------------------------------
    def _targets(self) -> dict[str, str]:
        """Physical index version -> the records index it holds: the live versions and
        the versions of migrations that are built (their builder has let go of them)."""
        targets: dict[str, str] = {}
        for name in INDEXES:
            live = self.engine.alias_target(name)
            if live is not None:
                targets[live] = name
            state = MigrationState.load(self.root, self.engine.prefix, name)
            if state is not None and state.status == "built":
                targets[state.version] = name
        return targets

    def catch_up(
        self, targets: dict[str, str] | None = None, progress: Progress | None = None
    ) -> int:
        """Apply every change not yet in ``targets`` (default: live versions and built
        migrations); returns the seq reached.  Only the lock holder may call this."""
        with self.writing:
            targets = targets if targets is not None else self._targets()
            applied = {version: self.engine.applied_seq(version) for version in targets}
            end = self.database_seq()
            low = min(applied.values(), default=end)
            self._ahead = any(seq > end for seq in applied.values())
            if self._ahead:
                log.error(
                    "the search index is ahead of the database's change log (was the "
                    "database restored from a backup?): it is rebuilt"
                )
            while low < end:
                with self.db.read() as session:
                    changes = changes_since(session, low, limit=BATCH)
                    if not changes:
                        break
                    reached = changes[-1].seq
                    ids = {c.object_id for c in changes if c.kind in ("record", "draft")}
                    per_index = self.source.for_objects(session, ids) if ids else {}
                for version, name in targets.items():  # live records first: see _targets
                    if applied[version] < reached:
                        self.engine.apply(version, per_index.get(name, []), reached)
                        applied[version] = reached
                        self._publish(version, reached)
                if progress is not None:
                    progress(reached - low)
                low = reached
            for version in targets:
                self._publish(version, applied[version])
            return min(applied.values(), default=low)

    def _publish(self, version: str, seq: int) -> None:
        """Tell waiting searches that the index version ``version`` has reached ``seq``."""
        with self._cond:
            self._applied[version] = max(self._applied.get(version, -1), seq)
            self._cond.notify_all()

    def _finish_migrations(self) -> None:
        """Drop the versions a migration rolled over from or cancelled: a CLI leaves that
        to the writer when another process writes."""
        for name in INDEXES:
            state = MigrationState.load(self.root, self.engine.prefix, name)
            if state is None or state.status not in ("rolled_over", "cancelled"):
                continue
            drop = state.old if state.status == "rolled_over" else state.version
            if drop and drop != self.engine.alias_target(name):
                self.engine.release(drop)
                self.engine.drop_version(drop)
            MigrationState.remove(self.root, self.engine.prefix, name)

    def _run(self) -> None:
        last_poll = 0.0
        seen_wake = self.wake.stamp()
        while True:
            with self._cond:
                if self._stopping:
                    return
                if not self._urgent:
                    self._cond.wait(self.tick)
                if self._stopping:
                    return
                urgent, self._urgent = self._urgent, False
                wanted, self._wanted = self._wanted, set()
            if not self.lock.held:
                if not self.lock.acquire():
                    with self._cond:  # another process writes: take over if it dies
                        if not self._stopping:
                            self._cond.wait(self.refresh)
                    continue
                last_poll = 0.0
            stamp = self.wake.stamp()
            now = time.monotonic()
            full = stamp != seen_wake or now - last_poll >= self.refresh
            if not (urgent or full):
                continue
            try:
                if not full:  # a search here waits: bring only its indexes up first
                    targets = self._targets()
                    self.catch_up({v: n for v, n in targets.items() if n in wanted})
                    continue
                seen_wake, last_poll = stamp, now
                self._finish_migrations()
                self.catch_up()
                if self._ahead and self.rebuilder is not None:
                    self.rebuilder()
                    self._ahead = False
                    with self._cond:
                        self._applied = {
                            v: self.engine.applied_seq(v)
                            for v in (self.engine.alias_target(n) for n in INDEXES)
                            if v is not None
                        }
                        self._cond.notify_all()
            except Exception:  # keep serving; the next round tries again
                log.exception("indexing failed; retrying")
                with self._cond:
                    if not self._stopping:
                        self._cond.wait(min(self.refresh, 1.0))
