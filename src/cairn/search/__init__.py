"""Search: the engine protocol, the records index mapping and the embedded Tantivy engine.

Services code against :class:`SearchEngine` and build :class:`SearchRequest` objects; the
indexer turns records into documents with :func:`record_document` and feeds them as
:class:`Upsert`/:class:`Delete` changes. ``cairn.search.tantivy_engine.TantivyEngine`` is
the embedded implementation (imported from there, so this package stays light).
"""

from cairn.search.cursor import InvalidCursor
from cairn.search.documents import record_document
from cairn.search.engine import (
    FACETS,
    SORTS,
    Delete,
    SearchEngine,
    SearchRequest,
    SearchResult,
    Upsert,
)

__all__ = [
    "FACETS",
    "SORTS",
    "Delete",
    "InvalidCursor",
    "SearchEngine",
    "SearchRequest",
    "SearchResult",
    "Upsert",
    "record_document",
]
