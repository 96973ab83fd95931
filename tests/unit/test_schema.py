"""Unit tests for cairn.records.schema: loading partial drafts, publish checks, expansion."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.core.errors import FieldError
from cairn.records.schema import (
    SERVER_OWNED,
    VocabularyLookup,
    expand_references,
    load_draft,
    validate_for_publish,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "rdm-examples"
FULL_RECORD = EXAMPLES / "invenio-rdm-records_full-record.json"
WRITABLE = {"metadata", "access", "files", "pids", "custom_fields"}

LICENSE = {
    "id": "cc-by-4.0",
    "type": "licenses",
    "title": {"en": "Creative Commons Attribution 4.0 International"},
    "description": {"en": "Share and adapt with credit."},
    "icon": "cc-by-icon",
    "props": {"url": "https://creativecommons.org/licenses/by/4.0/", "scheme": "spdx"},
}


def _items(vtype: str, *ids: str) -> dict[str, dict[str, Any]]:
    return {i: {"id": i, "type": vtype, "title": {"en": i.replace("-", " ").title()}} for i in ids}


class FakeVocabularies:
    """A dict-backed ``VocabularyLookup`` with just the ids these tests use."""

    def __init__(self) -> None:
        roles = ("other", "editor", "datacollector")
        self.items: dict[str, dict[str, dict[str, Any]]] = {
            "resourcetypes": _items("resourcetypes", "publication-article", "dataset", "image-photo"),
            "creatorsroles": _items("creatorsroles", *roles),
            "contributorsroles": _items("contributorsroles", *roles),
            "titletypes": _items("titletypes", "alternative-title", "subtitle"),
            "descriptiontypes": _items("descriptiontypes", "abstract", "methods"),
            "datetypes": _items("datetypes", "other", "accepted"),
            "languages": _items("languages", "dan", "eng"),
            "relationtypes": _items("relationtypes", "cites", "isversionof"),
            "licenses": {"cc-by-4.0": LICENSE},
        }
        self.calls = 0

    def exists(self, vtype: str, vid: str) -> bool:
        self.calls += 1
        return vid in self.items.get(vtype, {})

    def get(self, vtype: str, vid: str) -> dict[str, Any] | None:
        item = self.items.get(vtype, {}).get(vid)
        return copy.deepcopy(item) if item else None


VOCABS = FakeVocabularies()


def load(body: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    data, errors = load_draft(body, VOCABS)
    return data, {e.field: e.messages for e in errors}


def full_record() -> dict[str, Any]:
    """InvenioRDM's every-field example, adapted to what Cairn accepts.

    Adapted: internal keys the API never shows (``pid``, ``provenance``, ``notes``) removed;
    the affiliation id ``cern`` (no affiliations vocabulary ships) becomes CERN's ROR id; the
    ``tgn`` location identifier (not an InvenioRDM location scheme) is dropped; the reference
    DOI ``101.234`` (not a DOI) becomes a real-looking one.
    """
    record = json.loads(FULL_RECORD.read_text())
    for key in ("pid", "provenance", "notes"):
        del record[key]
    metadata = record["metadata"]
    metadata["creators"][0]["affiliations"] = [{"id": "01ggx4157"}]
    metadata["contributors"][0]["affiliations"][0] = {"id": "01ggx4157"}
    metadata["locations"]["features"][0]["identifiers"].pop()
    metadata["references"][0]["identifier"] = "10.1234/ref.1"
    return record


def minimal() -> dict[str, Any]:
    """InvenioRDM's minimal publishable body."""
    return {
        "access": {"record": "public", "files": "public"},
        "files": {"enabled": False},
        "metadata": {
            "creators": [
                {"person_or_org": {"family_name": "Brown", "given_name": "Troy", "type": "personal"}},
                {"person_or_org": {"name": "Troy Inc.", "type": "organizational"}},
            ],
            "publication_date": "2020-06-01",
            "publisher": "Acme Inc",
            "resource_type": {"id": "image-photo"},
            "title": "A Romans story",
        },
    }


