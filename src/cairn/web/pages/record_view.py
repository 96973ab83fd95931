"""What a landing page shows of a record: display values built from its API shape.

Pure functions of the record dict (``metadata`` already has the vocabulary titles the
records service adds on read); the template only lays them out.  Every link is an http(s)
URL built from an identifier's scheme, so no stored value can become a ``javascript:`` link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import idutils
from markupsafe import Markup

from cairn.formats.ui import ACCESS_STATUS, format_edtf
from cairn.records.schema.identifiers import (
    PERSON_OR_ORG_SCHEMES,
    RECORD_SCHEMES,
)

RESOLVERS = {
    "orcid": "https://orcid.org/{}",
    "ror": "https://ror.org/{}",
    "doi": "https://doi.org/{}",
    "isni": "https://isni.org/isni/{}",
    "gnd": "https://d-nb.info/gnd/{}",
    "wikidata": "https://www.wikidata.org/wiki/{}",
    "geonames": "https://www.geonames.org/{}",
}
_SAFE = "/:;()!$&'*+,=@~._-"


@dataclass(frozen=True)
class Value:
    """One shown value: text, an optional link, an optional note beside it."""

    text: str
    url: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Person:
    name: str
    organisation: bool
    role: str = ""
    ids: list[Value] = field(default_factory=list)  # text: scheme label, note: the id
    affiliations: list[Value] = field(default_factory=list)


@dataclass(frozen=True)
class Detail:
    label: str
    values: list[Value]


def title_of(ref: Any) -> str:
    """A vocabulary reference's English title (else any title, else its id)."""
    if not isinstance(ref, Mapping):
        return str(ref or "")
    title = ref.get("title")
    if isinstance(title, Mapping):
        text = title.get("en") or next((v for v in title.values() if v), None)
        if text:
            return str(text)
    elif isinstance(title, str) and title:
        return title
    return str(ref.get("id") or "")


def _http(url: Any) -> str | None:
    text = str(url or "")
    return text if text.startswith(("https://", "http://")) else None


def pid_url(scheme: str | None, identifier: str | None) -> str | None:
    """A resolver URL for an identifier (http(s) only), or None."""
    if not identifier:
        return None
    scheme = (scheme or "").lower()
    if scheme in RESOLVERS:
        return RESOLVERS[scheme].format(quote(identifier, safe=_SAFE))
    try:
        url = idutils.to_url(identifier, scheme, url_scheme="https") if scheme else ""
    except Exception:  # idutils may raise on values it does not expect
        url = ""
    return _http(url) or _http(identifier)


def _label(scheme: str | None, *tables: Mapping[str, Any]) -> str:
    for table in tables:
        if scheme is not None and scheme in table:
            return str(table[scheme].label)
    return (scheme or "").upper()


def _texts(*parts: Any) -> str:
    return " · ".join(str(p) for p in parts if p)


def _affiliation(aff: Mapping[str, Any]) -> Value:
    ror = aff.get("id")
    name = str(aff.get("name") or title_of(aff) or ror or "")
    return Value(name, pid_url("ror", ror) if ror else None)


def people(entries: Any) -> list[Person]:
    """Creators or contributors with their identifiers, roles and affiliations."""
    out = []
    for entry in entries if isinstance(entries, list) else []:
        who = entry.get("person_or_org") or {}
        ids = [
            Value(_label(i.get("scheme"), PERSON_OR_ORG_SCHEMES), url, str(i.get("identifier")))
            for i in who.get("identifiers") or []
            if (url := pid_url(i.get("scheme"), i.get("identifier")))
        ]
        out.append(
            Person(
                name=str(who.get("name") or who.get("family_name") or ""),
                organisation=who.get("type") == "organizational",
                role=title_of(entry["role"]) if entry.get("role") else "",
                ids=ids,
                affiliations=[_affiliation(a) for a in entry.get("affiliations") or []],
            )
        )
    return out


def _identifier(item: Mapping[str, Any], *notes: Any) -> Value:
    scheme, identifier = item.get("scheme"), str(item.get("identifier") or "")
    label = _label(scheme, RECORD_SCHEMES)
    return Value(identifier, pid_url(scheme, identifier), _texts(*notes, label))


def _award(award: Mapping[str, Any]) -> str:
    title = title_of(award) if award.get("title") else ""
    extra = ", ".join(str(award[k]) for k in ("number", "acronym", "program") if award.get(k))
    return ", ".join(p for p in (title, extra) if p) or str(award.get("id") or "")


def _first_url(identifiers: Any) -> str | None:
    """The URL of the first linkable ``{scheme, identifier}`` in ``identifiers``."""
    for item in identifiers if isinstance(identifiers, list) else []:
        url = pid_url(item.get("scheme"), item.get("identifier"))
        if url:
            return url
    return None


