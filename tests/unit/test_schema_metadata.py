"""cairn.records.schema: vocabulary references, identifiers, text, dates, HTML, locations."""

from __future__ import annotations

import pytest

from tests.unit.test_schema import load, person

# --- vocabularies --------------------------------------------------------------------------------


def test_unknown_vocabulary_ids_are_dropped_and_reported() -> None:
    metadata = {
        "resource_type": {"id": "spaceship"},
        "languages": [{"id": "eng"}, {"id": "klingon"}, {"id": "dan", "title": {"en": "Danish"}}],
        "additional_titles": [
            {"title": "Subtitle", "type": {"id": "subtitle"}, "lang": {"id": "xx"}},
            {"title": "Other", "type": {"id": "nonsense"}},
        ],
        "dates": [{"date": "2020", "type": {"id": "birthday"}}],
        "rights": [{"id": "cc-by-4.0"}, {"id": "wtfpl-2"}],
        "creators": [person(family_name="N") | {"role": {"id": "pilot"}}],
    }
    data, errors = load({"metadata": metadata})
    assert errors == {
        "metadata.resource_type.id": ["Not a valid value."],
        "metadata.languages.1.id": ["Not a valid value."],
        "metadata.additional_titles.0.lang.id": ["Not a valid value."],
        "metadata.additional_titles.1.type.id": ["Not a valid value."],
        "metadata.dates.0.type.id": ["Not a valid value."],
        "metadata.rights.1.id": ["Not a valid value."],
        "metadata.creators.0.role.id": ["Not a valid value."],
    }
    assert data["metadata"] == {
        "creators": [{"person_or_org": {"type": "personal", "name": "N", "family_name": "N"}}],
        "additional_titles": [{"title": "Subtitle", "type": {"id": "subtitle"}}],
        "dates": [],
        "languages": [{"id": "eng"}, {"id": "dan"}],
        "rights": [{"id": "cc-by-4.0"}],
    }


def test_references_without_an_id() -> None:
    data, errors = load(
        {"metadata": {"resource_type": {}, "languages": [{"title": {"en": "English"}}]}}
    )
    assert errors == {
        "metadata.resource_type.id": ["Missing data for required field."],
        "metadata.languages.0.id": ["Missing data for required field."],
    }
    assert data == {"metadata": {"languages": []}}


def test_rights() -> None:
    rights = [
        {"id": "cc-by-4.0", "title": {"en": "x"}, "icon": "i", "props": {}, "link": "https://x"},
        {
            "title": {"en": "Custom"},
            "description": {"en": "Mine."},
            "link": "https://example.org/l",
        },
        {"description": {"en": "No title"}},
        {"title": {"en": "Bad link"}, "link": "javascript:alert(1)"},
        {"title": {"english": "Bad language"}},
        {"id": "cc-by-4.0", "colour": "red"},
    ]
    data, errors = load({"metadata": {"rights": rights}})
    assert errors == {
        "metadata.rights.2": ["An existing id or a free text title must be present."],
        "metadata.rights.3.link": ["Not a valid URL."],
        "metadata.rights.4.title.english": ["Not a valid language code."],
        "metadata.rights.5.colour": ["Unknown field."],
    }
    assert data["metadata"]["rights"] == [
        {"id": "cc-by-4.0"},
        {
            "title": {"en": "Custom"},
            "description": {"en": "Mine."},
            "link": "https://example.org/l",
        },
        {"title": {"en": "Bad link"}},
        {"id": "cc-by-4.0"},
    ]


def test_subjects_funding_awards_keep_their_free_forms() -> None:
    metadata = {
        "subjects": [{"id": "A-D000007"}, {"subject": "custom"}, {"scheme": "x"}],
        "funding": [
            {
                "funder": {"id": "00k4n6c32", "name": "European Commission"},
                "award": {"id": "00k4n6c32::755021"},
            },
            {"funder": {"name": "Wellcome"}, "award": {"title": {"en": "A grant"}, "number": "42"}},
            {"funder": {"id": "not-a-ror", "name": "Someone"}},
            {"funder": {"name": "F"}, "award": {"number": "1"}},
            {"award": {"id": "x"}},
        ],
    }
    data, errors = load({"metadata": metadata})
    assert errors == {
        "metadata.subjects.2": ["An existing id or a free text subject must be present."],
        "metadata.funding.2.funder.id": ["Invalid ROR identifier."],
        "metadata.funding.3.award": ["An existing id or number/title must be present."],
        "metadata.funding.4.funder": ["Missing data for required field."],
    }
    assert data["metadata"]["subjects"] == [{"id": "A-D000007"}, {"subject": "custom"}]
    assert data["metadata"]["funding"] == [
        metadata["funding"][0],
        metadata["funding"][1],
        {"funder": {"name": "Someone"}},
        {"funder": {"name": "F"}},
    ]


