"""Identifier schemes: detection, validation (with check digits) and normalisation.

The scheme tables are InvenioRDM's defaults (``RDM_RECORDS_PERSONORG_SCHEMES``,
``RDM_RECORDS_IDENTIFIERS_SCHEMES``, ``RDM_RECORDS_LOCATION_SCHEMES``).  Validation and
normalisation come from idutils, made stricter where it is lax: ROR ids must carry a correct
ISO 7064 mod 97-10 check sum (idutils checks only the shape), GND ids must match the whole
value (idutils accepts trailing garbage).  ORCID and ISNI check digits are verified by idutils.
GND ids are checked for shape only: GND's historic numbering schemes do not share one
check-digit rule.

``check_identifier`` checks one identifier; ``SchemedIdentifier`` (and its subclasses with
other scheme tables) is the ``{"identifier", "scheme"}`` model the metadata uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar

import idutils
from pydantic import AfterValidator, model_validator

from .base import Strict
from .messages import (
    INVALID_SCHEME,
    ONE_PER_SCHEME,
    REQUIRED,
    UNKNOWN_SCHEME,
    fail,
    fail_all,
    invalid_identifier,
    problem,
    too_long,
)
from .text import OptText

MAX_IDENTIFIER_LENGTH = 2048

Validator = Callable[[str], bool]

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_ROR = re.compile(r"(?:https?://)?(?:ror\.org/)?(0[0-9a-hjkmnp-tv-z]{6}[0-9]{2})", re.IGNORECASE)
_GND = re.compile(idutils.gnd_regexp.pattern)
_ISNI_URL = re.compile(r"https?://isni\.org/isni/", re.IGNORECASE)


def _safe(check: Callable[[str], object]) -> Validator:
    def run(value: str) -> bool:
        try:
            return bool(check(value))
        except Exception:  # idutils validators may raise on odd input
            return False

    return run


def _always(value: str) -> bool:
    return True


def ror_checksum_ok(value: str) -> bool:
    """Whether the 9-character ROR id ``value`` has a correct check sum."""
    number = 0
    for char in value[:7].lower():
        number = number * 32 + _CROCKFORD.index(char)
    return 98 - (number * 100) % 97 == int(value[7:9])


def is_ror(value: str) -> bool:
    match = _ROR.fullmatch(value)
    return match is not None and ror_checksum_ok(match.group(1))


def normalize_ror(value: str) -> str:
    match = _ROR.fullmatch(value)
    return match.group(1).lower() if match else value


def is_gnd(value: str) -> bool:
    return _GND.fullmatch(value) is not None


def normalize_isni(value: str) -> str:
    value = _ISNI_URL.sub("", value, count=1)
    return value.replace(" ", "").replace("-", "").upper()


def _normalize_pid(scheme: str) -> Callable[[str], str]:
    def run(value: str) -> str:
        try:
            result = idutils.normalize_pid(value, scheme)
        except Exception:  # idutils normalisers may raise on values they do not expect
            return value
        return result if isinstance(result, str) and result else value

    return run


class Scheme:
    """One identifier scheme: its label, validator and normaliser."""

    __slots__ = ("label", "normalize", "validate")

    def __init__(
        self,
        label: str,
        validate: Validator,
        normalize: Callable[[str], str] | None = None,
    ) -> None:
        self.label = label
        self.validate = validate
        self.normalize = normalize or (lambda value: value)


def _idutils(label: str, scheme: str, check: Callable[[str], object]) -> Scheme:
    return Scheme(label, _safe(check), _normalize_pid(scheme))


PERSON_OR_ORG_SCHEMES: Mapping[str, Scheme] = {
    "orcid": _idutils("ORCID", "orcid", idutils.is_orcid),
    "isni": Scheme("ISNI", _safe(idutils.is_isni), normalize_isni),
    "gnd": _idutils("GND", "gnd", is_gnd),
    "ror": Scheme("ROR", is_ror, normalize_ror),
}

RECORD_SCHEMES: Mapping[str, Scheme] = {
    "ark": _idutils("ARK", "ark", idutils.is_ark),
    "arxiv": _idutils("arXiv", "arxiv", idutils.is_arxiv),
    "ads": _idutils("Bibcode", "ads", idutils.is_ads),
    "crossreffunderid": Scheme("Crossref Funder ID", _always),
    "doi": _idutils("DOI", "doi", idutils.is_doi),
    "ean13": _idutils("EAN13", "ean13", idutils.is_ean13),
    "eissn": _idutils("EISSN", "issn", idutils.is_issn),
    "grid": Scheme("GRID", _always),
    "handle": _idutils("Handle", "handle", idutils.is_handle),
    "igsn": Scheme("IGSN", _always),
    "isbn": _idutils("ISBN", "isbn", idutils.is_isbn),
    "isni": Scheme("ISNI", _safe(idutils.is_isni), normalize_isni),
    "issn": _idutils("ISSN", "issn", idutils.is_issn),
    "istc": _idutils("ISTC", "istc", idutils.is_istc),
    "lissn": _idutils("LISSN", "issn", idutils.is_issn),
    "lsid": _idutils("LSID", "lsid", idutils.is_lsid),
    "pmid": _idutils("PMID", "pmid", idutils.is_pmid),
    "purl": _idutils("PURL", "purl", idutils.is_purl),
    "upc": Scheme("UPC", _always),
    "url": _idutils("URL", "url", idutils.is_url),
    "urn": _idutils("URN", "urn", idutils.is_urn),
    "w3id": Scheme("W3ID", _always),
    "other": Scheme("Other", _always),
}
"""Schemes of alternate, related, award and reference identifiers."""

LOCATION_SCHEMES: Mapping[str, Scheme] = {
    "wikidata": Scheme("Wikidata", _always),
    "geonames": Scheme("GeoNames", _always),
}


def detect_schemes(value: str) -> list[str]:
    """idutils' guesses for ``value``, best first (ROR and GND held to Cairn's stricter checks)."""
    try:
        found = list(idutils.detect_identifier_schemes(value))
    except Exception:  # a detector choked on the value: nothing detected
        return []
    if "ror" in found and not is_ror(value):
        found.remove("ror")
    if "gnd" in found and not is_gnd(value):
        found.remove("gnd")
    return found


class IdentifierProblem(Exception):
    """What is wrong with an identifier, and which of its two fields to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def check_identifier(
    identifier: str | None,
    scheme: str | None,
    schemes: Mapping[str, Scheme],
    *,
    required: bool = True,
) -> tuple[str | None, str | None]:
    """The normalised ``(identifier, scheme)``, detecting the scheme when not given.

    Raises ``IdentifierProblem`` naming the field at fault.  With ``required=False`` both may
    be absent (returns ``(None, None)``).
    """
    if scheme is not None:
        scheme = scheme.lower()
    if identifier is None:
        if scheme is None and not required:
            return None, None
        raise IdentifierProblem("identifier", REQUIRED)
    if len(identifier) > MAX_IDENTIFIER_LENGTH:
        raise IdentifierProblem("identifier", too_long(MAX_IDENTIFIER_LENGTH))
    if scheme is None:
        scheme = next((name for name in detect_schemes(identifier) if name in schemes), None)
        if scheme is None:
            raise IdentifierProblem("scheme", UNKNOWN_SCHEME)
    definition = schemes.get(scheme)
    if definition is None:
        raise IdentifierProblem("scheme", INVALID_SCHEME)
    if not definition.validate(identifier):
        raise IdentifierProblem("identifier", invalid_identifier(definition.label))
    return definition.normalize(identifier), scheme


