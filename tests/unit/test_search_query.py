"""The search query language, the index documents, dates, facets' year ranges and cursors.

Query semantics are checked against a tiny real Tantivy index (fast, in a temporary folder).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.core.filters import All, AnyOf, MatchAll, MatchNone, Term
from cairn.search import SearchRequest, Upsert, record_document
from cairn.search.cursor import Cursor, InvalidCursor, decode, resolve_sort
from cairn.search.documents import date_span, partial_date
from cairn.search.facets import year_range
from cairn.search.tantivy_engine import TantivyEngine

BASE: dict[str, Any] = {
    "created": "2024-01-10T10:00:00+00:00",
    "updated": "2024-01-10T10:00:00+00:00",
    "parent": {"id": "", "access": {"owned_by": {"user": "1"}}},
    "pids": {},
    "metadata": {
        "title": "",
        "creators": [],
        "publication_date": "2020",
        "resource_type": {"id": "dataset"},
    },
    "access": {"record": "public", "files": "public", "status": "open"},
    "files": {"enabled": True, "entries": {}},
    "versions": {"index": 1, "is_latest": True, "is_latest_draft": True},
    "is_published": True,
    "is_draft": False,
    "status": "published",
}


def make_record(doc_id: str, **changes: Any) -> dict[str, Any]:
    """A record in the JSON shape of :mod:`cairn.records.dump`; ``metadata`` keys, and
    top-level keys given as ``top__<key>``, override the defaults."""
    record = copy.deepcopy(BASE)
    record["id"] = doc_id
    record["parent"]["id"] = f"p{doc_id}"
    for key, value in changes.items():
        if key.startswith("top__"):
            record[key[5:]] = value
        else:
            record["metadata"][key] = value
    return record


def person(name: str) -> dict[str, Any]:
    return {"person_or_org": {"type": "personal", "name": name}}


RECORDS = {
    "alps": make_record(
        "alps",
        title="Climate change in the Alps",
        description="<p>Glaciers are <b>melting</b></p>",
        creators=[person("Müller, Anna")],
        subjects=[{"subject": "Glaciology"}],
        resource_type={"id": "publication-article"},
        publication_date="2020-05",
        languages=[{"id": "eng"}],
        top__pids={"doi": {"identifier": "10.1234/ABC", "provider": "external"}},
        top__files={"enabled": True, "entries": {"data.csv": {"key": "data.csv", "ext": "csv"}}},
    ),
    "ocean": make_record(
        "ocean",
        title="Ocean temperature dataset",
        description="Measurements of sea surface temperature",
        creators=[person("Brown, Troy")],
        publication_date="2018/2019",
        top__created="2024-02-01T00:00:00+00:00",
        top__versions={"index": 2, "is_latest": True, "is_latest_draft": True},
    ),
    "neural": make_record(
        "neural",
        title="Modelling climates with neural networks",
        description="A café study",
        creators=[person("García, José")],
        resource_type={"id": "software"},
        publication_date="2022",
    ),
    "poster": make_record(
        "poster",
        title="Unrelated poster",
        resource_type={"id": "poster"},
        publication_date="2021-03-04",
        top__access={"record": "restricted", "files": "restricted", "status": "restricted"},
        top__parent={"id": "pposter", "access": {"owned_by": {"user": "7"}}},
    ),
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> TantivyEngine:
    engine = TantivyEngine(tmp_path_factory.mktemp("query") / "indexes")
    engine.ensure_index("records")
    changes = [
        Upsert(i, record_document(r, owner_id=None, is_draft=False)) for i, r in RECORDS.items()
    ]
    engine.apply("records", changes, 1)
    return engine


def found(engine: TantivyEngine, q: str = "", **kwargs: Any) -> set[str]:
    return set(engine.search("records", SearchRequest(q=q, size=100, **kwargs)).ids)


EVERYTHING = set(RECORDS)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("", EVERYTHING),
        ("   ", EVERYTHING),
        ("*", EVERYTHING),
        ("*:*", EVERYTHING),
        ("climate", {"alps", "neural"}),  # stemming: climates ~ climate
        ("CLIMATE", {"alps", "neural"}),
        ("climate alps", {"alps"}),  # terms without an operator must all match
        ("climate AND alps", {"alps"}),
        ("climate OR ocean", {"alps", "neural", "ocean"}),
        ("climate -alps", {"neural"}),
        ("climate NOT alps", {"neural"}),
        ("+climate -neural", {"alps"}),
        ("-climate", {"ocean", "poster"}),
        ("climate OR -ocean", {"alps", "neural", "poster"}),
        ("(climate OR ocean) AND temperature", {"ocean"}),
        ('"climate change"', {"alps"}),
        ('"change climate"', set()),
        ('"climate alps"', set()),
        ('"climate alps"~3', {"alps"}),
        ("metadata.title:ocean", {"ocean"}),
        ("title:ocean", {"ocean"}),
        ("metadata.title:(ocean OR alps)", {"alps", "ocean"}),
        ("metadata.title:temperature", {"ocean"}),
        ("metadata.description:melting", {"alps"}),  # HTML stripped, stemmed
        ("metadata.description:melts", {"alps"}),
        ("metadata.description:b", set()),  # tags are not text
        ('metadata.creators.person_or_org.name:"Brown, Troy"', {"ocean"}),
        ("metadata.creators.person_or_org.name:muller", {"alps"}),  # accents folded
        ("metadata.creators.person_or_org.name:müller", {"alps"}),
        ("jose", {"neural"}),
        ("cafe", {"neural"}),
        ("café", {"neural"}),
        ("clim*", {"alps", "neural"}),
        ("climate*", {"alps", "neural"}),  # also matches the stemmed "climat"
        ("metadata.title:tempera*", {"ocean"}),
        ("metadata.resource_type.id:publication-*", {"alps"}),
        ("*ology", {"alps"}),
        ("*" * 50 + "ology", {"alps"}),  # runs of * are one
        ("c?i?m?a?t?e?c?h?a?n?g?e", set()),  # too many wildcards: read as spaces
        ("te?perature", {"ocean"}),
        ("temperture~", {"ocean"}),
        ("metadata.title:temperture~1", {"ocean"}),
        ("/glacio.*/", {"alps"}),
        ("id:ocean", {"ocean"}),
        ("id:OCEAN", {"ocean"}),
        ("parent.id:pneural", {"neural"}),
        ("pids.doi.identifier:10.1234/abc", {"alps"}),
        ('pids.doi.identifier:"10.1234/ABC"', {"alps"}),
        ("10.1234/abc", {"alps"}),  # identifiers are in the default fields too
        ("metadata.subjects.subject:glaciology", {"alps"}),
        ("metadata.resource_type.id:dataset", {"ocean"}),
        ("metadata.resource_type.id:publication-article", {"alps"}),
        ("metadata.publication_date:[2019 TO 2020]", {"alps", "ocean"}),
        ("metadata.publication_date:[2021 TO *]", {"neural", "poster"}),
        ("metadata.publication_date:{2020 TO *]", {"neural", "poster"}),
        ("metadata.publication_date:2019", {"ocean"}),
        ("metadata.publication_date:2020-05-17", {"alps"}),
        ("metadata.publication_date:>2020", {"neural", "poster"}),
        ("metadata.publication_date:<2019", {"ocean"}),
        ("metadata.publication_date:[garbage TO 2020]", set()),
        ("created:[2024-02-01 TO 2024-02-28]", {"ocean"}),
        ("versions.index:2", {"ocean"}),
        ("versions.index:[2 TO 5]", {"ocean"}),
        ("versions.index:>=1", EVERYTHING),
        ("versions.index:abc", set()),
        ("_exists_:metadata.description", {"alps", "neural", "ocean"}),
        ("_exists_:metadata.subjects.subject", {"alps"}),
        ("_exists_:nonsense", set()),
        ("metadata.title:*", EVERYTHING),
        ("climate^3 OR ocean", {"alps", "neural", "ocean"}),
        ("Climate: change", {"alps"}),  # an unknown field's name is searched as words
        ("unknownfield:climate", set()),
        ("climate (", {"alps", "neural"}),  # syntax error: plain text
        ('"climate', {"alps", "neural"}),  # an unclosed quote
        ('"unclosed climate', set()),  # plain text: every word must match
        ("(((", EVERYTHING),  # nothing searchable left
        ("/", EVERYTHING),
        ("metadata.title:[a TO z]", set()),  # ranges work on dates and numbers only
        ("[2019 TO 2020]", set()),  # and need a field
        ("/(climate/", {"alps", "neural"}),  # Tantivy refuses the regex: plain text
    ],
)
def test_query_language(engine: TantivyEngine, q: str, expected: set[str]) -> None:
    assert found(engine, q) == expected


def test_title_matches_rank_first(engine: TantivyEngine) -> None:
    result = engine.search("records", SearchRequest(q="temperature OR melting", size=10))
    assert result.ids[0] == "ocean"  # in the title beats in the description


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (MatchAll(), EVERYTHING),
        (MatchNone(), set()),
        (Term("access.record", "public"), {"alps", "neural", "ocean"}),
        (Term("parent.access.owned_by.user", 7), {"poster"}),
        (Term("parent.access.owned_by.user", "7"), {"poster"}),
        (
            AnyOf((Term("access.record", "public"), Term("parent.access.owned_by.user", 7))),
            EVERYTHING,
        ),
        (All((Term("access.record", "public"), Term("parent.id", "pocean"))), {"ocean"}),
        (Term("versions.is_latest", True), EVERYTHING),
        (Term("versions.is_latest", "false"), set()),
        (Term("is_published", True), EVERYTHING),
        (Term("is_draft", True), set()),
        (Term("status", "published"), EVERYTHING),
        (AnyOf(()), set()),
        (All(()), EVERYTHING),
    ],
)
def test_permission_filters(engine: TantivyEngine, flt: Any, expected: set[str]) -> None:
    assert found(engine, filter=flt) == expected


def test_filter_on_an_unknown_field_is_a_programming_error(engine: TantivyEngine) -> None:
    with pytest.raises(ValueError, match="unknown field"):
        found(engine, filter=Term("no.such.field", "x"))


QUERY_PARTS = st.sampled_from(
    ["climate", "AND", "OR", "NOT", "+", "-", "(", ")", '"', ":", "*", "?", "~", "^", "2",
     "[", "]", "{", "}", "TO", "/", "\\", "metadata.title:", "_exists_:", "id:", ">", "<=",
     "metadata.publication_date:", "café", " ", "!", "&&", "||"]
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=60), st.lists(QUERY_PARTS, max_size=12).map("".join)))
def test_no_input_makes_a_search_fail(engine: TantivyEngine, q: str) -> None:
    result = engine.search("records", SearchRequest(q=q, aggregations=("resource_type",)))
    assert result.total == len(result.ids) <= len(RECORDS)


# -- documents -------------------------------------------------------------------------
def test_record_document_fields() -> None:
    doc = record_document(RECORDS["alps"], owner_id=None, is_draft=False)
    assert doc["id"] == "alps" and doc["parent_id"] == "palps" and doc["owner"] == 1
    assert (doc["resource_type"], doc["resource_subtype"]) == ("publication", "publication-article")
    assert doc["file_types"] == ["csv"] and doc["languages"] == ["eng"]
    assert doc["doi"] == "10.1234/abc" and doc["description"] == ["Glaciers are melting"]
    assert doc["publication_years"] == [2020]
    assert doc["publication_start"] == datetime(2020, 5, 1, tzinfo=UTC)
    assert "description" in doc["present"] and "contributors" not in doc["present"]
    dataset = record_document(RECORDS["ocean"], owner_id=5, is_draft=True)
    assert dataset["resource_subtype"] is None and dataset["owner"] == 5 and dataset["is_draft"]
    assert dataset["publication_years"] == [2018, 2019]


def test_record_document_survives_partial_and_wrong_drafts() -> None:
    broken = {
        "id": "x",
        "metadata": {"title": 3, "creators": "nobody", "publication_date": "soon", "rights": [1]},
        "files": {"entries": [{"key": "a.tar.gz"}, "junk"]},
        "versions": None,
        "created": "yesterday",
    }
    doc = record_document(broken, owner_id=None, is_draft=True)
    assert doc["title"] == [] and doc["publication_start"] is None and doc["created"] is None
    assert doc["file_types"] == ["gz"] and doc["owner"] is None
    assert record_document({}, owner_id=None, is_draft=True)["id"] == ""


@pytest.mark.parametrize(
    ("value", "start", "end", "years"),
    [
        ("2020", "2020-01-01", "2020-12-31", [2020]),
        ("2020-02", "2020-02-01", "2020-02-29", [2020]),
        ("2020-11-10", "2020-11-10", "2020-11-10", [2020]),
        ("1939/1945", "1939-01-01", "1945-12-31", list(range(1939, 1946))),
        ("2018/2020-09", "2018-01-01", "2020-09-30", [2018, 2019, 2020]),
        ("../2020", "2020-01-01", "2020-12-31", [2020]),
        ("2019?", "2019-01-01", "2019-12-31", [2019]),
        ("19XX", "1900-01-01", "1999-12-31", list(range(1900, 2000))),
        ("2021-21", "2021-01-01", "2021-12-31", [2021]),  # a season: the year
        ("1500", "1678-01-01", "1678-01-01", [1500]),  # before what a date holds: clamped
    ],
)
def test_date_spans(value: str, start: str, end: str, years: list[int]) -> None:
    span = date_span(value)
    assert span is not None
    assert span.start.date().isoformat() == start and span.end.date().isoformat() == end
    assert span.years() == years


@pytest.mark.parametrize("value", ["", "soon", "2020-13", "2020-02-30", "2021/2019", None, 5])
def test_invalid_dates(value: Any) -> None:
    assert date_span(value) is None


def test_partial_date_with_time() -> None:
    span = partial_date("2024-01-10T10:00:00Z")
    assert span is not None and span.start == span.end == datetime(2024, 1, 10, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020..2022", (2020, 2022)),
        ("2020", (2020, 2020)),
        ("..2022", (None, 2022)),
        ("2020..", (2020, None)),
        ("..", None),
        ("abc", None),
        ("2020-2022", None),
    ],
)
def test_year_ranges(value: str, expected: Any) -> None:
    assert year_range(value) == expected


# -- sorts and cursors -----------------------------------------------------------------
def test_sorts_resolve() -> None:
    assert resolve_sort("bestmatch", has_terms=True)[0] == "bestmatch"
    assert resolve_sort("bestmatch", has_terms=False)[0] == "newest"
    assert resolve_sort("mostviewed", has_terms=True)[0] == "newest"
    assert resolve_sort("oldest", has_terms=True)[1].descending is False
    with pytest.raises(ValueError):
        resolve_sort("random", has_terms=True)


def test_cursor_tokens_round_trip_and_reject_strangers() -> None:
    keyed = Cursor("newest", key=2**63 + 5, seen=("a", "b"))
    assert decode(keyed.encode(), "newest") == keyed
    offset = Cursor("bestmatch", offset=50)
    assert decode(offset.encode(), "bestmatch") == offset
    for token in ["", "!!", "bm90IGpzb24", Cursor("oldest", key=1).encode(), "e30"]:
        with pytest.raises(InvalidCursor):
            decode(token, "newest")
    assert issubclass(InvalidCursor, ValueError)


def test_engine_rejects_a_foreign_cursor(engine: TantivyEngine) -> None:
    with pytest.raises(ValueError):
        engine.search("records", SearchRequest(sort="newest", cursor="garbage"))
    with pytest.raises(ValueError):
        engine.search("records", SearchRequest(sort="sideways"))
