"""Building an index's documents in worker processes gives exactly what one process gives."""

from __future__ import annotations

from cairn.files.component import FilesComponent
from cairn.records import bulk_index
from cairn.records.index_docs import DRAFTS, RECORDS, DocumentSource
from tests.service.test_indexer import insert_published


def _by_id(batches):  # type: ignore[no-untyped-def]
    found = {}
    for batch in batches:
        for change in batch:
            assert change.doc_id not in found
            found[change.doc_id] = change.document
    return found


def test_worker_processes_build_the_same_documents(db, factory, monkeypatch):
    monkeypatch.setattr(bulk_index, "SLICE", 7)  # many slices out of few records
    ids = insert_published(db, 40, "bulkword parallel")
    user = factory.user()
    factory.draft(user, title="bulkword a draft")
    source = DocumentSource([FilesComponent()])
    for index in (RECORDS, DRAFTS):
        with db.read() as session:
            expected = _by_id(source.all_documents(session, index))
            assert len(expected) == source.count(session, index)
        built = _by_id(bulk_index.documents(db, source, index, processes=2))
        assert built == expected, index
    assert set(ids) <= set(expected)