# --- identifiers ---------------------------------------------------------------------------------


def test_related_identifiers() -> None:
    related = [
        {"identifier": "https://doi.org/10.1234/Foo", "relation_type": {"id": "cites"}},
        {"identifier": "10.1234/bar", "scheme": "doi"},  # no relation type
        {"identifier": "10.1/x", "relation_type": {"id": "nope"}},
        {
            "identifier": "arXiv:1310.2590",
            "relation_type": {"id": "isversionof"},
            "resource_type": {"id": "dataset"},
        },
        {"identifier": "not a doi", "scheme": "doi", "relation_type": {"id": "cites"}},
        {"identifier": "x", "scheme": "madeup", "relation_type": {"id": "cites"}},
    ]
    data, errors = load({"metadata": {"related_identifiers": related}})
    assert errors == {
        "metadata.related_identifiers.1.relation_type": ["Missing data for required field."],
        "metadata.related_identifiers.2.relation_type.id": ["Not a valid value."],
        "metadata.related_identifiers.4.identifier": ["Invalid DOI identifier."],
        "metadata.related_identifiers.5.scheme": ["Invalid scheme."],
    }
    assert data["metadata"]["related_identifiers"] == [
        {"identifier": "10.1234/Foo", "scheme": "doi", "relation_type": {"id": "cites"}},
        {
            "identifier": "arXiv:1310.2590",
            "scheme": "arxiv",
            "relation_type": {"id": "isversionof"},
            "resource_type": {"id": "dataset"},
        },
    ]


def test_alternate_identifiers_and_references() -> None:
    metadata = {
        "identifiers": [
            {"identifier": "10.5281/zenodo.1234"},
            {"identifier": "10.5281/zenodo.5678"},  # a second DOI
            {"identifier": "978-3-16-148410-0", "scheme": "isbn"},
            {"scheme": "url"},
        ],
        "references": [
            {"reference": "Nielsen et al."},
            {"reference": "With DOI", "identifier": "doi:10.1234/x"},
            {"reference": "Bad DOI", "identifier": "12", "scheme": "doi"},
            {"reference": "Scheme only", "scheme": "doi"},
            {"identifier": "10.1234/y"},
        ],
    }
    data, errors = load({"metadata": metadata})
    assert errors == {
        "metadata.identifiers.1": ["Only one identifier per scheme is allowed."],
        "metadata.identifiers.3.identifier": ["Missing data for required field."],
        "metadata.references.2.identifier": ["Invalid DOI identifier."],
        "metadata.references.3.identifier": ["Missing data for required field."],
        "metadata.references.4.reference": ["Missing data for required field."],
    }
    assert data["metadata"]["identifiers"] == [
        {"identifier": "10.5281/zenodo.1234", "scheme": "doi"},
        {"identifier": "978-3-16-148410-0", "scheme": "isbn"},
    ]
    assert data["metadata"]["references"] == [
        {"reference": "Nielsen et al."},
        {"reference": "With DOI", "identifier": "10.1234/x", "scheme": "doi"},
        {"reference": "Bad DOI"},
        {"reference": "Scheme only"},
    ]


# --- text, dates, html ---------------------------------------------------------------------------


def test_strings_are_stripped_and_cleaned_and_blank_means_absent() -> None:
    data, errors = load(
        {
            "metadata": {
                "title": "  Title\x00 with NUL\u200b ",
                "publisher": "   ",
                "version": "",
                "copyright": None,
                "formats": [" text/csv ", "\t"],
            }
        }
    )
    assert errors == {"metadata.formats.1": ["Format cannot be a blank string."]}
    assert data == {"metadata": {"title": "Title with NUL", "formats": ["text/csv"]}}


def test_lengths() -> None:
    data, errors = load({"metadata": {"title": "ab", "version": "v" * 192, "description": "xy"}})
    assert errors == {
        "metadata.title": ["Shorter than minimum length 3."],
        "metadata.version": ["Longer than maximum length 191."],
        "metadata.description": ["Shorter than minimum length 3."],
    }
    assert data == {}
    data, errors = load({"metadata": {"title": "abc", "version": "v" * 191}})
    assert errors == {}


@pytest.mark.parametrize("value", ["2020", "2020-11", "2020-11-10", "1939/1945", "2018/2020-09"])
def test_valid_publication_dates(value: str) -> None:
    assert load({"metadata": {"publication_date": value}}) == (
        {"metadata": {"publication_date": value}},
        {},
    )


@pytest.mark.parametrize(
    "value",
    [
        "2020-13",
        "2020-02-30",
        "20",
        "2020-11-10T10:00:00",
        "1945/1939",
        "2020?",
        "2020-21",
        "June 2020",
    ],
)
def test_invalid_publication_dates(value: str) -> None:
    data, errors = load({"metadata": {"publication_date": value, "title": "Kept"}})
    assert errors == {"metadata.publication_date": ["Please provide a valid date or interval."]}
    assert data == {"metadata": {"title": "Kept"}}


