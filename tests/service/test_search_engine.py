"""The Tantivy engine on real indexes in temporary folders: layout and aliases, durable
sequence numbers, changes, permissions, facets, sorts, page/size and cursor paging."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cairn.core.filters import AnyOf, Term
from cairn.search import Delete, InvalidCursor, SearchRequest, Upsert, record_document
from cairn.search.tantivy_engine import IndexNotFound, TantivyEngine
from tests.unit.test_search_query import make_record, person

ROOT = Path(__file__).resolve().parents[2]


def upsert(doc_id: str, **changes: Any) -> Upsert:
    return Upsert(doc_id, record_document(make_record(doc_id, **changes), owner_id=None,
                                          is_draft=False))  # fmt: skip


@pytest.fixture
def engine(tmp_path: Path) -> TantivyEngine:
    engine = TantivyEngine(tmp_path / "indexes")
    engine.ensure_index("records")
    return engine


def ids(engine: TantivyEngine, **kwargs: Any) -> list[str]:
    return engine.search("records", SearchRequest(size=1000, **kwargs)).ids


# -- layout, versions, aliases ----------------------------------------------------------
def test_layout_prefix_and_alias(tmp_path: Path) -> None:
    engine = TantivyEngine(tmp_path, prefix="prod-")
    engine.ensure_index("records")
    engine.ensure_index("records")  # idempotent
    version = engine.alias_target("records")
    assert version is not None and version.startswith("records-")
    assert (tmp_path / "prod-records.alias").read_text().strip() == version
    assert (tmp_path / f"prod-{version}" / "cairn-index.json").exists()
    assert engine.versions("records") == [version]
    other = TantivyEngine(tmp_path, prefix="test-")  # another instance sharing the folder
    assert other.alias_target("records") is None
    with pytest.raises(IndexNotFound):
        other.search("records", SearchRequest())
    assert other.applied_seq("records") == 0


def test_new_version_beside_the_live_one_then_switch(engine: TantivyEngine) -> None:
    engine.apply("records", [upsert("old", title="Old definition")], 1)
    live = engine.alias_target("records")
    new = engine.create_version("records")
    assert new != live and engine.alias_target("records") == live
    engine.apply(new, [upsert("old", title="Old definition"), upsert("new", title="Fresh")], 2)
    assert engine.applied_seq(new) == 2 and engine.applied_seq("records") == 1
    assert set(ids(engine)) == {"old"}  # the alias still serves the live version
    with pytest.raises(ValueError, match="live"):
        engine.drop_version(live)  # type: ignore[arg-type]
    engine.switch_alias("records", new)
    assert set(ids(engine)) == {"old", "new"}
    engine.drop_version(live)  # type: ignore[arg-type]
    assert engine.versions("records") == [new]
    engine.drop_index("records")
    assert engine.versions("records") == [] and engine.alias_target("records") is None


def test_switch_to_a_missing_version_is_refused(engine: TantivyEngine) -> None:
    with pytest.raises(IndexNotFound):
        engine.switch_alias("records", "records-1")


# -- writing --------------------------------------------------------------------------
def test_apply_is_one_durable_commit_with_its_sequence(
    engine: TantivyEngine, tmp_path: Path
) -> None:
    assert engine.applied_seq("records") == 0
    engine.apply("records", [upsert("a"), upsert("b")], 41)
    engine.apply("records", [], 42)  # a batch with nothing to index still records progress
    script = (
        "import sys; from pathlib import Path; from cairn.search import SearchRequest;"
        "from cairn.search.tantivy_engine import TantivyEngine;"
        "e = TantivyEngine(Path(sys.argv[1]));"
        "print(e.applied_seq('records'), sorted(e.search('records', SearchRequest()).ids))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "indexes")],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    assert out.stdout.split("\n")[0] == "42 ['a', 'b']"


def test_a_failed_apply_commits_nothing(engine: TantivyEngine, monkeypatch: Any) -> None:
    engine.apply("records", [upsert("a")], 1)
    handle = engine._handle("records")
    real = handle.document

    def failing(doc_id: str, document: dict[str, Any]) -> Any:
        if doc_id == "boom":
            raise OSError("disk full")
        return real(doc_id, document)

    monkeypatch.setattr(handle, "document", failing)
    with pytest.raises(OSError):
        engine.apply("records", [Delete("a"), upsert("c"), upsert("boom")], 2)
    monkeypatch.undo()
    assert engine.applied_seq("records") == 1 and ids(engine) == ["a"]
    engine.apply("records", [upsert("c")], 2)  # the writer is usable again
    assert sorted(ids(engine)) == ["a", "c"]


def test_upsert_replaces_and_delete_removes(engine: TantivyEngine) -> None:
    engine.apply("records", [upsert("a", title="First"), upsert("a", title="Second")], 1)
    assert ids(engine, q="second") == ["a"] and ids(engine, q="first") == []
    engine.apply("records", [upsert("b"), Delete("a"), Delete("never-indexed")], 2)
    assert ids(engine) == ["b"]
    assert engine.count("records", SearchRequest()) == engine.document_count("records") == 1


def test_engines_of_one_process_share_the_writer(engine: TantivyEngine, tmp_path: Path) -> None:
    engine.apply("records", [upsert("a")], 1)
    second = TantivyEngine(tmp_path / "indexes")
    second.apply("records", [upsert("b")], 2)  # no lock conflict: same writer
    engine.reload("records")
    assert sorted(ids(engine)) == ["a", "b"] and engine.applied_seq("records") == 2


def test_wrong_values_in_a_document_are_left_out(engine: TantivyEngine) -> None:
    document = record_document(make_record("a", title="Kept"), owner_id=None, is_draft=False)
    document.update({"owner": "seven", "created": "yesterday", "unknown": 1, "version_index": -1})
    engine.apply("records", [Upsert("a", document)], 1)
    assert ids(engine, q="kept") == ["a"]


def test_stemming_language_is_an_index_property(tmp_path: Path) -> None:
    plain = TantivyEngine(tmp_path, language="none")
    plain.ensure_index("records")
    plain.apply("records", [upsert("a", title="Climates")], 1)
    assert plain.search("records", SearchRequest(q="climate")).ids == []
    assert plain.search("records", SearchRequest(q="climates")).ids == ["a"]
    # an engine configured otherwise keeps the language the index was built with
    english = TantivyEngine(tmp_path, language="english")
    assert english.search("records", SearchRequest(q="climate")).ids == []
    french = TantivyEngine(tmp_path / "fr", language="french")
    french.ensure_index("records")
    french.apply("records", [upsert("b", title="Les données climatiques")], 1)
    assert french.search("records", SearchRequest(q="donnee")).ids == ["b"]
    with pytest.raises(ValueError):
        TantivyEngine(tmp_path, language="klingon")


# -- permissions, facets ----------------------------------------------------------------
@pytest.fixture
def catalogue(engine: TantivyEngine) -> TantivyEngine:
    article = {"id": "publication-article"}
    rows = [
        upsert("a1", resource_type=article, publication_date="2019", languages=[{"id": "eng"}]),
        upsert("a2", resource_type=article, publication_date="2020/2021",
               top__access={"record": "restricted", "files": "restricted",
                            "status": "restricted"},
               top__parent={"id": "pa2", "access": {"owned_by": {"user": "7"}}}),
        upsert("b1", resource_type={"id": "publication-book"}, publication_date="2021"),
        upsert("d1", resource_type={"id": "dataset"}, publication_date="2021",
               top__files={"enabled": True, "entries": {"x.csv": {"ext": "csv"}}}),
        upsert("d2", resource_type={"id": "dataset"}, publication_date="2022",
               top__access={"record": "public", "files": "public", "status": "metadata-only"},
               top__versions={"index": 1, "is_latest": False, "is_latest_draft": False}),
    ]  # fmt: skip
    engine.apply("records", rows, 5)
    return engine


def test_restricted_records_only_for_who_may_read_them(catalogue: TantivyEngine) -> None:
    public = Term("access.record", "public")
    assert "a2" not in ids(catalogue, filter=public)
    owner = AnyOf((public, Term("parent.access.owned_by.user", 7)))
    assert "a2" in ids(catalogue, filter=owner)
    assert "d2" not in ids(catalogue, filter=Term("versions.is_latest", True))


def test_facet_selections_or_within_and_across(catalogue: TantivyEngine) -> None:
    def chosen(**facets: list[str]) -> set[str]:
        return set(ids(catalogue, facets=facets))

    assert chosen(resource_type=["publication"]) == {"a1", "a2", "b1"}
    assert chosen(resource_type=["publication::publication-article"]) == {"a1", "a2"}
    assert chosen(resource_type=["publication::publication-book", "dataset"]) == {"b1", "d1", "d2"}
    assert chosen(resource_type=["dataset"], access_status=["metadata-only"]) == {"d2"}
    assert chosen(file_type=["csv"]) == {"d1"} and chosen(language=["eng"]) == {"a1"}
    assert chosen(publication_date=["2021"]) == {"a2", "b1", "d1"}  # intervals overlap
    assert chosen(publication_date=["..2019"]) == {"a1"}
    assert chosen(publication_date=["2022..", "2019"]) == {"a1", "d2"}
    assert chosen(publication_date=["recent"]) == set()
    assert chosen(no_such_facet=["x"]) == {"a1", "a2", "b1", "d1", "d2"}
    assert set(ids(catalogue, facets={"access_status": "metadata-only"})) == {"d2"}


def test_aggregations_are_disjunctive_and_nested(catalogue: TantivyEngine) -> None:
    result = catalogue.search(
        "records",
        SearchRequest(
            facets={"resource_type": ["dataset"]},
            aggregations=("resource_type", "access_status", "publication_date", "file_type"),
        ),
    )
    assert result.total == 2
    types = {b["key"]: b for b in result.aggregations["resource_type"]}
    # its own selection does not narrow resource_type's counts ...
    assert types["publication"]["doc_count"] == 3 and types["dataset"]["doc_count"] == 2
    assert {c["key"]: c["doc_count"] for c in types["publication"]["inner"]} == {
        "publication-article": 2,
        "publication-book": 1,
    }
    assert "inner" not in types["dataset"]
    # ... but it narrows the others
    assert {b["key"]: b["doc_count"] for b in result.aggregations["access_status"]} == {
        "open": 1,
        "metadata-only": 1,
    }
    assert [b["key"] for b in result.aggregations["publication_date"]] == ["2021", "2022"]
    assert result.aggregations["file_type"] == [{"key": "csv", "doc_count": 1}]
    everything = catalogue.search(
        "records", SearchRequest(aggregations=("publication_date", "bogus"))
    ).aggregations
    assert list(everything) == ["publication_date"]
    assert [(b["key"], b["doc_count"]) for b in everything["publication_date"]] == [
        ("2019", 1), ("2020", 1), ("2021", 3), ("2022", 1),
    ]  # fmt: skip


# -- sorts, pages, cursors --------------------------------------------------------------
def dated(i: int, **changes: Any) -> Upsert:
    day = f"2024-01-{1 + i % 28:02d}T{i % 24:02d}:00:00+00:00"
    return upsert(f"r{i:05d}", top__created=day, top__updated=day,
                  top__versions={"index": 1 + i % 5, "is_latest": True, "is_latest_draft": True},
                  **changes)  # fmt: skip


def test_sorts(engine: TantivyEngine) -> None:
    engine.apply("records", [dated(i) for i in range(40)], 1)
    newest = ids(engine, sort="newest")
    created = {f"r{i:05d}": (1 + i % 28, i % 24) for i in range(40)}
    assert [created[i] for i in newest] == sorted(created.values(), reverse=True)
    assert ids(engine, sort="oldest") == newest[::-1]
    assert ids(engine, sort="mostviewed") == ids(engine, sort="mostdownloaded") == newest
    assert ids(engine, sort="bestmatch") == newest  # no query terms: newest
    assert (
        ids(engine, sort="updated-desc") == newest
        and ids(engine, sort="updated-asc")[0] == newest[-1]
    )
    versions = ids(engine, sort="version")
    assert [1 + int(i[1:]) % 5 for i in versions] == sorted(
        (1 + i % 5 for i in range(40)), reverse=True
    )


def test_pages(engine: TantivyEngine) -> None:
    engine.apply("records", [dated(i) for i in range(30)], 1)
    everything = ids(engine, sort="newest")
    pages = [
        engine.search("records", SearchRequest(sort="newest", page=p, size=7)) for p in (1, 5, 6)
    ]
    assert pages[0].ids == everything[:7] and pages[0].total == 30
    assert pages[1].ids == everything[28:] and pages[1].next_cursor is None
    assert pages[2].ids == [] and pages[2].total == 30
    far = engine.search("records", SearchRequest(sort="bestmatch", q="title", page=10**9))
    assert far.ids == [] and far.total == 0


def walk(engine: TantivyEngine, request: SearchRequest) -> list[str]:
    seen: list[str] = []
    result = engine.search("records", request)
    while True:
        seen.extend(result.ids)
        if result.next_cursor is None:
            return seen
        request = SearchRequest(q=request.q, sort=request.sort, size=request.size,
                                cursor=result.next_cursor, filter=request.filter)  # fmt: skip
        result = engine.search("records", request)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> TantivyEngine:
    """12,000 records; 3,000 of them share one sort key exactly (ties across many pages)."""
    engine = TantivyEngine(tmp_path_factory.mktemp("big"))
    engine.ensure_index("records")
    changes = []
    for i in range(12_000):
        change = dated(i, title=f"Record {'tied' if i < 3000 else 'plain'} {i}")
        if i < 3000:
            change.document["sort_created"] = 1 << 63  # newer than all the others
        changes.append(change)
    engine.apply("records", changes, 1)
    return engine


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_cursor_walks_every_hit_once_in_order(big: TantivyEngine, sort: str) -> None:
    walked = walk(big, SearchRequest(sort=sort, size=500))
    assert len(walked) == len(set(walked)) == 12_000
    assert walked[:500] == big.search("records", SearchRequest(sort=sort, size=500)).ids
    in_pages = [i for p in (1, 2, 3) for i in ids_page(big, sort, p)]
    assert walked[:3000] == in_pages  # the cursor continues exactly where pages do
    tied = [i for i in walked if int(i[1:]) < 3000]
    assert walked[:3000] == tied if sort == "newest" else walked[-3000:] == tied


def ids_page(engine: TantivyEngine, sort: str, page: int, size: int = 1000) -> list[str]:
    return engine.search("records", SearchRequest(sort=sort, size=size, page=page)).ids


def test_cursor_walk_with_a_query_and_filter(big: TantivyEngine) -> None:
    request = SearchRequest(q="plain", sort="version", size=1000,
                            filter=Term("versions.index", 3))  # fmt: skip
    walked = walk(big, request)
    expected = {f"r{i:05d}" for i in range(3000, 12_000) if 1 + i % 5 == 3}
    assert len(walked) == len(expected) and set(walked) == expected


def test_bestmatch_cursor_continues_by_offset(big: TantivyEngine) -> None:
    request = SearchRequest(q="tied OR 3012", sort="bestmatch", size=400)
    walked = walk(big, request)
    total = big.search("records", request).total
    assert len(walked) == len(set(walked)) == total == 3001  # "tied" (3000) or "Record plain 3012"
    page_two = big.search("records", SearchRequest(q=request.q, size=400, page=2)).ids
    assert walked[400:800] == page_two


def test_cursor_walk_where_hits_thin_out(engine: TantivyEngine) -> None:
    """Key windows sized from dense pages miss in sparse stretches and fall back."""
    burst = [upsert(f"b{i}", top__created="2024-05-01T12:00:00.5+00:00") for i in range(1500)]
    spread = [upsert(f"s{i}", top__created=f"{1990 + i % 30}-0{1 + i % 9}-01T00:00:00+00:00")
              for i in range(500)]  # fmt: skip
    engine.apply("records", burst + spread, 1)
    for sort in ("newest", "oldest"):
        walked = walk(engine, SearchRequest(sort=sort, size=70))
        assert walked == [i for p in range(1, 30) for i in ids_page(engine, sort, p, 70)]
        assert len(set(walked)) == 2000


def test_cursor_walk_sees_records_added_meanwhile_once(engine: TantivyEngine) -> None:
    engine.apply("records", [dated(i) for i in range(100)], 1)
    first = engine.search("records", SearchRequest(sort="oldest", size=30))
    later = dated(500)
    later.document["sort_created"] = (1 << 63) - 1  # created after everything else
    engine.apply("records", [later, Delete(first.ids[0])], 2)
    walked = first.ids + walk(
        engine, SearchRequest(sort="oldest", size=30, cursor=first.next_cursor)
    )
    assert len(walked) == len(set(walked)) == 101 and walked[-1] == "r00500"


def test_cursors_belong_to_their_sort(engine: TantivyEngine) -> None:
    engine.apply("records", [dated(i) for i in range(5)], 1)
    token = engine.search("records", SearchRequest(sort="newest", size=2)).next_cursor
    assert token is not None
    with pytest.raises(InvalidCursor):
        engine.search("records", SearchRequest(sort="oldest", cursor=token))
    with pytest.raises(InvalidCursor):
        engine.search("records", SearchRequest(sort="newest", cursor="bm9wZQ"))


def test_people_and_titles_are_searchable(engine: TantivyEngine) -> None:
    engine.apply("records", [upsert("p", title="Soil", creators=[person("Łukasz, Ćwik")])], 1)
    assert ids(engine, q="lukasz") == ["p"]