# --- the full record -----------------------------------------------------------------------


def test_full_record_loads_without_errors() -> None:
    record = full_record()
    data, errors = load(record)
    assert errors == {}
    assert set(data) == {"metadata", "access", "files", "pids"}
    expected = {k: v for k, v in record.items() if k in WRITABLE}
    # only normalisation differs: the stored form equals the input for these values
    assert data["access"] == expected["access"]
    assert data["files"] == expected["files"]
    assert data["pids"] == expected["pids"]
    metadata = data["metadata"]
    assert set(metadata) == set(record["metadata"])
    assert metadata["creators"][0]["person_or_org"]["name"] == "Nielsen, Lars Holm"
    assert metadata["rights"][1] == {"id": "cc-by-4.0"}
    assert metadata["funding"] == record["metadata"]["funding"]
    assert metadata["locations"]["features"][0]["geometry"]["coordinates"] == [6.05, 46.23333]


def test_full_record_as_published_reports_what_cairn_does_not_accept() -> None:
    data, errors = load(json.loads(FULL_RECORD.read_text()))
    assert errors == {
        "pid": ["Unknown field."],
        "provenance": ["Unknown field."],
        "notes": ["Unknown field."],
        "metadata.creators.0.affiliations.0.id": ["Invalid ROR identifier."],
        "metadata.contributors.0.affiliations.0.id": ["Invalid ROR identifier."],
        "metadata.locations.features.0.identifiers.1.scheme": ["Invalid scheme."],
        "metadata.references.0.identifier": ["Invalid DOI identifier."],
    }
    metadata = data["metadata"]
    assert metadata["creators"][0]["affiliations"] == []
    assert metadata["contributors"][0]["affiliations"] == [{"name": "custom"}]
    assert metadata["references"] == [{"reference": "Nielsen et al,.."}]
    assert len(metadata["locations"]["features"][0]["identifiers"]) == 1


def test_stored_form_reloads_unchanged() -> None:
    data, _ = load(full_record())
    assert load_draft(data, VOCABS) == (data, [])


def test_the_input_is_never_changed() -> None:
    record = json.loads(FULL_RECORD.read_text())
    record["metadata"]["creators"].insert(0, {"person_or_org": {"type": "personal"}})
    record["custom_fields"] = {"x:y": {"a": [1]}}
    before = copy.deepcopy(record)
    data, _ = load(record)
    assert record == before
    data["custom_fields"]["x:y"]["a"].append(2)
    assert record == before


def test_registry_from_cairn_vocabularies_accepts_the_full_record() -> None:
    from cairn.vocabularies import load_registry

    registry = load_registry()
    assert isinstance(registry, VocabularyLookup)
    data, errors = load_draft(full_record(), registry)
    assert errors == []
    assert validate_for_publish(data, registry) == []
    expanded = expand_references(data["metadata"], registry)
    assert expanded["languages"][1]["title"]["en"] == "English"
    assert expanded["rights"][1]["link"].startswith("https://creativecommons.org/")


# --- the body as a whole ---------------------------------------------------------------------


@pytest.mark.parametrize("body", [None, [], "text", 5, 1.5, True, [{"metadata": {}}]])
def test_a_body_that_is_not_an_object(body: Any) -> None:
    assert load_draft(body, VOCABS) == ({}, [FieldError("", ["Invalid input type."])])


def test_server_owned_keys_are_ignored_silently() -> None:
    body = minimal() | {key: {"anything": [1, 2]} for key in SERVER_OWNED}
    data, errors = load(body)
    assert errors == {}
    assert set(data) == {"metadata", "access", "files"}