class SchemedIdentifier(Strict):
    """``{"identifier", "scheme"}``; the scheme is detected when left out."""

    SCHEMES: ClassVar[Mapping[str, Scheme]] = RECORD_SCHEMES

    identifier: OptText = None
    scheme: OptText = None

    @model_validator(mode="after")
    def _check(self) -> SchemedIdentifier:
        try:
            self.identifier, self.scheme = check_identifier(
                self.identifier, self.scheme, self.SCHEMES
            )
        except IdentifierProblem as issue:
            raise fail(issue.message, at=issue.field) from None
        return self


class PersonOrOrgIdentifier(SchemedIdentifier):
    SCHEMES = PERSON_OR_ORG_SCHEMES


def _one_per_scheme(items: list[Any] | None) -> list[Any] | None:
    """Only one identifier per scheme (InvenioRDM's ``IdentifierSet``); later ones dropped."""
    if items:
        seen: set[str | None] = set()
        problems = []
        for index, item in enumerate(items):
            if item.scheme in seen:
                problems.append(problem(ONE_PER_SCHEME, at=index, drop=index))
            seen.add(item.scheme)
        if problems:
            raise fail_all(problems)
    return items


PersonOrOrgIdentifiers = Annotated[
    list[PersonOrOrgIdentifier] | None, AfterValidator(_one_per_scheme)
]
RecordIdentifiers = Annotated[list[SchemedIdentifier] | None, AfterValidator(_one_per_scheme)]


class RorOrName(Strict):
    """``{"id": <ROR id>}`` and/or ``{"name": "free text"}`` (affiliations, funders).

    No organisations vocabulary ships yet, so an id must be a valid ROR id (stored in its
    normal form), and a name sent with it is kept (it is what landing pages and exports
    can show).
    """

    id: OptText = None
    name: OptText = None

    @model_validator(mode="after")
    def _check(self) -> RorOrName:
        if self.id is not None:
            if not is_ror(self.id):
                raise fail(invalid_identifier("ROR"), at="id", drop="id")
            self.id = normalize_ror(self.id)
        elif self.name is None:
            raise fail("An existing id or a free text name must be present.")
        return self
