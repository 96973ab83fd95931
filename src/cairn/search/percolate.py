"""Stored queries against a few documents: which documents does each query match?

OAI-PMH sets are defined by a query (``search_pattern``); a record belongs to a set when
the query finds it.  Asking the live index would only tell what it holds now, so the
documents in question are put in a throwaway in-memory Tantivy index with the very schema,
analysers and query builder of the records index, and each query runs there: a set matches
exactly what a search with the same query string finds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from luqum.exceptions import ParseError
from luqum.thread import parse as luqum_parse
from tantivy import Query

from cairn.search.query import is_engine_failure
from cairn.search.tantivy_engine import commit_alone, scratch_index

K = TypeVar("K")
_HEAP = 16_000_000  # the writer's arena (Tantivy wants at least 15 MB per thread)


def query_error(text: str) -> str | None:
    """Why ``text`` is not a query a set can be defined by (None: it is one)."""
    if not text.strip():
        return "The query is empty."
    try:
        luqum_parse(text)
    except (ParseError, ValueError) as exc:
        return f"Not a valid query: {exc}"
    return None


class Percolator:
    """Runs queries against small batches of documents, analysed like the records index."""

    def __init__(self, language: str = "english") -> None:
        self.language = language

    def matches(
        self, documents: Mapping[str, dict[str, Any]], queries: Mapping[K, str]
    ) -> dict[K, set[str]]:
        """For each query key, the ids of the ``documents`` (id -> index document) it finds."""
        found: dict[K, set[str]] = {key: set() for key in queries}
        if not documents or not queries:
            return found
        handle = scratch_index(self.language, _HEAP)
        writer = handle.writer()
        original = {}
        for doc_id, document in documents.items():
            writer.add_document(handle.document(doc_id, document))
            original[doc_id.lower()] = doc_id
        commit_alone(writer)
        writer.wait_merging_threads()
        handle.index.reload()
        searcher = handle.index.searcher()
        limit = len(documents)
        for key, text in queries.items():
            query = handle.builder.user_query(text)
            try:
                hits = searcher.search(self._query(query), limit).hits
            except BaseException as exc:  # a part Tantivy refuses: plain words, as a search does
                if not is_engine_failure(exc):
                    raise
                hits = searcher.search(self._query(handle.builder.plain_text(text)), limit).hits
            for _score, address in hits:
                for value in searcher.doc(address).to_dict().get("id", []):
                    found[key].add(original.get(value, value))
        return found

    @staticmethod
    def _query(query: Query | None) -> Query:
        return query if query is not None else Query.all_query()
