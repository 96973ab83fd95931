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
            "resourcetypes": _items(
                "resourcetypes", "publication-article", "dataset", "image-photo"
            ),
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

    def peek(self, vtype: str, vid: str) -> dict[str, Any] | None:
        return self.items.get(vtype, {}).get(vid)


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


def person(**fields: Any) -> dict[str, Any]:
    """A creator/contributor entry for a person."""
    return {"person_or_org": {"type": "personal", **fields}}


def minimal() -> dict[str, Any]:
    """InvenioRDM's minimal publishable body."""
    return {
        "access": {"record": "public", "files": "public"},
        "files": {"enabled": False},
        "metadata": {
            "creators": [
                {
                    "person_or_org": {
                        "family_name": "Brown",
                        "given_name": "Troy",
                        "type": "personal",
                    }
                },
                {"person_or_org": {"name": "Troy Inc.", "type": "organizational"}},
            ],
            "publication_date": "2020-06-01",
            "publisher": "Acme Inc",
            "resource_type": {"id": "image-photo"},
            "title": "A Romans story",
        },
    }


# --- the full record -----------------------------------------------------------------------------


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


# --- the body as a whole -------------------------------------------------------------------------


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
        (
            {"metadata": {"rights": [{"title": "MIT"}]}},
            "metadata.rights.0.title",
            "Not a valid mapping type.",
        ),
    ],
)
def test_values_of_the_wrong_type(body: dict[str, Any], field: str, message: str) -> None:
    data, errors = load(body)
    assert errors == {field: [message]}
    assert load(data) == (data, {})


# --- publishing ----------------------------------------------------------------------------------


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


# --- expansion -----------------------------------------------------------------------------------


def test_expand_references() -> None:
    data, _ = load(full_record())
    before = copy.deepcopy(data)
    data["metadata"]["languages"].append({"id": "klingon"})
    before["metadata"]["languages"].append({"id": "klingon"})
    expanded = expand_references(data["metadata"], VOCABS)
    assert data == before  # input untouched
    assert expanded["resource_type"] == {
        "id": "publication-article",
        "title": {"en": "Publication Article"},
    }
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
    odd = {
        "resource_type": "dataset",
        "languages": {"id": "eng"},
        "rights": [None, {"id": 5}],
        "creators": [1],
    }
    assert expand_references(odd, VOCABS) == odd
    assert expand_references({}, VOCABS) == {}


# --- any JSON at all -----------------------------------------------------------------------------

_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(alphabet=st.characters(codec=None), max_size=20)
    | st.sampled_from(
        ["", " ", "2020", "eng", "public", "personal", "10.1234/x", "<b>x</b>", "a:b", "id"]
    )
)
_keys = st.text(max_size=8) | st.sampled_from(
    ["id", "metadata", "title", "creators", "person_or_org", "type", "family_name", "name",
     "access", "record", "files", "enabled", "pids", "custom_fields", "identifiers", "identifier",
     "scheme", "rights", "dates", "date", "embargo", "active", "until", "locations", "features",
     "geometry"]
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
    | st.builds(
        lambda n: {"metadata": {"title": "x" * n, "description": "<p>" * n}},
        st.integers(0, 200_000),
    )
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
