"""Unit tests for cairn.vocabularies: shipped data, lookups and search."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from cairn.core.errors import InvalidRequest, NotFound
from cairn.vocabularies import SORT_OPTIONS, VocabularyRegistry, load_registry
from cairn.vocabularies.text import fold, words

EXPECTED_TYPES = [
    "communitytypes",
    "contributorsroles",
    "creatorsroles",
    "datetypes",
    "descriptiontypes",
    "languages",
    "licenses",
    "relationtypes",
    "removalreasons",
    "resourcetypes",
    "titletypes",
]


@pytest.fixture(scope="module")
def registry() -> VocabularyRegistry:
    return load_registry()


def ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


# --- loading -------------------------------------------------------------------------------


def test_every_type_loads(registry: VocabularyRegistry) -> None:
    assert registry.types() == EXPECTED_TYPES
    for vtype in EXPECTED_TYPES:
        assert registry.has_type(vtype)
        assert registry.count(vtype) > 0
    assert not registry.has_type("nosuchtype")
    assert registry.count("nosuchtype") == 0


def test_counts_are_plausible(registry: VocabularyRegistry) -> None:
    assert registry.count("licenses") > 400
    assert registry.count("languages") > 7000
    assert registry.count("resourcetypes") >= 30
    assert registry.count("creatorsroles") == registry.count("contributorsroles") >= 20
    assert registry.count("relationtypes") >= 30


def test_invenio_ids_are_present(registry: VocabularyRegistry) -> None:
    for vid in [
        "publication",
        "publication-dissertation",
        "image-photo",
        "dataset",
        "software",
        "software-computationalnotebook",
        "lesson",
        "physicalobject",
        "workflow",
        "other",
    ]:
        assert registry.exists("resourcetypes", vid), vid
    for vid in ["cc-by-4.0", "cc0-1.0", "mit", "apache-2.0", "gpl-3.0-or-later"]:
        assert registry.exists("licenses", vid), vid
    for vid in ["contactperson", "datacollector", "rightsholder", "other"]:
        assert registry.exists("contributorsroles", vid), vid
    assert ids(registry.search("titletypes", sort="id")[0]) == [
        "alternative-title",
        "other",
        "subtitle",
        "translated-title",
    ]
    for vid in ["abstract", "methods", "series-information", "table-of-contents", "other"]:
        assert registry.exists("descriptiontypes", vid), vid
    for vid in ["accepted", "available", "collected", "created", "issued", "withdrawn"]:
        assert registry.exists("datetypes", vid), vid
    for vid in ["spam", "test-record", "duplicate", "retracted"]:
        assert registry.exists("removalreasons", vid), vid


def test_every_item_has_the_documented_shape(registry: VocabularyRegistry) -> None:
    allowed = {"id", "type", "title", "description", "icon", "props", "tags"}
    for vtype in registry.types():
        items, total = registry.search(vtype, size=10_000)
        assert total == registry.count(vtype) == len(items)
        for item in items:
            assert {"id", "type", "title", "props", "tags"} <= item.keys() <= allowed
            assert item["type"] == vtype
            assert item["title"] and all(isinstance(v, str) for v in item["title"].values())
            assert all(isinstance(v, str) for v in item["props"].values())
            assert isinstance(item["tags"], list)


# --- get / exists --------------------------------------------------------------------------


def test_get_license(registry: VocabularyRegistry) -> None:
    item = registry.get("licenses", "cc-by-4.0")
    assert item is not None
    assert item["id"] == "cc-by-4.0"
    assert item["type"] == "licenses"
    assert item["title"]["en"] == "Creative Commons Attribution 4.0 International"
    assert item["icon"] == "cc-by-icon"
    assert item["props"] == {
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "scheme": "spdx",
        "osi_approved": "",
    }
    assert "recommended" in item["tags"]
    mit = registry.get("licenses", "mit")
    assert mit is not None and mit["props"]["osi_approved"] == "y"


def test_get_language(registry: VocabularyRegistry) -> None:
    assert registry.get("languages", "eng") == {
        "id": "eng",
        "type": "languages",
        "title": {"en": "English"},
        "props": {"alpha_2": "en"},
        "tags": ["individual", "living"],
    }
    item = registry.get("languages", "aaa")
    assert item is not None and item["props"]["alpha_2"] == ""


def test_get_resource_types(registry: VocabularyRegistry) -> None:
    dataset = registry.get("resourcetypes", "dataset")
    assert dataset is not None
    assert dataset["title"]["en"] == "Dataset"
    assert dataset["props"]["datacite_general"] == "Dataset"
    assert dataset["props"]["csl"] == "dataset"
    assert dataset["tags"] == ["depositable", "linkable"]
    article = registry.get("resourcetypes", "publication-article")
    assert article is not None
    assert article["title"]["en"] == "Journal article"
    assert article["props"]["type"] == "publication"
    assert article["props"]["subtype"] == "publication-article"
    assert article["props"]["datacite_general"] == "JournalArticle"


def test_get_relation_and_role(registry: VocabularyRegistry) -> None:
    cited = registry.get("relationtypes", "iscitedby")
    assert cited is not None
    assert cited["title"]["en"] == "Is cited by"
    assert cited["props"]["datacite"] == "IsCitedBy"
    role = registry.get("creatorsroles", "datacollector")
    assert role is not None and role["props"]["datacite"] == "DataCollector"
    same = registry.get("contributorsroles", "datacollector")
    assert same is not None and same["type"] == "contributorsroles"


def test_unknown_ids_and_types(registry: VocabularyRegistry) -> None:
    assert registry.get("licenses", "no-such-licence") is None
    assert registry.get("nosuchtype", "eng") is None
    assert registry.get("languages", "ENG") is None  # ids are exact
    assert not registry.exists("licenses", "no-such-licence")
    assert not registry.exists("nosuchtype", "eng")
    assert registry.exists("languages", "eng")


def test_returned_items_are_copies(registry: VocabularyRegistry) -> None:
    item = registry.get("licenses", "mit")
    assert item is not None
    item["title"]["en"] = "changed"
    item["tags"].append("changed")
    item["links"] = {"self": "x"}
    hits, _ = registry.search("licenses", q="mit", sort="bestmatch", size=1)
    hits[0]["props"]["url"] = "changed"
    again = registry.get("licenses", "mit")
    assert again is not None
    assert again["title"]["en"] == "MIT License"
    assert "changed" not in again["tags"] and "links" not in again
    assert again["props"]["url"] != "changed"


# --- search --------------------------------------------------------------------------------


def test_search_without_query_lists_everything_by_title(registry: VocabularyRegistry) -> None:
    items, total = registry.search("resourcetypes", size=100)
    assert total == registry.count("resourcetypes") == len(items)
    keys = [fold(item["title"]["en"]) for item in items]
    assert keys == sorted(keys)


def test_search_sort_by_id(registry: VocabularyRegistry) -> None:
    items, _ = registry.search("relationtypes", sort="id", size=100)
    assert ids(items) == sorted(ids(items))


def test_search_by_title_words(registry: VocabularyRegistry) -> None:
    items, total = registry.search("resourcetypes", q="journal article")
    assert ids(items) == ["publication-article"] and total == 1
    assert registry.search("resourcetypes", q="journal zzz") == ([], 0)  # all words must match


def test_search_prefix_of_last_word(registry: VocabularyRegistry) -> None:
    items, _ = registry.search("resourcetypes", q="journ")
    assert {"publication-journal", "publication-article"} <= set(ids(items))


def test_search_is_case_and_accent_insensitive(registry: VocabularyRegistry) -> None:
    assert "nob" in ids(registry.search("languages", q="BOKMAL")[0])  # "Norwegian Bokmål"
    assert "nob" in ids(registry.search("languages", q="bokmål")[0])
    articulo = ids(registry.search("resourcetypes", q="ARTICULO")[0])  # es "Artículo de revista"
    assert "publication-article" in articulo
    upper, n_upper = registry.search("licenses", q="CREATIVE COMMONS")
    lower, n_lower = registry.search("licenses", q="creative commons")
    assert ids(upper) == ids(lower) and n_upper == n_lower > 30


def test_search_matches_ids(registry: VocabularyRegistry) -> None:
    items, _ = registry.search("licenses", q="cc-by-4.0", sort="bestmatch")
    assert ids(items)[0] == "cc-by-4.0"
    assert "cc-by-nc-4.0" in ids(items)
    assert ids(registry.search("languages", q="eng", sort="bestmatch")[0])[0] == "eng"


def test_bestmatch_ranks_exact_id_then_exact_title_first(registry: VocabularyRegistry) -> None:
    items, total = registry.search("licenses", q="MIT", sort="bestmatch")
    assert ids(items)[0] == "mit" and total > 5
    items, _ = registry.search("languages", q="english", sort="bestmatch")
    assert ids(items)[0] == "eng"
    items, _ = registry.search("resourcetypes", q="other", sort="bestmatch", size=100)
    assert ids(items)[0] == "other"  # exact id beats the exact titles of *-other


def test_bestmatch_without_query_is_title_order(registry: VocabularyRegistry) -> None:
    assert registry.search("datetypes", sort="bestmatch") == registry.search("datetypes")


def test_blank_query_matches_everything(registry: VocabularyRegistry) -> None:
    for q in ["", "   ", "--"]:
        assert registry.search("datetypes", q=q)[1] == registry.count("datetypes")


def test_search_paging(registry: VocabularyRegistry) -> None:
    everything, total = registry.search("licenses", size=10_000)
    pages: list[dict] = []
    for page in range(1, 100):
        items, page_total = registry.search("licenses", page=page, size=100)
        assert page_total == total
        if not items:
            break
        assert len(items) <= 100
        pages.extend(items)
    assert ids(pages) == ids(everything)
    assert len(set(ids(pages))) == total
    items, page_total = registry.search("licenses", q="creative", page=2, size=5)
    assert len(items) == 5 and page_total > 10
    assert registry.search("licenses", page=1000, size=25) == ([], total)


def test_search_tags_any_of(registry: VocabularyRegistry) -> None:
    items, total = registry.search("licenses", tags=["recommended"], sort="id")
    assert ids(items) == [
        "apache-2.0",
        "cc-by-4.0",
        "cc-by-sa-4.0",
        "cc0-1.0",
        "gpl-3.0-or-later",
        "mit",
    ]
    assert total == 6
    _, n_data = registry.search("licenses", tags=["data"])
    _, n_software = registry.search("licenses", tags=["software"])
    _, n_either = registry.search("licenses", tags=["data", "software"])
    assert max(n_data, n_software) < n_either <= n_data + n_software
    items, _ = registry.search("licenses", q="creative", tags=["recommended"])
    assert set(ids(items)) == {"cc-by-4.0", "cc-by-sa-4.0", "cc0-1.0"}
    assert registry.search("removalreasons", tags=["nosuchtag"]) == ([], 0)


def test_search_rejects_bad_parameters(registry: VocabularyRegistry) -> None:
    assert set(SORT_OPTIONS) == {"bestmatch", "title", "id"}
    with pytest.raises(InvalidRequest):
        registry.search("licenses", sort="newest-ish")
    with pytest.raises(InvalidRequest):
        registry.search("licenses", page=0)
    with pytest.raises(InvalidRequest):
        registry.search("licenses", size=0)
    with pytest.raises(NotFound):
        registry.search("nosuchtype")


# --- building a registry from data ---------------------------------------------------------


def test_registry_from_custom_items() -> None:
    registry = VocabularyRegistry(
        {
            "colours": [
                {"id": "red", "title": {"en": "Red", "fr": "Rouge"}, "tags": ["warm"]},
                {"id": "blue", "title": {"en": "Blue"}, "icon": "b"},
            ]
        }
    )
    assert registry.types() == ["colours"]
    assert registry.get("colours", "red") == {
        "id": "red",
        "type": "colours",
        "title": {"en": "Red", "fr": "Rouge"},
        "props": {},
        "tags": ["warm"],
    }
    assert ids(registry.search("colours", q="rou")[0]) == ["red"]
    assert ids(registry.search("colours")[0]) == ["blue", "red"]


@pytest.mark.parametrize(
    "items",
    [
        [{"id": "a", "title": {"en": "A"}}, {"id": "a", "title": {"en": "B"}}],
        [{"title": {"en": "A"}}],
        [{"id": "a"}],
        [{"id": "a", "title": {"en": 1}}],
        [{"id": "a", "title": {"en": "A"}, "tags": "x"}],
        [{"id": "a", "title": {"en": "A"}, "props": {"k": ["v"]}}],
    ],
)
def test_invalid_items_are_rejected(items: list[dict]) -> None:
    with pytest.raises(ValueError):
        VocabularyRegistry({"bad": items})


def test_text_folding() -> None:
    assert fold("Écoute ÆSIR Øre Straße") == "ecoute aesir ore strasse"
    assert words("cc-by-4.0 (Généric)") == ["cc", "by", "4", "0", "generic"]


def test_package_imports_only_stdlib_pycountry_and_core() -> None:
    import cairn.vocabularies as package

    allowed = set(sys.stdlib_module_names) | {"pycountry", "__future__"}
    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                ok = top in allowed or name == "cairn.core" or name.startswith("cairn.core.")
                assert ok, f"{path.name} imports {name}"