def test_dates_accept_edtf_level_1_and_times() -> None:
    dates = [
        {"date": value, "type": {"id": "other"}}
        for value in [
            "2020?",
            "2004-06~/2004-06-11",
            "2020-11-10T10:00:00",
            "1939/1945",
            "2020/..",
            "1945/1939",
        ]
    ]
    dates.append({"type": {"id": "accepted"}})
    data, errors = load({"metadata": {"dates": dates}})
    assert errors == {
        "metadata.dates.5.date": ["Please provide a valid date or interval."],
        "metadata.dates.6.date": ["Missing data for required field."],
    }
    assert [d["date"] for d in data["metadata"]["dates"]] == [d["date"] for d in dates[:5]]


def test_descriptions_are_sanitised() -> None:
    html = (
        '<p onclick="steal()">Hello <b>world</b><script>alert("x")</script>'
        '<a href="https://example.org" target="_blank">link</a>'
        '<a href="javascript:alert(1)">bad</a><img src=x onerror=alert(1)><iframe src="x"></iframe>'
        '<table><tr><td colspan="2" style="color:red">c</td></tr></table></p>'
    )
    data, errors = load(
        {
            "metadata": {
                "description": html,
                "additional_descriptions": [
                    {
                        "description": "<h1>Methods</h1><style>p{}</style>",
                        "type": {"id": "methods"},
                    },
                    {"description": "<p> </p><br>", "type": {"id": "abstract"}},
                ],
            }
        }
    )
    assert errors == {
        "metadata.additional_descriptions.1.description": ["Missing data for required field."]
    }
    description = data["metadata"]["description"]
    for gone in (
        "script",
        "alert",
        "onclick",
        "onerror",
        "iframe",
        "img",
        "javascript",
        "style",
        "target",
    ):
        assert gone not in description
    assert "<b>world</b>" in description
    assert (
        '<a href="https://example.org" rel="noopener noreferrer nofollow">link</a>' in description
    )
    assert '<td colspan="2">c</td>' in description
    assert data["metadata"]["additional_descriptions"] == [
        {"description": "<h1>Methods</h1>", "type": {"id": "methods"}}
    ]


def test_an_empty_description_is_absent() -> None:
    assert load({"metadata": {"description": "<p></p>", "title": "T t"}}) == (
        {"metadata": {"title": "T t"}},
        {},
    )


# --- locations -----------------------------------------------------------------------------------


def test_locations() -> None:
    features = [
        {"geometry": {"type": "Point", "coordinates": [6, 46.2]}, "place": "CERN"},
        {"geometry": {"type": "Point", "coordinates": [200, 1]}, "place": "Nowhere"},
        {"geometry": {"type": "Circle", "coordinates": [1, 1]}},
        {"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}},
        {"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}},
        {"geometry": {"type": "LineString", "coordinates": [[0, 0], [1, "x"]]}},
        {"geometry": {"type": "Point", "coordinates": [1, 2], "bbox": [0, 0, 1, 1]}},
        {"identifiers": [{"scheme": "wikidata", "identifier": "Q72"}], "description": "Zürich"},
        {},
    ]
    data, errors = load({"metadata": {"locations": {"features": features}}})
    assert errors == {
        "metadata.locations.features.1.geometry.coordinates": [
            "Longitude must be between -180 and 180."
        ],
        "metadata.locations.features.2.geometry.type": [
            "Must be one of: Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon."
        ],
        "metadata.locations.features.4.geometry.coordinates": [
            "A polygon ring must end where it starts."
        ],
        "metadata.locations.features.5.geometry.coordinates": [
            "A position must be a list of 2 or 3 numbers."
        ],
        "metadata.locations.features.6.geometry.bbox": ["Unknown field."],
        "metadata.locations.features.8": [
            "At least one of ['geometry', 'place', 'identifiers', 'description'] must be present."
        ],
    }
    stored = data["metadata"]["locations"]["features"]
    assert [f.get("place") or f.get("description") or f["geometry"]["type"] for f in stored] == [
        "CERN",
        "Nowhere",
        "Polygon",
        "Point",
        "Zürich",
    ]
    assert stored[0]["geometry"]["coordinates"] == [6.0, 46.2]


def test_every_duplicate_is_reported_at_once() -> None:
    identifiers = [{"identifier": f"10.1234/{i}"} for i in range(100)]
    data, errors = load({"metadata": {"title": "Kept", "identifiers": identifiers}})
    assert errors == {
        f"metadata.identifiers.{i}": ["Only one identifier per scheme is allowed."]
        for i in range(1, 100)
    }
    assert data == {
        "metadata": {"title": "Kept", "identifiers": [{"identifier": "10.1234/0", "scheme": "doi"}]}
    }