def test_unknown_keys_are_dropped_and_reported() -> None:
    body = minimal()
    body["foo"] = 1
    body["metadata"]["bar"] = "x"
    body["metadata"]["creators"][0]["person_or_org"]["middle_name"] = "Q"
    body["access"]["owner"] = 3
    body["files"]["bucket"] = "b"
    data, errors = load(body)
    assert errors == {
        "foo": ["Unknown field."],
        "metadata.bar": ["Unknown field."],
        "metadata.creators.0.person_or_org.middle_name": ["Unknown field."],
        "access.owner": ["Unknown field."],
        "files.bucket": ["Unknown field."],
    }
    assert load(data) == (data, {})
    assert data["metadata"]["creators"][0]["person_or_org"]["name"] == "Brown, Troy"


def test_a_get_then_put_round_trip_is_clean() -> None:
    """What a client GETs (expanded references, computed keys) can be PUT back unchanged."""
    data, _ = load(full_record())
    shown = copy.deepcopy(data) | {"id": "abcde-12345", "links": {}, "revision_id": 3}
    shown["metadata"] = expand_references(data["metadata"], VOCABS)
    shown["access"]["status"] = "embargoed"
    shown["files"] |= {"count": 1, "total_bytes": 10, "entries": {"a.zip": {"key": "a.zip"}}}
    assert shown["metadata"]["rights"][1]["icon"] == "cc-by-icon"
    assert load(shown) == (data, {})


def test_a_section_with_nothing_valid_is_left_out() -> None:
    data, errors = load({"access": {"record": "secret"}, "files": {}, "pids": {}})
    assert errors == {"access.record": ["Must be one of: public, restricted."]}
    assert data == {"files": {}, "pids": {}}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"metadata": []}, "metadata", "Invalid input type."),
        ({"metadata": {"title": 5}}, "metadata.title", "Not a valid string."),
        ({"metadata": {"creators": "Doe"}}, "metadata.creators", "Not a valid list."),
        ({"metadata": {"creators": [None]}}, "metadata.creators.0", "Invalid input type."),
        ({"files": {"enabled": "yes"}}, "files.enabled", "Not a valid boolean."),
        ({"files": {"order": [1]}}, "files.order.0", "Not a valid string."),
        ({"custom_fields": []}, "custom_fields", "Not a valid mapping type."),
        ({"metadata": {"rights": [{"title": "MIT"}]}}, "metadata.rights.0.title", "Not a valid mapping type."),
    ],
)
def test_values_of_the_wrong_type(body: dict[str, Any], field: str, message: str) -> None:
    data, errors = load(body)
    assert errors == {field: [message]}
    assert load(data) == (data, {})


# --- creators and contributors --------------------------------------------------------------


def person(**fields: Any) -> dict[str, Any]:
    return {"person_or_org": {"type": "personal", **fields}}


def test_names_are_normalised() -> None:
    data, errors = load(
        {
            "metadata": {
                "creators": [
                    person(family_name="  Curie ", given_name="Marie", name="ignored"),
                    person(family_name="Plato"),
                    {"person_or_org": {"type": "organizational", "name": "CERN", "given_name": "x"}},
                ]
            }
        }
    )
    assert errors == {}
    people = [c["person_or_org"] for c in data["metadata"]["creators"]]
    assert people == [
        {"type": "personal", "name": "Curie, Marie", "given_name": "Marie", "family_name": "Curie"},
        {"type": "personal", "name": "Plato", "family_name": "Plato"},
        {"type": "organizational", "name": "CERN"},
    ]


def test_a_creator_that_cannot_be_made_valid_is_removed() -> None:
    creators = [
        person(family_name="Doe"),
        person(given_name="Jane"),  # no family name
        {"person_or_org": {"type": "organizational"}},  # no name
        {"person_or_org": {"type": "robot", "name": "R2"}},
        {"role": {"id": "editor"}},  # no person_or_org
        person(family_name="Roe"),
    ]
    data, errors = load({"metadata": {"creators": creators}})
    assert errors == {
        "metadata.creators.1.person_or_org.family_name": ["Family name cannot be blank."],
        "metadata.creators.2.person_or_org.name": ["Name cannot be blank."],
        "metadata.creators.3.person_or_org.type": [
            "Invalid value. Choose one of ['organizational', 'personal']."
        ],
        "metadata.creators.4.person_or_org": ["Missing data for required field."],
    }
    assert [c["person_or_org"]["name"] for c in data["metadata"]["creators"]] == ["Doe", "Roe"]


