"""The text and JSON formats, field by field, on a rich record and on awkward ones."""

from __future__ import annotations

import copy
import csv
import io
import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.core.errors import InvalidRequest
from cairn.formats import default_registry, text_catalog
from cairn.formats.bibtex import cite_key, escape
from cairn.formats.citation import STYLES, cite, locales
from cairn.formats.csl import date_parts, plain_text
from cairn.formats.tabular import FULL_COLUMNS, SIMPLE_COLUMNS

REGISTRY = default_registry()
API = "https://cairn.test/api/records/abcde-12345"
HTML = "https://cairn.test/records/abcde-12345"

RICH: dict[str, Any] = {
    "id": "abcde-12345",
    "created": "2024-01-02T03:04:05+00:00",
    "updated": "2024-02-03T04:05:06+00:00",
    "pids": {"doi": {"identifier": "10.5281/cairn.42", "provider": "datacite"}},
    "parent": {"id": "pppp-00001", "pids": {"doi": {"identifier": "10.5281/cairn.41"}}},
    "versions": {"index": 2, "is_latest": True},
    "access": {
        "record": "public",
        "files": "public",
        "embargo": {"active": False},
        "status": "open",
    },
    "files": {
        "enabled": True,
        "entries": {
            "data/table.csv": {"key": "data/table.csv", "size": 1234, "mimetype": "text/csv"},
            "readme.txt": {"key": "readme.txt", "size": 10, "mimetype": "text/plain"},
            "hidden.bin": {"key": "hidden.bin", "size": 5, "access": {"hidden": True}},
        },
    },
    "metadata": {
        "resource_type": {"id": "dataset", "title": {"en": "Dataset"}},
        "title": "Ocean temperatures & salinity",
        "description": "<p>Measured <b>daily</b> at&nbsp;sea.</p>",
        "additional_descriptions": [{"description": "<p>CTD casts</p>", "type": {"id": "methods"}}],
        "creators": [
            {
                "person_or_org": {
                    "type": "personal",
                    "name": "Müller, Jürgen",
                    "family_name": "Müller",
                    "given_name": "Jürgen",
                    "identifiers": [{"scheme": "orcid", "identifier": "0000-0002-1825-0097"}],
                },
                "affiliations": [{"id": "01ggx4157", "name": "CERN"}],
            },
            {"person_or_org": {"type": "organizational", "name": "Ocean Lab and Partners"}},
        ],
        "contributors": [
            {
                "person_or_org": {"type": "personal", "family_name": "Ed", "given_name": "Ann"},
                "role": {"id": "editor", "title": {"en": "Editor"}},
            }
        ],
        "publication_date": "2023-05-17",
        "publisher": "Cairn",
        "version": "v2.1",
        "subjects": [{"subject": "oceanography"}, {"id": "euroscivoc:123", "subject": "physics"}],
        "languages": [{"id": "eng", "title": {"en": "English"}}],
        "rights": [
            {
                "id": "cc-by-4.0",
                "title": {"en": "Creative Commons Attribution 4.0 International"},
                "props": {"url": "https://creativecommons.org/licenses/by/4.0/"},
            }
        ],
        "funding": [
            {
                "funder": {"id": "00k4n6c32", "name": "European Commission"},
                "award": {"number": "755021", "title": {"en": "A grant"}},
            }
        ],
        "locations": {
            "features": [
                {
                    "geometry": {"type": "Point", "coordinates": [6.05, 46.23]},
                    "place": "CERN",
                    "description": "Lab",
                },
                {"place": "Somewhere unlocated"},
                {
                    "place": "Box",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]],
                    },
                },
            ]
        },
        "identifiers": [
            {"scheme": "isbn", "identifier": "978-3-16-148410-0"},
            {"scheme": "ads", "identifier": "1924MNRAS..84..308E"},
        ],
        "related_identifiers": [
            {
                "identifier": "https://github.com/x/y",
                "scheme": "url",
                "relation_type": {"id": "issupplementto", "title": {"en": "Is supplement to"}},
            },
            {"identifier": "10.1234/cited", "scheme": "doi", "relation_type": {"id": "cites"}},
            {"identifier": "10.1234/whole", "scheme": "doi", "relation_type": {"id": "ispartof"}},
        ],
        "dates": [
            {"date": "2019-01/2019-06", "type": {"id": "collected", "title": {"en": "Collected"}}},
            {"date": "2020", "type": {"id": "other"}},
        ],
    },
    "custom_fields": {
        "code:programmingLanguage": [{"id": "python", "title": {"en": "Python"}}],
    },
    "links": {"self": API, "self_html": HTML},
}