def _funding(item: Mapping[str, Any]) -> Value:
    funder = item.get("funder") or {}
    award = item.get("award") or {}
    url = pid_url("ror", funder.get("id")) or _first_url(award.get("identifiers"))
    note = _award(award) if award else ""
    return Value(str(funder.get("name") or funder.get("id") or ""), url, note)


def _right(right: Mapping[str, Any]) -> Value:
    description = right.get("description")
    note = title_of({"title": description}) if isinstance(description, Mapping) else ""
    return Value(title_of(right), _http(right.get("link")), note)


def _geometry(geometry: Any) -> str:
    if not isinstance(geometry, Mapping):
        return ""
    kind = str(geometry.get("type") or "")
    coords = geometry.get("coordinates")
    if kind == "Point" and isinstance(coords, list) and len(coords) >= 2:
        return f"{coords[1]:.4f}, {coords[0]:.4f} (latitude, longitude)"
    return kind


def _location(feature: Mapping[str, Any]) -> Value:
    where = _geometry(feature.get("geometry"))
    place = str(feature.get("place") or "")
    note = _texts(feature.get("description"), where if place else "")
    return Value(place or where or "Location", _first_url(feature.get("identifiers")), note)


def _subject(subject: Mapping[str, Any]) -> Value:
    return Value(
        str(subject.get("subject") or subject.get("id") or ""),
        None,
        str(subject.get("scheme") or ""),
    )


def _one(text: Any) -> list[Value]:
    return [Value(str(text))] if text else []


def details(metadata: Mapping[str, Any]) -> list[Detail]:
    """The record's metadata beyond title, creators and descriptions, as labelled rows
    (rows without a value are left out)."""
    m = metadata
    rows = [
        Detail("Resource type", _one(m.get("resource_type") and title_of(m["resource_type"]))),
        Detail("Publication date", _one(format_edtf(m.get("publication_date")))),
        Detail("Publisher", _one(m.get("publisher"))),
        Detail("Version", _one(m.get("version"))),
        Detail("Languages", [Value(title_of(lang)) for lang in m.get("languages") or []]),
        Detail("Keywords and subjects", [_subject(s) for s in m.get("subjects") or []]),
        Detail(
            "Dates",
            [
                Value(
                    format_edtf(d.get("date")) or str(d.get("date")),
                    None,
                    _texts(title_of(d.get("type")), d.get("description")),
                )
                for d in m.get("dates") or []
            ],
        ),
        Detail("Rights", [_right(r) for r in m.get("rights") or []]),
        Detail("Copyright", _one(m.get("copyright"))),
        Detail("Identifiers", [_identifier(i) for i in m.get("identifiers") or []]),
        Detail(
            "Related works",
            [
                _identifier(
                    r,
                    title_of(r.get("relation_type")),
                    title_of(r.get("resource_type")) if r.get("resource_type") else "",
                )
                for r in m.get("related_identifiers") or []
            ],
        ),
        Detail("Funding", [_funding(f) for f in m.get("funding") or []]),
        Detail(
            "Locations", [_location(f) for f in (m.get("locations") or {}).get("features") or []]
        ),
        Detail("Sizes", [Value(str(s)) for s in m.get("sizes") or []]),
        Detail("Formats", [Value(str(s)) for s in m.get("formats") or []]),
        Detail(
            "References",
            [
                Value(str(r.get("reference") or ""), pid_url(r.get("scheme"), r.get("identifier")))
                for r in m.get("references") or []
            ],
        ),
    ]
    return [row for row in rows if row.values]


@dataclass(frozen=True)
class Description:
    title: str
    lang: str
    html: Markup


def descriptions(metadata: Mapping[str, Any]) -> list[Description]:
    """Additional descriptions; their HTML was sanitised by the records schema on input."""
    return [
        Description(
            title_of(d.get("type")) or "Description",
            title_of(d["lang"]) if d.get("lang") else "",
            Markup(d.get("description") or ""),
        )
        for d in metadata.get("additional_descriptions") or []
    ]


def additional_titles(metadata: Mapping[str, Any]) -> list[Value]:
    return [
        Value(
            str(t.get("title") or ""),
            None,
            _texts(title_of(t.get("type")), title_of(t["lang"]) if t.get("lang") else ""),
        )
        for t in metadata.get("additional_titles") or []
    ]


@dataclass(frozen=True)
class Access:
    status: str
    label: str
    description: str


def access(record: Mapping[str, Any]) -> Access:
    block = record.get("access") or {}
    status = str(block.get("status") or "open")
    label, text, _icon, _css = ACCESS_STATUS.get(status, ACCESS_STATUS["open"])
    until = (block.get("embargo") or {}).get("until")
    return Access(status, label, text.format(date=format_edtf(until) or "a later date"))


def doi(pids: Any) -> Value | None:
    identifier = (
        ((pids or {}).get("doi") or {}).get("identifier") if isinstance(pids, Mapping) else None
    )
    return Value(str(identifier), pid_url("doi", identifier)) if identifier else None
