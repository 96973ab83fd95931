"""Searching records and drafts: the engine finds ids, the database supplies the objects.

Every search first waits (bounded) until the index has applied the change log's newest
entry, so nothing written before the search began is missing from it.  The permission
policy's query filter limits the hits; results are then loaded from the tables and
serialised exactly as a read would serialise them (an id the index still holds but the
database no longer does is left out).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import select

from cairn.core.errors import FieldError, ValidationFailed
from cairn.core.filters import All, Filter, Term
from cairn.core.identity import Identity
from cairn.records.index_docs import DRAFTS, RECORDS
from cairn.records.indexer import Indexer
from cairn.records.models import Draft, Parent, Record
from cairn.records.params import RECORD_AGGREGATIONS, USER_SORTS, Args, SearchParams
from cairn.records.results import Item, ItemList
from cairn.records.schema import VocabularyLookup
from cairn.records.service import RecordService
from cairn.search import InvalidCursor, SearchEngine, SearchRequest, SearchResult

log = logging.getLogger(__name__)

FACET_LABELS = {
    "resource_type": "Resource types",
    "access_status": "Access status",
    "file_type": "File type",
    "language": "Languages",
    "subject": "Subjects",
    "license": "Licenses",
    "publication_date": "Publication date",
}
ACCESS_LABELS = {
    "open": "Open",
    "embargoed": "Embargoed",
    "restricted": "Restricted",
    "metadata-only": "Metadata-only",
}
_VOCABULARY = {"resource_type": "resourcetypes", "language": "languages", "license": "licenses"}


class Labeller:
    """Bucket labels: vocabulary titles (English), fixed names, else the key."""

    def __init__(self, vocabularies: VocabularyLookup) -> None:
        self.vocabularies = vocabularies
        self._cache: dict[tuple[str, str], str] = {}

    def __call__(self, facet: str, key: str) -> str:
        if facet == "access_status":
            return ACCESS_LABELS.get(key, key)
        if facet == "file_type":
            return key.upper()
        vtype = _VOCABULARY.get(facet)
        if vtype is None:
            return key
        cached = self._cache.get((vtype, key))
        if cached is None:
            item = self.vocabularies.peek(vtype, key) or {}
            title = item.get("title") or {}
            cached = title.get("en") if isinstance(title, dict) else None
            cached = cached or key
            if len(self._cache) < 100_000:
                self._cache[(vtype, key)] = cached
        return cached


def aggregations(
    counts: Mapping[str, list[dict[str, Any]]],
    selected: Mapping[str, tuple[str, ...]],
    label: Callable[[str, str], str],
) -> dict[str, Any]:
    """The engine's counts in InvenioRDM's shape: ``{facet: {"buckets": [{"key",
    "doc_count", "label", "is_selected", "inner"?: {"buckets": [...]}}], "label"}}``."""
    out: dict[str, Any] = {}
    for name, buckets in counts.items():
        chosen = set(selected.get(name, ()))
        shaped = []
        for bucket in buckets:
            key = bucket["key"]
            entry: dict[str, Any] = {
                "key": key,
                "doc_count": bucket["doc_count"],
                "label": label(name, key),
                "is_selected": key in chosen,
            }
            if "inner" in bucket:
                entry["inner"] = {
                    "buckets": [
                        {
                            "key": child["key"],
                            "doc_count": child["doc_count"],
                            "label": label(name, child["key"]),
                            "is_selected": f"{key}::{child['key']}" in chosen,
                        }
                        for child in bucket["inner"]
                    ]
                }
            shaped.append(entry)
        out[name] = {"buckets": shaped, "label": FACET_LABELS.get(name, name)}
    return out


def _and(*filters: Filter) -> Filter:
    return All(tuple(filters))


class RecordSearch:
    """``GET /api/records``, ``/api/user/records`` and ``/api/records/{id}/versions``."""

    def __init__(self, records: RecordService, engine: SearchEngine, indexer: Indexer) -> None:
        self.records = records
        self.engine = engine
        self.indexer = indexer
        self.labels = Labeller(records.vocabularies)

    def _fresh(self, index: str) -> None:
        """Wait until ``index`` holds everything committed before this search began."""
        seq = self.indexer.database_seq()
        if not self.indexer.wait_for(seq, names=(index,)):
            log.warning("search index lags behind the database; answering from it as it is")

    def _run(
        self, index: str, params: SearchParams, flt: Filter, facets: Sequence[str]
    ) -> SearchResult:
        request = SearchRequest(
            q=params.q,
            filter=flt,
            facets=dict(params.facets),
            aggregations=tuple(facets),
            sort=params.sort,
            page=params.page,
            size=params.size,
            cursor=params.cursor or None,
        )
        self._fresh(index)
        try:
            return self.engine.search(index, request)
        except InvalidCursor as exc:
            raise ValidationFailed(
                [FieldError("cursor", [str(exc) or "Not a valid cursor."])],
                "Invalid querystring parameters.",
            ) from exc

    def _result(self, params: SearchParams, found: SearchResult, items: list[Item]) -> ItemList:
        return ItemList(
            items,
            found.total,
            params,
            aggregations(found.aggregations, dict(params.facets), self.labels),
            found.next_cursor,
        )

    def _records(self, identity: Identity, ids: list[str], doi_states: bool = False) -> list[Item]:
        with self.records.db.read() as session:
            rows = {
                r.id: (r, p)
                for r, p in session.execute(
                    select(Record, Parent)
                    .join(Parent, Parent.id == Record.parent_id)
                    .where(Record.id.in_(ids), Record.is_deleted.is_(False))
                )
            }
            found = [rows[i] for i in ids if i in rows]
            return self.records.record_items(session, identity, found, doi_states)

    # -- the three searches ------------------------------------------------------------------
    def search(
        self, identity: Identity, args: Args, facets: Sequence[str] = RECORD_AGGREGATIONS
    ) -> ItemList:
        """Published records; ``facets`` names the facets to count (all by default)."""
        params = self.records.search_params(args)
        flt = self.records.policy.query_filter("read", identity)
        if not params.allversions:
            flt = _and(flt, Term("versions.is_latest", True))
        found = self._run(RECORDS, params, flt, facets)
        return self._result(params, found, self._records(identity, found.ids))

    def search_versions(self, identity: Identity, record_id: str, args: Args) -> ItemList:
        params = self.records.search_params(args, default_sort="version")
        parent_id = self.records.readable_parent(identity, record_id)
        flt = _and(self.records.policy.query_filter("read", identity), Term("parent.id", parent_id))
        found = self._run(RECORDS, params, flt, ())
        return self._result(params, found, self._records(identity, found.ids))

    def search_user_records(self, identity: Identity, args: Args) -> ItemList:
        self.records.require("search_user_records", identity)
        params = self.records.search_params(args, sorts=USER_SORTS)
        flt = self.records.policy.query_filter("edit", identity)
        if not params.allversions:
            flt = _and(flt, Term("versions.is_latest_draft", True))
        if params.is_published is not None:
            flt = _and(flt, Term("is_published", params.is_published))
        if params.status:
            flt = _and(flt, Term("status", params.status))
        found = self._run(DRAFTS, params, flt, RECORD_AGGREGATIONS)
        items = self._entries(identity, found.ids)
        return self._result(params, found, items)

    def _entries(self, identity: Identity, ids: list[str]) -> list[Item]:
        """Each id's draft if it has one, else its published record (both with their DOI
        state: the search only finds what ``identity`` manages)."""
        items: dict[str, Item] = {}
        with self.records.db.read() as session:
            drafts = session.execute(
                select(Draft, Parent)
                .join(Parent, Parent.id == Draft.parent_id)
                .where(Draft.id.in_(ids))
            )
            for draft, parent in drafts:
                items[draft.id] = self.records.draft_item(session, draft, parent)
        missing = [i for i in ids if i not in items]
        if missing:
            for item in self._records(identity, missing, doi_states=True):
                items[item.id] = item
        return [items[i] for i in ids if i in items]