def rich(**changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(RICH)
    record["metadata"].update(changes)
    return record


def out(name: str, record: dict[str, Any], **params: str) -> bytes:
    fmt = REGISTRY.by_name(name)
    assert fmt is not None
    return fmt.serialize(record, params=params)


def listing(name: str, records: list[dict[str, Any]], **params: str) -> bytes:
    fmt = REGISTRY.by_name(name)
    assert fmt is not None
    return fmt.serialize_list({"hits": {"hits": records, "total": len(records)}}, params=params)


# -- CSL-JSON ----------------------------------------------------------------------------
def test_csl_fields() -> None:
    item = json.loads(out("csl", RICH))
    assert item["id"] == "abcde-12345"
    assert item["type"] == "dataset"
    assert item["title"] == "Ocean temperatures & salinity"
    assert item["author"] == [
        {"family": "Müller", "given": "Jürgen"},
        {"literal": "Ocean Lab and Partners"},
    ]
    assert item["editor"] == [{"family": "Ed", "given": "Ann"}]
    assert item["issued"] == {"date-parts": [[2023, 5, 17]]}
    assert item["abstract"] == "Measured daily at sea."
    assert item["DOI"] == "10.5281/cairn.42"
    assert item["URL"] == HTML
    assert item["publisher"] == "Cairn"
    assert item["version"] == "v2.1"
    assert item["language"] == "en"  # BCP 47, as CSL wants
    assert item["keyword"] == "oceanography, physics"
    assert item["ISBN"] == "978-3-16-148410-0"


def test_csl_types_and_journal() -> None:
    record = rich(resource_type={"id": "publication-article"})
    record["custom_fields"]["journal:journal"] = {
        "title": "J. Oceans",
        "volume": "3",
        "pages": "1-9",
    }
    item = json.loads(out("csl", record))
    assert item["type"] == "article-journal"
    assert (item["container-title"], item["volume"], item["page"]) == ("J. Oceans", "3", "1-9")
    # an unknown subtype falls back to its top-level type
    assert json.loads(out("csl", rich(resource_type={"id": "image-new"})))["type"] == "figure"
    assert json.loads(out("csl", rich(resource_type={"id": "nothing"})))["type"] == "article"


def test_csl_listing_is_an_array() -> None:
    items = json.loads(listing("csl", [RICH, rich(title="Second")]))
    assert [i["title"] for i in items] == ["Ocean temperatures & salinity", "Second"]


def test_dates_and_html() -> None:
    assert date_parts("2018/2020-09") == [2018]
    assert date_parts("2020-06") == [2020, 6]
    assert date_parts("") == [] and date_parts(None) == [] and date_parts("abc") == []
    assert plain_text("<p>a <i>b</i></p>\n<p>c</p>") == "a b c"
    assert plain_text("no markup & <") == "no markup & <"


# -- citations ---------------------------------------------------------------------------
def test_citation_apa_exact() -> None:
    assert out("citation", RICH).decode() == (
        "Müller, J., & Ocean Lab and Partners. (2023). Ocean temperatures & salinity "
        "(A. Ed, ed.; Version v2.1) [Dataset]. Cairn. https://doi.org/10.5281/cairn.42"
    )


@pytest.mark.parametrize("style", list(STYLES))
def test_citation_every_style(style: str) -> None:
    text = out("citation", RICH, style=style).decode()
    assert "Müller" in text and "2023" in text and "10.5281/cairn.42" in text
    assert "Ocean" in text
    assert not text.startswith(("[1]", "1."))  # one entry: no number label


def test_citation_bad_style_and_locale() -> None:
    with pytest.raises(InvalidRequest, match="'style'"):
        out("citation", RICH, style="nonsense")
    with pytest.raises(InvalidRequest, match="'locale'"):
        out("citation", RICH, locale="xx-XX")


def test_citation_locale() -> None:
    assert "de-DE" in locales()
    german = cite(rich(resource_type={"id": "publication-blog"}), "apa", "de-DE")
    assert (
        german
        == out("citation", rich(resource_type={"id": "publication-blog"}), locale="de_de").decode()
    )


def test_citation_listing_one_line_each() -> None:
    lines = listing("citation", [RICH, rich(title="Second")], style="ieee").decode().splitlines()
    assert len(lines) == 2 and "Second" in lines[1]


def test_citation_without_creators_or_date() -> None:
    record = rich(creators=[], publication_date="")
    del record["pids"]
    text = out("citation", record).decode()
    assert "Ocean temperatures" in text and HTML in text


# -- BibTeX ------------------------------------------------------------------------------
def test_bibtex_entry() -> None:
    text = out("bibtex", RICH).decode()
    assert text.startswith("@dataset{muller_2023_abcde12345,\n")
    assert "  author = {Müller, Jürgen and {Ocean Lab and Partners}},\n" in text
    assert "  editor = {Ed, Ann},\n" in text
    assert "  title = {Ocean temperatures \\& salinity},\n" in text
    assert "  year = {2023},\n  month = may,\n" in text
    assert "  publisher = {Cairn},\n" in text
    assert "  version = {v2.1},\n" in text
    assert "  doi = {10.5281/cairn.42},\n" in text
    assert "  url = {https://doi.org/10.5281/cairn.42},\n" in text
    assert text.endswith("}\n")


def test_bibtex_escapes_and_types() -> None:
    assert escape("50% of {x}_1 & $y #2 ~ ^ \\") == (
        r"50\% of \{x\}\_1 \& \$y \#2 \textasciitilde{} \textasciicircum{} \textbackslash{}"
    )
    article = rich(resource_type={"id": "publication-article"}, title="}{ break out")
    article["custom_fields"]["journal:journal"] = {"title": "J", "pages": "1-9", "volume": "4"}
    text = out("bibtex", article).decode()
    assert text.startswith("@article{")
    assert "title = {\\}\\{ break out}" in text
    assert "journal = {J}" in text and "pages = {1--9}" in text
    assert out("bibtex", rich(resource_type={"id": "software"})).startswith(b"@software{")
    assert out("bibtex", rich(resource_type={"id": "image-photo"})).startswith(b"@misc{")
    report = out("bibtex", rich(resource_type={"id": "publication-report"})).decode()
    assert "institution = {Cairn}" in report


def test_bibtex_key_without_creators_and_listing() -> None:
    assert cite_key(rich(creators=[], publication_date="")) == "record_abcde12345"
    text = listing("bibtex", [RICH, rich(title="Second")]).decode()
    assert text.count("@dataset{") == 2


# -- JSON-LD -----------------------------------------------------------------------------
def test_jsonld_fields() -> None:
    doc = json.loads(out("json-ld", RICH))
    assert doc["@context"] == "http://schema.org"
    assert doc["@type"] == "Dataset"
    assert doc["@id"] == doc["identifier"] == "https://doi.org/10.5281/cairn.42"
    assert doc["url"] == HTML
    assert doc["name"] == "Ocean temperatures & salinity"
    assert doc["description"] == "Measured daily at sea."
    person, org = doc["creator"]
    assert person == {
        "@type": "Person",
        "name": "Jürgen Müller",
        "givenName": "Jürgen",
        "familyName": "Müller",
        "@id": "https://orcid.org/0000-0002-1825-0097",
        "affiliation": [
            {"@type": "Organization", "@id": "https://ror.org/01ggx4157", "name": "CERN"}
        ],
    }
    assert org == {"@type": "Organization", "name": "Ocean Lab and Partners"}
    assert doc["contributor"][0]["familyName"] == "Ed"
    assert doc["datePublished"] == "2023-05-17"
    assert doc["dateModified"] == "2024-02-03T04:05:06+00:00"
    assert doc["version"] == "v2.1"
    assert doc["keywords"] == ["oceanography", "physics"]
    assert doc["inLanguage"] == "en"
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert doc["publisher"] == {"@type": "Organization", "name": "Cairn"}
    assert doc["sameAs"] == ["https://ui.adsabs.harvard.edu/#abs/1924MNRAS..84..308E"]
    assert doc["citation"] == ["https://doi.org/10.1234/cited"]
    assert doc["isPartOf"] == ["https://doi.org/10.1234/whole"]
    assert doc["temporalCoverage"] == "2019-01/2019-06"
    assert doc["funder"] == [
        {"@type": "Organization", "@id": "https://ror.org/00k4n6c32", "name": "European Commission"}
    ]
    assert doc["spatialCoverage"] == [
        {
            "@type": "Place",
            "name": "CERN",
            "description": "Lab",
            "geo": {"@type": "GeoCoordinates", "longitude": 6.05, "latitude": 46.23},
        },
        {"@type": "Place", "name": "Somewhere unlocated"},
        {
            "@type": "Place",
            "name": "Box",
            "geo": {"@type": "GeoShape", "polygon": "0 0 0 1 1 1 0 0"},
        },
    ]
    assert doc["isAccessibleForFree"] is True
    assert doc["distribution"] == [
        {
            "@type": "DataDownload",
            "name": "data/table.csv",
            "contentUrl": f"{API}/files/data/table.csv/content",
            "encodingFormat": "text/csv",
            "contentSize": "1234",
        },
        {
            "@type": "DataDownload",
            "name": "readme.txt",
            "contentUrl": f"{API}/files/readme.txt/content",
            "encodingFormat": "text/plain",
            "contentSize": "10",
        },
    ]


def test_jsonld_types_restricted_files_and_no_doi() -> None:
    software = rich(resource_type={"id": "software"}, publication_date="2018/2020-09")
    software["access"]["files"] = "restricted"
    del software["pids"]
    doc = json.loads(out("json-ld", software))
    assert doc["@type"] == "SoftwareSourceCode"
    assert doc["@id"] == HTML and "identifier" not in doc
    assert doc["author"] == doc["creator"]
    assert doc["datePublished"] == "2018"
    assert doc["isAccessibleForFree"] is False
    assert "distribution" not in doc and "associatedMedia" not in doc
    article = json.loads(out("json-ld", rich(resource_type={"id": "publication-article"})))
    assert article["@type"] == "ScholarlyArticle"
    assert article["associatedMedia"][0]["contentUrl"].endswith("/content")
    embargoed = rich()
    embargoed["access"]["embargo"] = {"active": True, "until": "2100-01-01"}
    assert "distribution" not in json.loads(out("json-ld", embargoed))


def test_jsonld_listing_is_a_graph() -> None:
    doc = json.loads(listing("json-ld", [RICH, rich(title="Second")]))
    assert doc["@context"] == "http://schema.org"
    assert [n["name"] for n in doc["@graph"]] == ["Ocean temperatures & salinity", "Second"]
    assert all("@context" not in n for n in doc["@graph"])


# -- GeoJSON -----------------------------------------------------------------------------
def test_geojson() -> None:
    doc = json.loads(out("geojson", RICH))
    assert doc["type"] == "FeatureCollection"
    point, unlocated, box = doc["features"]
    assert box["geometry"]["type"] == "Polygon"
    assert point == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [6.05, 46.23]},
        "properties": {"place": "CERN", "description": "Lab"},
    }
    assert unlocated["geometry"] is None
    empty = json.loads(out("geojson", rich(locations=None)))
    assert empty == {"type": "FeatureCollection", "features": []}
    many = json.loads(listing("geojson", [RICH, rich(locations={"features": [{}]})]))
    assert len(many["features"]) == 3  # the empty location is left out
    assert many["features"][0]["properties"]["record_id"] == "abcde-12345"
    assert many["features"][0]["properties"]["record_url"] == HTML