def test_errors_found_in_later_rounds_keep_the_clients_positions() -> None:
    # creators.0 is removed first; the family name of creators.2 is checked only once its
    # bad given_name is gone - its path must still say 2, not 1.
    creators = [5, person(family_name="Doe"), person(given_name=7)]
    data, errors = load({"metadata": {"creators": creators}})
    assert errors == {
        "metadata.creators.0": ["Invalid input type."],
        "metadata.creators.2.person_or_org.given_name": ["Not a valid string."],
        "metadata.creators.2.person_or_org.family_name": ["Family name cannot be blank."],
    }
    assert len(data["metadata"]["creators"]) == 1


def test_contributors_need_a_known_role() -> None:
    contributors = [
        person(family_name="A"),
        person(family_name="B") | {"role": {"id": "astronaut"}},
        person(family_name="C") | {"role": {"id": "editor", "title": {"en": "Editor"}}},
    ]
    data, errors = load({"metadata": {"contributors": contributors}})
    assert errors == {
        "metadata.contributors.0.role": ["Missing data for required field."],
        "metadata.contributors.1.role.id": ["Not a valid value."],
    }
    assert data["metadata"]["contributors"] == [
        {
            "person_or_org": {"type": "personal", "name": "C", "family_name": "C"},
            "role": {"id": "editor"},
        }
    ]


def test_orcid_is_normalised_and_its_check_digit_verified() -> None:
    identifiers = [
        {"scheme": "orcid", "identifier": "https://orcid.org/0000-0001-8135-3489"},
        {"scheme": "ORCID", "identifier": "0000-0002-1825-0097"},
        {"scheme": "isni", "identifier": "0000 0001 2156 142X"},
    ]
    data, errors = load({"metadata": {"creators": [person(family_name="N", identifiers=identifiers)]}})
    assert errors == {"metadata.creators.0.person_or_org.identifiers.1": ["Only one identifier per scheme is allowed."]}
    stored = data["metadata"]["creators"][0]["person_or_org"]["identifiers"]
    assert stored == [
        {"identifier": "0000-0001-8135-3489", "scheme": "orcid"},
        {"identifier": "000000012156142X", "scheme": "isni"},
    ]
    bad = [{"scheme": "orcid", "identifier": "0000-0001-8135-3488"}]
    data, errors = load({"metadata": {"creators": [person(family_name="N", identifiers=bad)]}})
    assert errors == {
        "metadata.creators.0.person_or_org.identifiers.0.identifier": ["Invalid ORCID identifier."]
    }
    assert data["metadata"]["creators"][0]["person_or_org"]["identifiers"] == []


def test_person_identifier_schemes_are_detected() -> None:
    identifiers = [{"identifier": "0000-0002-1825-0097"}, {"identifier": "https://ror.org/01ggx4157"}]
    data, errors = load({"metadata": {"creators": [person(family_name="N", identifiers=identifiers)]}})
    assert errors == {}
    assert data["metadata"]["creators"][0]["person_or_org"]["identifiers"] == [
        {"identifier": "0000-0002-1825-0097", "scheme": "orcid"},
        {"identifier": "01ggx4157", "scheme": "ror"},
    ]
    data, errors = load({"metadata": {"creators": [person(family_name="N", identifiers=[{"identifier": "x"}])]}})
    assert errors == {
        "metadata.creators.0.person_or_org.identifiers.0.scheme": [
            "No valid scheme recognized for identifier."
        ]
    }


