"""Loading a whole index with several processes.

Building a document is Python work (reading the row, decoding its JSON, mapping it), so one
process builds at most about 10,000 a second; handing it to Tantivy costs the parent another
≈ 45 µs.  For a large rebuild the parent process lists
the ids in slices, worker processes build the documents of each slice from their own
database connection, and the parent only hands them to the engine.  Workers are started
with ``spawn``: the parent may run threads (the indexer, Tantivy's), which ``fork`` would
copy half-way.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from typing import Any

from cairn.db import Database
from cairn.records.components import RecordComponent
from cairn.records.index_docs import Change, DocumentSource
from cairn.search import Upsert

PARALLEL_FROM = 50_000  # documents; below this, starting processes costs more than it saves
SLICE = 2_000

_worker: tuple[Database, DocumentSource] | None = None


def _start(url: str, components: Sequence[RecordComponent]) -> None:
    global _worker
    _worker = (Database(url, pool_size=1), DocumentSource(components))


def _build(task: tuple[str, str, str, str]) -> list[tuple[str, dict[str, Any]]]:
    assert _worker is not None
    db, source = _worker
    with db.read() as session:
        changes = source.documents_in_range(session, *task)
    return [(c.doc_id, c.document) for c in changes if isinstance(c, Upsert)]


def workers() -> int:
    """Worker processes worth starting: one core stays with the parent, which converts
    every document for Tantivy (on two cores the parent alone is faster: measured 4,900
    against 3,700 documents/s)."""
    return max(0, min((os.cpu_count() or 1) - 1, 8))


def documents(
    db: Database, source: DocumentSource, index: str, processes: int | None = None
) -> Iterator[list[Change]]:
    """Every document of ``index``, built by ``processes`` worker processes (in no
    particular order)."""
    processes = processes or max(workers(), 1)
    with db.read() as session:
        tasks = [(index, *r) for r in source.ranges(session, index, SLICE)]
    if not tasks:
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, _start, (db.url, source.components)) as pool:
        for built in pool.imap_unordered(_build, tasks):
            yield [Upsert(doc_id, document) for doc_id, document in built]
