"""Which published records each query-defined OAI-PMH set holds, kept in a table.

A set's members are the published versions its ``search_pattern`` finds, evaluated by
:class:`cairn.search.percolate.Percolator` on the records' index documents with the search's
query parser and analysers (but none of a search's defaults: every version counts, whatever
its access).  Everything that writes members or sets takes one lock (:func:`lock`: a
PostgreSQL advisory lock; on SQLite the write transaction itself), so they run one at a time:

- :meth:`SetMembership.catch_up` follows the change log from the position kept in
  ``oai_set_feed`` and evaluates every set against each record that changed.  A harvest of a
  set defined by a query runs it first, so the harvester never sees members older than its
  request; a job runs it every minute, which keeps the other requests' headers current.
- :meth:`SetMembership.build` (the ``oaipmh.sets.build`` job) walks all records for one set
  after it is created or its query changed, then marks the set ready.
- :class:`cairn.oaipmh.set_service.OaiSetService` creates, changes and deletes sets.

A deleted member stays a member (deleted records are never evaluated again, not even by a
rebuild), so the set's harvesters learn that it is gone; a restricted member stays while the
query still finds it, and is then reported deleted.  A record edited so that the query no
longer finds it leaves the set, and one that comes to match joins it: neither changes its
datestamp, so an incremental harvest of the set does not announce either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from cairn.db import Database
from cairn.db.changes import changes_since, last_seq
from cairn.oaipmh.models import OaiSet, OaiSetFeed, OaiSetMember
from cairn.records.index_docs import RECORDS, DocumentSource
from cairn.records.models import Record
from cairn.search import Upsert
from cairn.search.percolate import Percolator

log = logging.getLogger(__name__)

BUILD_JOB = "oaipmh.sets.build"
CATCH_UP_JOB = "oaipmh.sets.catch_up"
CATCH_UP_EVERY = 60.0
BATCH = 1000  # change-log rows per transaction
BUILD_BATCH = 2000  # records per transaction of a build (the in-memory index's commit is per batch)
_LOCK = text("SELECT pg_advisory_xact_lock(1868783987)")  # "oais"
Progress = Callable[[int], None]


def lock(session: Session) -> None:
    """Hold the sets' lock until the caller's transaction ends (PostgreSQL; SQLite's write
    transactions already exclude each other)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK)