def test_affiliations() -> None:
    affiliations = [
        {"id": "01ggx4157", "name": "CERN"},
        {"id": "01ggx4158", "name": "Typo Institute"},  # wrong ROR check digits
        {"name": "Free text"},
        {"name": "free TEXT"},
        {"id": "https://ror.org/01GGX4157"},
        {},
    ]
    data, errors = load({"metadata": {"creators": [person(family_name="N") | {"affiliations": affiliations}]}})
    assert errors == {
        "metadata.creators.0.affiliations.1.id": ["Invalid ROR identifier."],
        "metadata.creators.0.affiliations.3": ["Duplicated affiliation."],
        "metadata.creators.0.affiliations.4": ["Duplicated affiliation."],
        "metadata.creators.0.affiliations.5": ["An existing id or a free text name must be present."],
    }
    assert data["metadata"]["creators"][0]["affiliations"] == [
        {"id": "01ggx4157", "name": "CERN"},
        {"name": "Typo Institute"},
        {"name": "Free text"},
    ]


# --- vocabularies -------------------------------------------------------------------------------


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
    data, errors = load({"metadata": {"resource_type": {}, "languages": [{"title": {"en": "English"}}]}})
    assert errors == {
        "metadata.resource_type.id": ["Missing data for required field."],
        "metadata.languages.0.id": ["Missing data for required field."],
    }
    assert data == {"metadata": {"languages": []}}


def test_rights() -> None:
    rights = [
        {"id": "cc-by-4.0", "title": {"en": "x"}, "icon": "i", "props": {}, "link": "https://x"},
        {"title": {"en": "Custom"}, "description": {"en": "Mine."}, "link": "https://example.org/l"},
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
        {"title": {"en": "Custom"}, "description": {"en": "Mine."}, "link": "https://example.org/l"},
        {"title": {"en": "Bad link"}},
        {"id": "cc-by-4.0"},
    ]


def test_subjects_funding_awards_keep_their_free_forms() -> None:
    metadata = {
        "subjects": [{"id": "A-D000007"}, {"subject": "custom"}, {"scheme": "x"}],
        "funding": [
            {"funder": {"id": "00k4n6c32", "name": "European Commission"}, "award": {"id": "00k4n6c32::755021"}},
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


# --- identifiers ----------------------------------------------------------------------------------


def test_related_identifiers() -> None:
    related = [
        {"identifier": "https://doi.org/10.1234/Foo", "relation_type": {"id": "cites"}},
        {"identifier": "10.1234/bar", "scheme": "doi"},  # no relation type
        {"identifier": "10.1/x", "relation_type": {"id": "nope"}},
        {"identifier": "arXiv:1310.2590", "relation_type": {"id": "isversionof"}, "resource_type": {"id": "dataset"}},
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


# --- text, dates, html ------------------------------------------------------------------------------


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
    assert load({"metadata": {"publication_date": value}}) == ({"metadata": {"publication_date": value}}, {})


@pytest.mark.parametrize(
    "value", ["2020-13", "2020-02-30", "20", "2020-11-10T10:00:00", "1945/1939", "2020?", "2020-21", "June 2020"]
)
def test_invalid_publication_dates(value: str) -> None:
    data, errors = load({"metadata": {"publication_date": value, "title": "Kept"}})
    assert errors == {"metadata.publication_date": ["Please provide a valid date or interval."]}
    assert data == {"metadata": {"title": "Kept"}}


def test_dates_accept_edtf_level_1_and_times() -> None:
    dates = [
        {"date": value, "type": {"id": "other"}}
        for value in ["2020?", "2004-06~/2004-06-11", "2020-11-10T10:00:00", "1939/1945", "2020/..", "1945/1939"]
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
                    {"description": "<h1>Methods</h1><style>p{}</style>", "type": {"id": "methods"}},
                    {"description": "<p> </p><br>", "type": {"id": "abstract"}},
                ],
            }
        }
    )
    assert errors == {"metadata.additional_descriptions.1.description": ["Missing data for required field."]}
    description = data["metadata"]["description"]
    for gone in ("script", "alert", "onclick", "onerror", "iframe", "img", "javascript", "style", "target"):
        assert gone not in description
    assert "<b>world</b>" in description
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">link</a>' in description
    assert '<td colspan="2">c</td>' in description
    assert data["metadata"]["additional_descriptions"] == [
        {"description": "<h1>Methods</h1>", "type": {"id": "methods"}}
    ]


