"""Linksets (RFC 9264) and Signposting links of records, read back with the `signposting`
library and compared with the FAIR Signposting benchmark's linkset fixtures."""

from __future__ import annotations

import copy
import json
from typing import Any

import orjson
import pytest
from signposting import find_signposting_http_link

from cairn.formats import default_registry
from cairn.formats.linkset import (
    ABOUT_PAGE,
    Described,
    Link,
    landing_links,
    link_value,
    linkset,
    to_json,
    to_text,
)
from cairn.formats.signposting_catalog import described_by
from tests.conftest import SHARED_DATA

SIGNPOSTING = SHARED_DATA / "signposting"
EXAMPLES = SHARED_DATA / "rdm-examples"
SITE = "https://repo.example"
DESCRIBED = (
    Described("datacite-xml", "application/vnd.datacite.datacite+xml"),
    Described("json", "application/json"),
)


def _links(rid: str) -> dict[str, str]:
    return {"self": f"{SITE}/api/records/{rid}", "self_html": f"{SITE}/records/{rid}"}


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "abcde-12345",
        "pids": {"doi": {"identifier": "10.1234/abcde-12345", "provider": "datacite"}},
        "metadata": {
            "resource_type": {"id": "dataset"},
            "title": "Data",
            "creators": [
                {
                    "person_or_org": {
                        "type": "personal",
                        "name": "Brown, Troy",
                        "identifiers": [{"scheme": "orcid", "identifier": "0000-0002-1825-0097"}],
                    }
                },
                {
                    "person_or_org": {
                        "type": "organizational",
                        "name": "CERN",
                        "identifiers": [{"scheme": "ror", "identifier": "01ggx4157"}],
                    }
                },
                {"person_or_org": {"type": "personal", "name": "No Id"}},
            ],
            "rights": [{"id": "cc-by-4.0", "link": "https://creativecommons.org/licenses/by/4.0/"}],
        },
        "access": {"record": "public", "files": "public", "embargo": {"active": False}},
        "files": {
            "enabled": True,
            "order": ["b.csv"],
            "entries": {
                "a b.txt": {"key": "a b.txt", "mimetype": "text/plain"},
                "b.csv": {"key": "b.csv", "mimetype": "text/csv"},
                "hidden.bin": {"key": "hidden.bin", "access": {"hidden": True}},
            },
        },
        "links": _links("abcde-12345"),
    }
    base.update(changes)
    return base


def by_rel(links: list[Link]) -> dict[str, list[tuple[str, str | None]]]:
    out: dict[str, list[tuple[str, str | None]]] = {}
    for link in links:
        out.setdefault(link.rel, []).append((link.href, link.type))
    return out


def test_landing_links_of_a_record() -> None:
    rels = by_rel(landing_links(record(), DESCRIBED))
    landing = f"{SITE}/records/abcde-12345"
    assert rels["cite-as"] == [("https://doi.org/10.1234/abcde-12345", None)]
    assert rels["describedby"] == [
        (f"{landing}/export/datacite-xml", "application/vnd.datacite.datacite+xml"),
        (f"{landing}/export/json", "application/json"),
    ]
    files = f"{SITE}/api/records/abcde-12345/files"
    assert rels["item"] == [  # the record's order first, hidden files left out
        (f"{files}/b.csv/content", "text/csv"),
        (f"{files}/a%20b.txt/content", "text/plain"),
    ]
    assert rels["author"] == [
        ("https://orcid.org/0000-0002-1825-0097", None),
        ("https://ror.org/01ggx4157", None),
    ]
    assert rels["license"] == [("https://creativecommons.org/licenses/by/4.0/", None)]
    assert rels["type"] == [("https://schema.org/Dataset", None), (ABOUT_PAGE, None)]
    assert rels["linkset"] == [
        (f"{landing}/export/linkset-json", "application/linkset+json"),
        (f"{landing}/export/linkset", "application/linkset"),
    ]


def test_without_doi_the_landing_page_is_cited_and_closed_files_are_not_items() -> None:
    closed = record(pids={}, access={"record": "public", "files": "restricted"})
    rels = by_rel(landing_links(closed, DESCRIBED))
    assert rels["cite-as"] == [(f"{SITE}/records/abcde-12345", None)]
    assert "item" not in rels
    embargoed = record(access={"files": "public", "embargo": {"active": True}})
    assert "item" not in by_rel(landing_links(embargoed, DESCRIBED))


def test_limits_cut_items_and_authors_but_the_linkset_keeps_them_all() -> None:
    many = record()
    many["files"] = {
        "enabled": True,
        "entries": {f"f{n:03}.dat": {"key": f"f{n:03}.dat", "mimetype": "x/y"} for n in range(120)},
    }
    many["metadata"]["creators"] = [
        {
            "person_or_org": {
                "identifiers": [{"scheme": "orcid", "identifier": f"0000-0000-0000-{n:04}"}]
            }
        }
        for n in range(80)
    ]
    rels = by_rel(landing_links(many, DESCRIBED, max_items=50, max_authors=10))
    assert len(rels["item"]) == 50 and len(rels["author"]) == 10
    assert rels["item"][0][0].endswith("/f000.dat/content")
    full = by_rel(
        [link for link in linkset(many, DESCRIBED) if link.anchor == many["links"]["self_html"]]
    )
    assert len(full["item"]) == 120 and len(full["author"]) == 80