# -- CSV ---------------------------------------------------------------------------------
def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_csv_full_row() -> None:
    raw = out("csv", RICH)
    header = raw.decode().splitlines()[0].split(",")
    assert tuple(header) == FULL_COLUMNS
    (row,) = rows(raw)
    assert row["id"] == "abcde-12345"
    assert row["doi"] == "10.5281/cairn.42"
    assert row["parent_id"] == "pppp-00001" and row["parent_doi"] == "10.5281/cairn.41"
    assert row["title"] == "Ocean temperatures & salinity"
    assert row["creators"] == "Müller, Jürgen; Ocean Lab and Partners"
    assert row["creators_orcid"] == "https://orcid.org/0000-0002-1825-0097"
    assert row["creators_affiliations"] == "CERN"
    assert row["contributors"] == "Ed, Ann" and row["contributors_roles"] == "Editor"
    assert row["resource_type"] == "Dataset"
    assert row["subjects"] == "oceanography; physics"
    assert row["rights"] == "Creative Commons Attribution 4.0 International"
    assert row["rights_urls"] == "https://creativecommons.org/licenses/by/4.0/"
    assert row["funding"] == "European Commission (755021)"
    assert row["locations"] == "CERN (46.23, 6.05); Somewhere unlocated; Box"
    assert row["identifiers"] == "isbn:978-3-16-148410-0; ads:1924MNRAS..84..308E"
    assert row["related_identifiers"] == (
        "Is supplement to url:https://github.com/x/y; cites doi:10.1234/cited; "
        "ispartof doi:10.1234/whole"
    )
    assert row["dates"] == "2019-01/2019-06 (Collected); 2020 (other)"
    assert row["files"] == "data/table.csv; readme.txt"
    assert (row["files_count"], row["files_total_bytes"]) == ("2", "1244")
    assert row["description"] == "Measured daily at sea."
    assert row["version_index"] == "2"


