"""Identifier schemes in cairn.records.schema.identifiers: check digits, detection, normalising."""

from __future__ import annotations

import pytest

from cairn.records.schema.identifiers import (
    LOCATION_SCHEMES,
    MAX_IDENTIFIER_LENGTH,
    PERSON_OR_ORG_SCHEMES,
    RECORD_SCHEMES,
    IdentifierProblem,
    check_identifier,
    detect_schemes,
    is_gnd,
    is_ror,
)


@pytest.mark.parametrize("ror", ["03yrm5c26", "01ggx4157", "00k4n6c32", "05dxps055", "013meh722"])
def test_real_ror_ids_pass_their_check_sum(ror: str) -> None:
    assert is_ror(ror)
    assert is_ror(f"https://ror.org/{ror}")
    assert is_ror(ror.upper())
    broken = ror[:7] + f"{(int(ror[7:]) + 1) % 100:02d}"
    assert not is_ror(broken)


@pytest.mark.parametrize(
    "bad", ["cern", "1ggx4157", "01ggx415", "01ggx41577", "https://ror.org/", "0lggx4157"]
)
def test_malformed_ror_ids(bad: str) -> None:
    assert not is_ror(bad)


def test_gnd_must_match_entirely() -> None:
    assert is_gnd("4079154-3")
    assert is_gnd("gnd:118540238")
    assert not is_gnd("4079154-3 and more")


@pytest.mark.parametrize(
    ("value", "scheme", "expected"),
    [
        ("https://orcid.org/0000-0002-1825-0097", "orcid", ("0000-0002-1825-0097", "orcid")),
        ("0000000218250097", "orcid", ("0000-0002-1825-0097", "orcid")),
        ("0000-0002-1825-0097", None, ("0000-0002-1825-0097", "orcid")),
        ("0000 0001 2156 142X", "isni", ("000000012156142X", "isni")),
        ("https://isni.org/isni/000000012156142X", "isni", ("000000012156142X", "isni")),
        ("https://ror.org/01GGX4157", None, ("01ggx4157", "ror")),
        ("gnd:4079154-3", None, ("gnd:4079154-3", "gnd")),
        ("4079154-3", "GND", ("gnd:4079154-3", "gnd")),
    ],
)
def test_person_identifiers_are_normalised(
    value: str, scheme: str | None, expected: tuple[str, str]
) -> None:
    assert check_identifier(value, scheme, PERSON_OR_ORG_SCHEMES) == expected
    assert check_identifier(*expected, PERSON_OR_ORG_SCHEMES) == expected  # a fixed point


@pytest.mark.parametrize(
    ("value", "scheme", "field", "message"),
    [
        ("0000-0002-1825-0098", "orcid", "identifier", "Invalid ORCID identifier."),
        ("000000012156142Y", "isni", "identifier", "Invalid ISNI identifier."),
        ("01ggx4158", "ror", "identifier", "Invalid ROR identifier."),
        ("10.1234/x", "doi", "scheme", "Invalid scheme."),
        ("no idea", None, "scheme", "No valid scheme recognized for identifier."),
        (None, "orcid", "identifier", "Missing data for required field."),
    ],
)
def test_person_identifier_problems(
    value: str | None, scheme: str | None, field: str, message: str
) -> None:
    with pytest.raises(IdentifierProblem) as caught:
        check_identifier(value, scheme, PERSON_OR_ORG_SCHEMES)
    assert (caught.value.field, caught.value.message) == (field, message)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.1234/foo.bar", ("10.1234/foo.bar", "doi")),
        ("doi:10.1234/foo.bar", ("10.1234/foo.bar", "doi")),
        ("https://doi.org/10.1234/foo.bar", ("10.1234/foo.bar", "doi")),
        ("1924MNRAS..84..308E", ("1924MNRAS..84..308E", "ads")),
        ("arXiv:1310.2590", ("arXiv:1310.2590", "arxiv")),
        ("hdl:2128/12345", ("2128/12345", "handle")),
        ("978-3-16-148410-0", ("978-3-16-148410-0", "isbn")),
        ("urn:nbn:de:101:1-201102033592", ("urn:nbn:de:101:1-201102033592", "urn")),
        ("https://example.org/data/1", ("https://example.org/data/1", "url")),
        ("12345678", ("12345678", "pmid")),
    ],
)
def test_record_identifier_schemes_are_detected(value: str, expected: tuple[str, str]) -> None:
    assert check_identifier(value, None, RECORD_SCHEMES) == expected
    assert check_identifier(*expected, RECORD_SCHEMES) == expected


def test_optional_identifiers() -> None:
    assert check_identifier(None, None, RECORD_SCHEMES, required=False) == (None, None)
    with pytest.raises(IdentifierProblem):
        check_identifier(None, "doi", RECORD_SCHEMES, required=False)


def test_schemes_without_a_validator_accept_anything() -> None:
    assert check_identifier("Q72", "wikidata", LOCATION_SCHEMES) == ("Q72", "wikidata")
    assert check_identifier("anything", "other", RECORD_SCHEMES) == ("anything", "other")


def test_very_long_identifiers_are_refused_before_any_regex_runs() -> None:
    with pytest.raises(IdentifierProblem) as caught:
        check_identifier("https://x.org/" + "a" * MAX_IDENTIFIER_LENGTH, None, RECORD_SCHEMES)
    assert caught.value.message == f"Longer than maximum length {MAX_IDENTIFIER_LENGTH}."


def test_detection_never_raises() -> None:
    for odd in ["", " ", "\x00", "10.", "isbn", "gnd:", "https://", "0" * 5000]:
        assert isinstance(detect_schemes(odd), list)