def test_an_empty_description_is_absent() -> None:
    assert load({"metadata": {"description": "<p></p>", "title": "T t"}}) == ({"metadata": {"title": "T t"}}, {})


# --- locations --------------------------------------------------------------------------------------


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
        "metadata.locations.features.1.geometry.coordinates": ["Longitude must be between -180 and 180."],
        "metadata.locations.features.2.geometry.type": [
            "Must be one of: Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon."
        ],
        "metadata.locations.features.4.geometry.coordinates": ["A polygon ring must end where it starts."],
        "metadata.locations.features.5.geometry.coordinates": ["A position must be a list of 2 or 3 numbers."],
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


# --- access, files, pids, custom fields ------------------------------------------------------------------


def test_access() -> None:
    data, errors = load({"access": {"record": "private", "files": "restricted", "status": "open"}})
    assert errors == {"access.record": ["Must be one of: public, restricted."]}
    assert data == {"access": {"files": "restricted"}}


@pytest.mark.parametrize(
    ("embargo", "stored", "errors"),
    [
        ({"active": True, "until": "2131-01-01", "reason": "r"}, {"active": True, "until": "2131-01-01", "reason": "r"}, {}),
        ({"active": False, "until": None, "reason": None}, {"active": False}, {}),
        ({"active": False, "until": "2001-01-01"}, {"active": False, "until": "2001-01-01"}, {}),
        (
            {"active": True, "until": "2001-01-01"},
            None,
            {"access.embargo.until": ["Embargo end date must be set to a future date if active is True."]},
        ),
        (
            {"active": True, "reason": "r"},
            None,
            {"access.embargo.until": ["Embargo end date must be set to a future date if active is True."]},
        ),
        (
            {"active": False, "until": "2131-01-01", "reason": "r"},
            {"active": False, "reason": "r"},
            {"access.embargo.until": ["Embargo end date must be unset or in the past if active is False."]},
        ),
        ({"active": True, "until": "soon"}, None, {"access.embargo.until": ["Not a valid date."]}),
        ({"until": "2131-01-01T10:00:00+00:00"}, {"until": "2131-01-01"}, {}),
    ],
)
def test_embargo(embargo: dict[str, Any], stored: dict[str, Any] | None, errors: dict[str, Any]) -> None:
    data, found = load({"access": {"record": "public", "embargo": embargo}})
    assert found == errors
    assert data["access"].get("embargo") == stored


def test_files() -> None:
    body = {"files": {"enabled": True, "default_preview": "a.csv", "order": ["a.csv", "b.txt"], "count": 2}}
    data, errors = load(body)
    assert errors == {}
    assert data == {"files": {"enabled": True, "default_preview": "a.csv", "order": ["a.csv", "b.txt"]}}


def test_pids() -> None:
    pids = {
        "doi": {"identifier": "https://doi.org/10.1234/ABC", "provider": "external"},
        "oai": {"identifier": "oai:example.org:1"},
        "Handle!": {"identifier": "1/2", "provider": "h"},
        "ark": {"identifier": "ark:/1/2", "provider": "x", "client": "c", "extra": 1},
    }
    data, errors = load({"pids": pids})
    assert errors == {
        "pids.oai.provider": ["Missing data for required field."],
        "pids.Handle!": ["Not a valid PID scheme."],
        "pids.ark.extra": ["Unknown field."],
    }
    assert data == {
        "pids": {
            "doi": {"identifier": "10.1234/ABC", "provider": "external"},
            "ark": {"identifier": "ark:/1/2", "provider": "x", "client": "c"},
        }
    }
    data, errors = load({"pids": {"doi": {"identifier": "nope", "provider": "external"}}})
    assert errors == {"pids.doi.identifier": ["Invalid DOI identifier."]}
    assert data == {}


