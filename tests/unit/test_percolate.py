"""The percolator finds exactly what a search of the records index finds, query by query."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cairn.search import SearchRequest, Upsert, record_document
from cairn.search.percolate import Percolator, query_error
from cairn.search.tantivy_engine import TantivyEngine

QUERIES = [
    "climate",
    "Climates",  # stemmed like the index
    "metadata.title:ocean",
    "metadata.resource_type.id:software",
    "climate AND NOT metadata.resource_type.id:dataset",
    "metadata.subjects.subject:physics OR ocean",
    '"climate data"',
    "clim*",
    "metadata.publication_date:[2020 TO 2021]",
    "access.record:restricted",
    "_exists_:metadata.subjects",
    "zzznothing",
    "title:(unclosed",  # refused syntax: plain words, as a search does
]


def view(number: int) -> dict[str, Any]:
    rid = f"rec{number:02d}-x{number:03d}"
    title = ["Climate data", "Ocean survey", "Climate of oceans", "Software tool"][number % 4]
    metadata: dict[str, Any] = {
        "title": f"{title} {number}",
        "resource_type": {"id": "software" if number % 4 == 3 else "dataset"},
        "publication_date": f"{2018 + number % 5}-01-01",
    }
    if number % 3 == 0:
        metadata["subjects"] = [{"subject": "Physics"}]
    return {
        "id": rid,
        "created": "2024-01-01T00:00:00+00:00",
        "updated": "2024-01-01T00:00:00+00:00",
        "parent": {"id": f"par{number:02d}-x{number:03d}", "pids": {}},
        "pids": {},
        "metadata": metadata,
        "access": {
            "record": "restricted" if number % 5 == 0 else "public",
            "files": "public",
            "status": "open",
        },
        "files": {"enabled": False, "count": 0, "entries": []},
        "versions": {"index": 1, "is_latest": True, "is_latest_draft": True},
        "is_published": True,
        "status": "published",
    }


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    views = [view(n) for n in range(24)]
    return {v["id"]: record_document(v, owner_id=1, is_draft=False) for v in views}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, documents: dict[str, Any]) -> TantivyEngine:
    engine = TantivyEngine(Path(tmp_path_factory.mktemp("percolate")))
    engine.ensure_index("records")
    engine.apply("records", [Upsert(i, d) for i, d in documents.items()], 1)
    return engine


def test_each_query_matches_what_a_search_finds(
    engine: TantivyEngine, documents: dict[str, dict[str, Any]]
) -> None:
    found = Percolator().matches(documents, dict(enumerate(QUERIES)))
    for key, text in enumerate(QUERIES):
        searched = set(engine.search("records", SearchRequest(q=text, size=1000)).ids)
        assert found[key] == searched, text
    assert 0 < len(found[0]) < len(documents)  # the queries do tell documents apart
    assert found[QUERIES.index("zzznothing")] == set()


def test_a_batch_gives_the_same_answers_as_one_document_at_a_time(
    documents: dict[str, dict[str, Any]],
) -> None:
    percolator = Percolator()
    queries = {text: text for text in QUERIES[:6]}
    together = percolator.matches(documents, queries)
    alone: dict[str, set[str]] = {text: set() for text in queries}
    for doc_id, document in list(documents.items())[:8]:
        for text, ids in percolator.matches({doc_id: document}, queries).items():
            alone[text] |= ids
    first = set(list(documents)[:8])
    assert alone == {text: ids & first for text, ids in together.items()}


def test_nothing_to_match() -> None:
    assert Percolator().matches({}, {"a": "x"}) == {"a": set()}
    assert Percolator().matches({"a": {"title": "x"}}, {}) == {}


def test_query_errors_name_what_is_wrong() -> None:
    assert query_error("metadata.title:climate AND (ocean OR sea)") is None
    assert query_error("   ") == "The query is empty."
    problem = query_error("title:(unclosed")
    assert problem is not None and problem.startswith("Not a valid query")