def test_csv_simple_listing_and_formula_guard() -> None:
    raw = listing("csv-simple", [RICH, rich(title='=HYPERLINK("x")', creators=[])])
    first, second = rows(raw)
    assert tuple(first) == SIMPLE_COLUMNS
    assert second["title"] == '\'=HYPERLINK("x")'
    assert second["creators"] == ""
    assert out("csv-full", RICH) == out("csv", RICH)


# -- CodeMeta and CFF --------------------------------------------------------------------
def test_codemeta() -> None:
    doc = json.loads(out("codemeta", rich(resource_type={"id": "software"})))
    assert doc["@context"] == "https://w3id.org/codemeta/3.0"
    assert doc["@type"] == "SoftwareSourceCode"
    assert doc["author"][0]["@id"] == "https://orcid.org/0000-0002-1825-0097"
    assert doc["codeRepository"] == "https://github.com/x/y"
    assert doc["programmingLanguage"] == ["Python"]
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert doc["version"] == "v2.1"
    fmt = REGISTRY.by_name("codemeta")
    assert fmt is not None and fmt.listing is None


def test_cff_parses_back() -> None:
    doc = yaml.safe_load(out("cff", rich(resource_type={"id": "software"})))
    assert doc["cff-version"] == "1.2.0"
    assert doc["type"] == "software"
    assert doc["title"] == "Ocean temperatures & salinity"
    assert doc["authors"] == [
        {
            "family-names": "Müller",
            "given-names": "Jürgen",
            "orcid": "https://orcid.org/0000-0002-1825-0097",
            "affiliation": "CERN",
        },
        {"name": "Ocean Lab and Partners"},
    ]
    assert doc["doi"] == "10.5281/cairn.42"
    assert doc["date-released"] == "2023-05-17"
    assert doc["version"] == "v2.1"
    assert doc["keywords"] == ["oceanography", "physics"]
    assert doc["license-url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert doc["url"] == HTML
    assert {"type": "url", "value": HTML, "description": "The landing page."} in doc["identifiers"]


def test_cff_awkward_text_stays_text() -> None:
    tricky = "yes: no # not a comment\n- [list]"
    doc = yaml.safe_load(out("cff", rich(title=tricky, version="1.10", creators=[])))
    assert doc["title"] == tricky
    assert doc["version"] == "1.10"  # a string, not the float 1.1
    assert doc["type"] == "dataset"
    assert doc["authors"] == [{"name": "Unknown"}]
    assert "date-released" not in yaml.safe_load(out("cff", rich(publication_date="2020-06")))


# -- robustness --------------------------------------------------------------------------
ODD = st.sampled_from(
    [
        None,
        "",
        [],
        {},
        0,
        "x",
        [None],
        [{}],
        [{"id": None}],
        [{"person_or_org": None, "affiliations": [None, {}]}],
        [{"person_or_org": {"type": "personal"}, "role": None}],
        {"features": [None, {"geometry": "x"}, {"geometry": {"type": "Point"}}]},
        [{"funder": None, "award": None}, {"funder": {}, "award": {"title": None}}],
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_sparse_and_odd_records_never_crash(data: st.DataObject) -> None:
    """Every field missing or oddly shaped: each format still writes something."""
    record = copy.deepcopy(RICH)
    for key in list(record["metadata"]):
        choice = data.draw(st.sampled_from(["keep", "drop", "odd"]))
        if choice == "drop":
            del record["metadata"][key]
        elif choice == "odd":
            record["metadata"][key] = data.draw(ODD)
    for key in ("pids", "access", "files", "links", "custom_fields", "parent"):
        if data.draw(st.booleans()):
            record[key] = data.draw(st.sampled_from([{}, None]))
    for fmt in text_catalog.FORMATS:
        assert fmt.serialize(record), fmt.name
        if fmt.listing is not None:
            assert fmt.serialize_list({"hits": {"hits": [record], "total": 1}}), fmt.name