def test_custom_fields() -> None:
    deep: Any = "bottom"
    for _ in range(40):
        deep = [deep]
    fields = {
        "journal:journal": {"title": "Nature", "issue": "7", "pages": "1-2", "volume": None},
        "thesis:university": "Uni",
        "code:stars": 12,
        "no_namespace": "x",
        "a:deep": deep,
        "a:nan": float("nan"),
        "a:huge": 2**70,
        "a:nul": {"k\x00": "x\x00y"},
        "bad key:x": 1,
    }
    data, errors = load({"custom_fields": fields})
    assert errors == {
        "custom_fields.no_namespace": ["Custom field names must look like 'namespace:name'."],
        "custom_fields.a:deep": ["Values may be nested at most 32 levels deep."],
        "custom_fields.a:nan": ["Not a valid JSON value."],
        "custom_fields.a:huge": ["Integers must fit in 64 bits."],
        "custom_fields.bad key:x": ["Custom field names must look like 'namespace:name'."],
    }
    kept = {k: fields[k] for k in ("journal:journal", "thesis:university", "code:stars")}
    assert data == {"custom_fields": kept | {"a:nul": {"k": "xy"}}}


# --- publishing ----------------------------------------------------------------------------------------------


def test_the_minimal_body_is_publishable() -> None:
    data, errors = load(minimal())
    assert errors == {}
    assert validate_for_publish(data, VOCABS) == []


def test_an_empty_draft_lists_everything_required() -> None:
    errors = validate_for_publish({}, VOCABS)
    assert errors == [
        FieldError(field, ["Missing data for required field."])
        for field in (
            "metadata.resource_type",
            "metadata.title",
            "metadata.publication_date",
            "metadata.creators",
            "access.record",
            "access.files",
            "files.enabled",
        )
    ]


def test_publish_requirements_one_by_one() -> None:
    for section, name in [
        ("metadata", "resource_type"),
        ("metadata", "title"),
        ("metadata", "publication_date"),
        ("metadata", "creators"),
        ("access", "record"),
        ("access", "files"),
        ("files", "enabled"),
    ]:
        data, _ = load(minimal())
        del data[section][name]
        assert validate_for_publish(data, VOCABS) == [
            FieldError(f"{section}.{name}", ["Missing data for required field."])
        ]
    data, _ = load(minimal())
    data["metadata"]["creators"] = []
    assert validate_for_publish(data, VOCABS) == [
        FieldError("metadata.creators", ["Missing data for required field."])
    ]
    data["files"]["enabled"] = False  # False is given: not missing
    assert [e.field for e in validate_for_publish(data, VOCABS)] == ["metadata.creators"]


def test_publish_reports_invalid_stored_values_once() -> None:
    data, _ = load(minimal())
    data["metadata"]["title"] = "ab"  # e.g. stored by an older version
    data["metadata"]["resource_type"] = {"id": "withdrawn-type"}
    data["access"]["embargo"] = {"active": True, "until": "2001-01-01"}  # lapsed
    assert validate_for_publish(data, VOCABS) == [
        FieldError("metadata.resource_type.id", ["Not a valid value."]),
        FieldError("metadata.title", ["Shorter than minimum length 3."]),
        FieldError(
            "access.embargo.until",
            ["Embargo end date must be set to a future date if active is True."],
        ),
    ]


# --- expansion ------------------------------------------------------------------------------------------------


