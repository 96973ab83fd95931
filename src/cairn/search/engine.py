"""The search engine protocol: what services may ask of an index, whatever engine serves it.

Services build a :class:`SearchRequest` (the user's query string, the permission filter,
facet selections, the facets to count, a sort, a page or a cursor) and get ids back; the
database stays the truth and loads the objects.  Indexes are fed with :class:`Upsert` and
:class:`Delete` changes, one commit per :meth:`SearchEngine.apply`, and each commit durably
stores the change-log sequence number it reached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from cairn.core.filters import Filter, MatchAll

SORTS = (
    "bestmatch",
    "newest",
    "oldest",
    "version",
    "updated-desc",
    "updated-asc",
    "mostviewed",
    "mostdownloaded",
)
FACETS = (
    "resource_type",
    "access_status",
    "file_type",
    "language",
    "subject",
    "license",
    "publication_date",
)


@dataclass(frozen=True)
class Upsert:
    """Index ``document`` (from :func:`cairn.search.record_document`) under ``doc_id``,
    replacing any document with that id."""

    doc_id: str
    document: dict[str, Any]


@dataclass(frozen=True)
class Delete:
    """Remove the document ``doc_id`` (nothing happens when there is none)."""

    doc_id: str


@dataclass(frozen=True)
class SearchRequest:
    """One search.

    ``q`` is user input in OpenSearch ``query_string`` syntax and never makes a search fail
    (see docs/search.md). ``filter`` is the permission filter (and any other fixed filter).
    ``facets`` are selected facet values: values of one facet are ORed, facets ANDed.
    ``aggregations`` names the facets to count. ``cursor`` continues from a previous
    result's ``next_cursor`` (``page`` is then ignored).
    """

    q: str = ""
    filter: Filter = field(default_factory=MatchAll)
    facets: Mapping[str, Sequence[str]] = field(default_factory=dict)
    aggregations: Sequence[str] = ()
    sort: str = "bestmatch"
    page: int = 1
    size: int = 25
    cursor: str | None = None


@dataclass(frozen=True)
class SearchResult:
    """Ids of one page in order, the total number of hits, facet counts
    (``{facet: [{"key", "doc_count", "inner"?: [...]}]}``) and the token of the next page
    (``None`` on the last one)."""

    ids: list[str]
    total: int
    aggregations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    next_cursor: str | None = None


@runtime_checkable
class SearchEngine(Protocol):
    """An engine holding named indexes (each a set of versions behind an alias)."""

    def ensure_index(self, name: str) -> None:
        """Create the index (records schema) unless it exists."""
        ...

    def drop_index(self, name: str) -> None:
        """Remove the index, every version of it and its alias."""
        ...

    def apply(self, name: str, changes: Sequence[Upsert | Delete], seq: int) -> None:
        """Apply ``changes`` in order and commit once, storing ``seq`` in the same commit."""
        ...

    def applied_seq(self, name: str) -> int:
        """The ``seq`` of the last commit (0 for a new index)."""
        ...

    def search(self, name: str, request: SearchRequest) -> SearchResult: ...

    def count(self, name: str, request: SearchRequest) -> int: ...

    def reload(self, name: str) -> None:
        """Make searches see the newest commit (also one made by another process)."""
        ...