def test_linkset_json_and_text_read_back_with_the_signposting_library() -> None:
    rec = record()
    links = linkset(rec, DESCRIBED)
    landing = rec["links"]["self_html"]
    document = json.loads(orjson.dumps(to_json(links)))
    contexts = {c["anchor"]: c for c in document["linkset"]}
    assert next(iter(contexts)) == landing
    files = f"{SITE}/api/records/abcde-12345/files"
    assert contexts[f"{files}/b.csv/content"]["collection"] == [
        {"href": landing, "type": "text/html"}
    ]
    assert contexts[f"{landing}/export/datacite-xml"]["describes"] == [
        {"href": landing, "type": "text/html"}
    ]
    assert "linkset" not in contexts[landing]  # a linkset does not link to itself
    # the text form, parsed by the library, holds the same signposts as the JSON form
    text = find_signposting_http_link([to_text(links).replace("\n", " ")], landing)
    read = text.for_context(landing)
    assert read.citeAs is not None and read.citeAs.target == "https://doi.org/10.1234/abcde-12345"
    assert {str(s.type) for s in read.describedBy} == {d.media_type for d in DESCRIBED}
    assert {s.target for s in read.items} == {
        f"{files}/b.csv/content",
        f"{files}/a%20b.txt/content",
    }
    assert {s.target for s in read.authors} == {
        "https://orcid.org/0000-0002-1825-0097",
        "https://ror.org/01ggx4157",
    }
    assert {s.target for s in read.types} == {"https://schema.org/Dataset", ABOUT_PAGE}
    assert read.license is not None
    item = text.for_context(f"{files}/b.csv/content")
    assert item.collection is not None and item.collection.target == landing
    json_pairs = {
        (c["anchor"], rel, t["href"], t.get("type"))
        for c in document["linkset"]
        for rel, targets in c.items()
        if rel != "anchor"
        for t in targets
    }
    text_pairs = {
        (str(s.context), str(s.rel), str(s.target), str(s.type) if s.type else None)
        for s in text.signposts
    }
    assert json_pairs == text_pairs


def test_our_serialisations_match_the_benchmark_fixtures() -> None:
    fixture = json.loads((SIGNPOSTING / "a2a-27-http-linkset-json-only.json").read_text())
    context = fixture["linkset"][0]
    anchor = context["anchor"]
    links = [
        Link(t["href"], rel, t.get("type"), anchor)
        for rel, targets in context.items()
        if rel != "anchor"
        for t in targets
    ]
    assert to_json(links) == fixture
    theirs_text = (SIGNPOSTING / "a2a-28-http-linkset-txt-only.txt").read_text()
    base = "https://s11.no/2022/a2a-fair-metrics/28-http-linkset-txt-only/"
    theirs = find_signposting_http_link([theirs_text.replace("\n", " ")], base)
    ours_links = [
        Link(str(s.target), str(s.rel), str(s.type) if s.type else None, str(s.context))
        for s in theirs.signposts
    ]
    ours = find_signposting_http_link([to_text(ours_links).replace("\n", " ")], base)
    assert ours.signposts == theirs.signposts and len(ours.signposts) == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Link("https://x/a", "item", "text/csv"), '<https://x/a>; rel="item"; type="text/csv"'),
        (Link("https://x/a>b", "cite-as", anchor='https://y/"q"'), None),
    ],
)
def test_link_values_quote_what_needs_quoting(value: Link, expected: str | None) -> None:
    text = link_value(value)
    if expected is not None:
        assert text == expected
    else:
        assert text == '<https://x/a%3Eb>; anchor="https://y/\\"q\\""; rel="cite-as"'


def test_invenio_example_records() -> None:
    blog = json.loads((EXAMPLES / "rogue-scholar_apt10-14q04_inveniordm-api.json").read_text())
    rels = by_rel(landing_links(blog, DESCRIBED))
    assert rels["cite-as"] == [("https://doi.org/10.59350/510pg-zzf58", None)]
    assert ("https://orcid.org/0000-0002-4522-7466", None) in rels["author"]
    assert rels["license"] == [("https://creativecommons.org/licenses/by/4.0/", None)]
    assert "item" not in rels  # files disabled
    full = json.loads((EXAMPLES / "invenio-rdm-records_full-record.json").read_text())
    full = {**copy.deepcopy(full), "links": _links(full["id"])}
    rels = by_rel(landing_links(full, DESCRIBED))
    assert rels["cite-as"] == [("https://doi.org/10.1234/zenodo.1234", None)]
    assert rels["license"] == [("https://customlicense.org/licenses/by/4.0/", None)]
    assert rels["type"][0] == ("https://schema.org/ScholarlyArticle", None)
    assert "item" not in rels  # restricted and embargoed files


def test_registry_serves_both_linkset_formats() -> None:
    registry = default_registry()
    rec = record()
    as_json = registry.negotiate("application/linkset+json")
    as_text = registry.negotiate("application/linkset")
    assert as_json is not None and as_text is not None
    assert as_json.listing is None and as_text.listing is None  # no list form: 406
    assert registry.negotiate("application/linkset+json", listing=True) is None
    document = orjson.loads(as_json.serialize(rec))
    described = {
        t["type"] for t in document["linkset"][0]["describedby"]
    }  # the registry's own metadata formats
    assert described == {d.media_type for d in described_by(registry)}
    assert "application/json" in described
    text = as_text.serialize(rec).decode()
    assert text.startswith(f'<https://doi.org/10.1234/abcde-12345>; anchor="{SITE}/records/')