class SetMembership:
    def __init__(self, db: Database, source: DocumentSource, percolator: Percolator) -> None:
        self.db = db
        self.source = source
        self.percolator = percolator

    @staticmethod
    def _feed(session: Session) -> OaiSetFeed:
        feed = session.get(OaiSetFeed, 1)
        if feed is None:
            feed = OaiSetFeed(id=1, seq=0)
            session.add(feed)
        return feed

    def _evaluate(
        self, session: Session, documents: Mapping[str, dict[str, Any]], sets: Mapping[int, str]
    ) -> None:
        """Replace the memberships of ``documents`` in ``sets`` with what the queries find."""
        if not documents:
            return
        found = self.percolator.matches(documents, sets)
        session.execute(
            delete(OaiSetMember).where(
                OaiSetMember.set_id.in_(list(sets)), OaiSetMember.record_id.in_(list(documents))
            )
        )
        rows = [{"set_id": k, "record_id": r} for k, ids in found.items() for r in sorted(ids)]
        if rows:
            session.execute(insert(OaiSetMember), rows)

    @staticmethod
    def _documents(changes: Iterable[object]) -> dict[str, dict[str, Any]]:
        return {c.doc_id: c.document for c in changes if isinstance(c, Upsert)}

    # -- following the change log -------------------------------------------------------------
    @classmethod
    def follow_from_now(cls, session: Session) -> None:
        """Skip the change log's history (in the caller's transaction, when the first set is
        created): no set needs it, and the new set's build reads every record as it is."""
        lock(session)
        feed = cls._feed(session)
        feed.seq = max(feed.seq, last_seq(session))

    def behind(self) -> bool:
        """Whether the change log has entries the members do not reflect yet."""
        with self.db.read() as session:
            feed = session.get(OaiSetFeed, 1)
            return (feed.seq if feed is not None else 0) < last_seq(session)

    def catch_up(self, limit: int | None = None) -> int:
        """Apply the change log's new entries to the members (about ``limit`` at most);
        returns how many it read."""
        done = 0
        while (limit is None or done < limit) and self.behind():
            with self.db.write() as uow:
                session = uow.session
                lock(session)
                feed = self._feed(session)
                sets = {k: v for k, v in session.execute(select(OaiSet.id, OaiSet.search_pattern))}
                if not sets:  # nothing to evaluate: jump to the end of the log
                    newest = last_seq(session)
                    done += max(newest - feed.seq, 0)
                    feed.seq = max(newest, feed.seq)
                    continue
                changes = changes_since(session, feed.seq, BATCH)
                if not changes:
                    continue
                ids = {c.object_id for c in changes if c.kind == "record"}
                if ids:
                    changed = self.source.for_objects(session, ids, (RECORDS,))[RECORDS]
                    self._evaluate(session, self._documents(changed), sets)
                feed.seq = changes[-1].seq
                done += len(changes)
        return done

    # -- building one set ---------------------------------------------------------------------
    def build(self, set_id: int, revision: int, progress: Progress | None = None) -> bool:
        """Evaluate set ``set_id``'s query (at ``revision``) against every record, then mark
        it ready; False when the set is gone or its query changed meanwhile."""
        after: str | None = None
        while True:
            with self.db.write() as uow:
                session = uow.session
                lock(session)
                oai_set = session.get(OaiSet, set_id)
                if oai_set is None or oai_set.pattern_revision != revision:
                    return False
                if after is None:  # the first batch starts afresh, but for deleted members
                    live = select(Record.id).where(Record.is_deleted.is_(False))
                    session.execute(
                        delete(OaiSetMember).where(
                            OaiSetMember.set_id == set_id, OaiSetMember.record_id.in_(live)
                        )
                    )
                    after = ""
                ids = list(
                    session.scalars(
                        select(Record.id)
                        .where(Record.id > after, Record.is_deleted.is_(False))
                        .order_by(Record.id)
                        .limit(BUILD_BATCH)
                    )
                )
                if not ids:
                    oai_set.ready = True
                    return True
                changes = self.source.documents_in_range(
                    session, RECORDS, "records", ids[0], ids[-1]
                )
                self._evaluate(session, self._documents(changes), {set_id: oai_set.search_pattern})
                after = ids[-1]
            if progress is not None:
                progress(len(ids))

    def specs_of(self, record_ids: Iterable[str]) -> dict[str, list[str]]:
        """The specs of the ready query-defined sets each record is in, with the sets above
        them (``a`` for a member of ``a:b``) that exist."""
        ids = sorted(set(record_ids))
        found: dict[str, set[str]] = {}
        if not ids:
            return {}
        query = (
            select(OaiSetMember.record_id, OaiSet.spec)
            .join(OaiSet, OaiSet.id == OaiSetMember.set_id)
            .where(OaiSetMember.record_id.in_(ids), OaiSet.ready.is_(True))
        )
        with self.db.read() as session:
            rows = list(session.execute(query))
            if any(":" in spec for _, spec in rows):
                ready = select(OaiSet.spec).where(OaiSet.ready.is_(True))
                defined = set(session.scalars(ready))
            else:
                defined = set()
        for record_id, spec in rows:
            specs = found.setdefault(record_id, set())
            specs.add(spec)
            parts = spec.split(":")
            specs.update(
                p for p in (":".join(parts[:i]) for i in range(1, len(parts))) if p in defined
            )
        return {record_id: sorted(specs) for record_id, specs in found.items()}
