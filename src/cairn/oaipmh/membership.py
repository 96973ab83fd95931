"""Which published records each query-defined OAI-PMH set holds, kept in a table.

A set's members are the records its ``search_pattern`` finds, evaluated by
:class:`cairn.search.percolate.Percolator` on the records' index documents, so a set holds
what a search with the same query finds.  Two things write the members, one at a time (a
PostgreSQL advisory lock; on SQLite the write transaction itself):

- :meth:`SetMembership.catch_up` follows the change log from the position kept in
  ``oai_set_feed`` and evaluates every set against each record that changed.  It runs
  before every OAI-PMH request (cheap when nothing changed) and every minute as a job, so a
  harvester never sees members older than its request.
- :meth:`SetMembership.build` (the ``oaipmh.sets.build`` job) walks all records for one set
  after it is created or its query changed, then marks the set ready.

A member that is deleted or restricted stays a member (its document leaves the index, not
the set), so the set's harvesters learn that it is gone.  A record edited so that the
query no longer finds it simply leaves the set.
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


class SetMembership:
    def __init__(self, db: Database, source: DocumentSource, percolator: Percolator) -> None:
        self.db = db
        self.source = source
        self.percolator = percolator

    @staticmethod
    def _lock(session: Session) -> None:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(_LOCK)

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
        cls._lock(session)
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
                self._lock(session)
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
                self._lock(session)
                oai_set = session.get(OaiSet, set_id)
                if oai_set is None or oai_set.pattern_revision != revision:
                    return False
                if after is None:  # the first batch starts the set afresh
                    session.execute(delete(OaiSetMember).where(OaiSetMember.set_id == set_id))
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
        """The specs of the query-defined sets each record is in."""
        ids = sorted(set(record_ids))
        out: dict[str, list[str]] = {}
        if not ids:
            return out
        query = (
            select(OaiSetMember.record_id, OaiSet.spec)
            .join(OaiSet, OaiSet.id == OaiSetMember.set_id)
            .where(OaiSetMember.record_id.in_(ids))
            .order_by(OaiSet.spec)
        )
        with self.db.read() as session:
            for record_id, spec in session.execute(query):
                out.setdefault(record_id, []).append(spec)
        return out
