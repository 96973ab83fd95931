"""cairn.records.schema: creators, contributors, their identifiers and affiliations."""

from __future__ import annotations

from tests.unit.test_schema import load, person

# --- creators and contributors -------------------------------------------------------------------


def test_names_are_normalised() -> None:
    data, errors = load(
        {
            "metadata": {
                "creators": [
                    person(family_name="  Curie ", given_name="Marie", name="ignored"),
                    person(family_name="Plato"),
                    {
                        "person_or_org": {
                            "type": "organizational",
                            "name": "CERN",
                            "given_name": "x",
                        }
                    },
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
    data, errors = load(
        {"metadata": {"creators": [person(family_name="N", identifiers=identifiers)]}}
    )
    assert errors == {
        "metadata.creators.0.person_or_org.identifiers.1": [
            "Only one identifier per scheme is allowed."
        ]
    }
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
    identifiers = [
        {"identifier": "0000-0002-1825-0097"},
        {"identifier": "https://ror.org/01ggx4157"},
    ]
    data, errors = load(
        {"metadata": {"creators": [person(family_name="N", identifiers=identifiers)]}}
    )
    assert errors == {}
    assert data["metadata"]["creators"][0]["person_or_org"]["identifiers"] == [
        {"identifier": "0000-0002-1825-0097", "scheme": "orcid"},
        {"identifier": "01ggx4157", "scheme": "ror"},
    ]
    data, errors = load(
        {"metadata": {"creators": [person(family_name="N", identifiers=[{"identifier": "x"}])]}}
    )
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
    data, errors = load(
        {"metadata": {"creators": [person(family_name="N") | {"affiliations": affiliations}]}}
    )
    assert errors == {
        "metadata.creators.0.affiliations.1.id": ["Invalid ROR identifier."],
        "metadata.creators.0.affiliations.3": ["Duplicated affiliation."],
        "metadata.creators.0.affiliations.4": ["Duplicated affiliation."],
        "metadata.creators.0.affiliations.5": [
            "An existing id or a free text name must be present."
        ],
    }
    assert data["metadata"]["creators"][0]["affiliations"] == [
        {"id": "01ggx4157", "name": "CERN"},
        {"name": "Typo Institute"},
        {"name": "Free text"},
    ]