def test_expand_references() -> None:
    data, _ = load(full_record())
    before = copy.deepcopy(data)
    data["metadata"]["languages"].append({"id": "klingon"})
    before["metadata"]["languages"].append({"id": "klingon"})
    expanded = expand_references(data["metadata"], VOCABS)
    assert data == before  # input untouched
    assert expanded["resource_type"] == {"id": "publication-article", "title": {"en": "Publication Article"}}
    assert expanded["languages"] == [
        {"id": "dan", "title": {"en": "Dan"}},
        {"id": "eng", "title": {"en": "Eng"}},
        {"id": "klingon"},
    ]
    assert expanded["contributors"][0]["role"] == {"id": "other", "title": {"en": "Other"}}
    assert expanded["additional_titles"][0]["type"]["title"] == {"en": "Alternative Title"}
    assert expanded["additional_titles"][0]["lang"]["title"] == {"en": "Eng"}
    assert expanded["additional_descriptions"][0]["type"]["title"] == {"en": "Methods"}
    assert expanded["dates"][0]["type"]["title"] == {"en": "Other"}
    assert expanded["related_identifiers"][0]["relation_type"]["title"] == {"en": "Cites"}
    assert expanded["related_identifiers"][0]["resource_type"]["title"] == {"en": "Dataset"}
    assert expanded["rights"][0] == data["metadata"]["rights"][0]  # custom: as stored
    assert expanded["rights"][1] == {
        "id": "cc-by-4.0",
        "title": LICENSE["title"],
        "description": LICENSE["description"],
        "icon": "cc-by-icon",
        "props": LICENSE["props"],
        "link": "https://creativecommons.org/licenses/by/4.0/",
    }
    assert expanded["subjects"] == data["metadata"]["subjects"]
    expanded["rights"][1]["title"]["en"] = "changed"
    assert VOCABS.items["licenses"]["cc-by-4.0"]["title"]["en"] != "changed"


def test_expand_references_tolerates_odd_stored_data() -> None:
    odd = {"resource_type": "dataset", "languages": {"id": "eng"}, "rights": [None, {"id": 5}], "creators": [1]}
    assert expand_references(odd, VOCABS) == odd
    assert expand_references({}, VOCABS) == {}


# --- any JSON at all ---------------------------------------------------------------------------------------------

_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(alphabet=st.characters(codec=None), max_size=20)
    | st.sampled_from(["", " ", "2020", "eng", "public", "personal", "10.1234/x", "<b>x</b>", "a:b", "id"])
)
_keys = st.text(max_size=8) | st.sampled_from(
    ["id", "metadata", "title", "creators", "person_or_org", "type", "family_name", "name", "access",
     "record", "files", "enabled", "pids", "custom_fields", "identifiers", "identifier", "scheme",
     "rights", "dates", "date", "embargo", "active", "until", "locations", "features", "geometry"]
)  # fmt: skip
json_values = st.recursive(
    _leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=5),
    max_leaves=40,
)


@st.composite
def mutated_records(draw: st.DrawFn) -> Any:
    """The full record with a few subtrees replaced by random JSON."""
    record: Any = full_record()
    for _ in range(draw(st.integers(1, 4))):
        node = record
        while isinstance(node, dict | list) and node and draw(st.booleans()):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            key = draw(st.sampled_from(keys))
            if not isinstance(node[key], dict | list) or draw(st.integers(0, 3)) == 0:
                node[key] = draw(json_values)
                break
            node = node[key]
    return record


def _deep(depth: int, leaf: Any) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"metadata": value}
    return value


bodies = (
    json_values
    | mutated_records()
    | st.dictionaries(st.sampled_from(sorted(WRITABLE)), json_values, max_size=5)
    | st.builds(_deep, st.integers(0, 3000), json_values)
    | st.builds(lambda n: {"metadata": {"title": "x" * n, "description": "<p>" * n}}, st.integers(0, 200_000))
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies)
def test_any_json_loads_to_a_fixed_point(body: Any) -> None:
    data, errors = load_draft(body, VOCABS)
    assert isinstance(data, dict)
    assert set(data) <= WRITABLE
    assert all(isinstance(e, FieldError) and e.messages for e in errors)
    assert load_draft(data, VOCABS) == (data, [])
    dumped = json.dumps(data, ensure_ascii=False, allow_nan=False)  # strict JSON ...
    assert "\x00" not in dumped.encode("utf-8").decode("utf-8")  # ... in UTF-8, without NUL
    for error in errors:
        error.field.encode("utf-8")  # error paths are valid UTF-8 too
    validate_for_publish(data, VOCABS)  # never raises either
    expand_references(data.get("metadata", {}), VOCABS)
