"""DataCite Metadata Schema 4.5: a record as DataCite's JSON structure, and as kernel-4 XML.

:func:`to_datacite` maps a record (the API's JSON, ``links`` included) to the attribute
object of DataCite's REST API (``doi``, ``url``, ``types``, ``creators`` …, schema 4.5);
:mod:`cairn.formats.datacite_xml` writes that structure as ``<resource>`` XML valid against
``kernel-4.5/metadata.xsd``. Both outputs come from the one structure, so they always agree;
the DOI registration job can add relations (``HasVersion`` for a concept DOI) to it before
writing. Choices where the record has no value DataCite requires: the identifier falls back
to the landing page URL (``identifierType="URL"``), the publisher to DataCite's standard
value ``(:unav)``, the publication year to the year the record was created.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cairn.formats.xmlhelpers import (
    bcp47,
    english,
    html_to_text,
    is_url,
    prop,
    publication_year,
    rkms_date,
    ror_url,
)

UNAVAILABLE = "(:unav)"

# Cairn identifier schemes -> DataCite relatedIdentifierType (the XSD's closed list)
IDENTIFIER_TYPES = {
    "ark": "ARK",
    "arxiv": "arXiv",
    "ads": "bibcode",
    "bibcode": "bibcode",
    "doi": "DOI",
    "ean13": "EAN13",
    "eissn": "EISSN",
    "handle": "Handle",
    "igsn": "IGSN",
    "isbn": "ISBN",
    "issn": "ISSN",
    "istc": "ISTC",
    "lissn": "LISSN",
    "lsid": "LSID",
    "pmid": "PMID",
    "purl": "PURL",
    "upc": "UPC",
    "url": "URL",
    "urn": "URN",
    "w3id": "w3id",
}
# person/organisation identifier schemes -> (DataCite scheme name, scheme URI)
NAME_SCHEMES = {
    "orcid": ("ORCID", "https://orcid.org/"),
    "isni": ("ISNI", "https://isni.org/isni/"),
    "gnd": ("GND", "https://d-nb.info/gnd/"),
    "ror": ("ROR", "https://ror.org/"),
}
FUNDER_TYPES = {
    "ror": "ROR",
    "doi": "Crossref Funder ID",
    "crossreffunderid": "Crossref Funder ID",
    "grid": "GRID",
    "isni": "ISNI",
}
SPDX_URI = "https://spdx.org/licenses/"
# vocabulary values DataCite added after 4.5 -> what kernel-4.5 has for them
NEWER_THAN_45 = {
    "Poster": "Text",
    "Presentation": "Text",
    "Project": "Other",
    "Coverage": "Other",
    "Translator": "Other",
}
RELATIONS_45 = {
    "IsTranslationOf": "IsVariantFormOf",
    "HasTranslation": "IsOriginalFormOf",
    "Other": "",  # DataCite has no relationType "Other": such relations are left out
}


def kernel45(vtype: str, vid: Any, key: str = "datacite") -> str:
    """A vocabulary item's DataCite value, as kernel-4.5 knows it ("" when unknown)."""
    value = prop(vtype, vid, key)
    table = RELATIONS_45 if vtype == "relationtypes" else NEWER_THAN_45
    return table.get(value, value)


def _drop_empty(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if v not in (None, "", [], {})}


# -- people and organisations --------------------------------------------------------------
def _name_identifier(ident: dict[str, Any]) -> dict[str, str] | None:
    scheme = str(ident.get("scheme") or "").lower()
    value = str(ident.get("identifier") or "")
    if not value or scheme not in NAME_SCHEMES:
        return None
    name, uri = NAME_SCHEMES[scheme]
    if scheme == "ror":
        value = ror_url(value) or value
    elif scheme == "gnd":
        value = value.removeprefix("gnd:")
    return {"nameIdentifier": value, "nameIdentifierScheme": name, "schemeUri": uri}


def _affiliation(aff: dict[str, Any]) -> dict[str, str] | None:
    ror = ror_url(str(aff.get("id") or ""))
    for ident in aff.get("identifiers") or []:
        if not ror and str(ident.get("scheme", "")).lower() == "ror":
            ror = ror_url(str(ident.get("identifier") or ""))
    name = str(aff.get("name") or "") or ror or str(aff.get("id") or "")
    if not name:
        return None
    entry = {"name": name}
    if ror:
        entry.update(
            affiliationIdentifier=ror,
            affiliationIdentifierScheme="ROR",
            schemeUri=NAME_SCHEMES["ror"][1],
        )
    return entry


def _person(entry: dict[str, Any], role_type: str | None) -> dict[str, Any] | None:
    person = entry.get("person_or_org") or {}
    personal = person.get("type") != "organizational"
    family, given = person.get("family_name") or "", person.get("given_name") or ""
    name = person.get("name") or (f"{family}, {given}" if family and given else family or given)
    if not name:
        return None
    out: dict[str, Any] = {"name": name, "nameType": "Personal" if personal else "Organizational"}
    if personal:
        out["givenName"], out["familyName"] = given, family
    out["nameIdentifiers"] = [
        n for n in map(_name_identifier, person.get("identifiers") or []) if n is not None
    ]
    out["affiliation"] = [
        a for a in map(_affiliation, entry.get("affiliations") or []) if a is not None
    ]
    if role_type is not None:
        role = (entry.get("role") or {}).get("id")
        out["contributorType"] = kernel45("contributorsroles", role) or "Other"
    return _drop_empty(out)


# -- the parts of a record -----------------------------------------------------------------
def _lang(ref: Any) -> str | None:
    return bcp47(ref.get("id")) if isinstance(ref, dict) else None


def _titles(md: dict[str, Any]) -> list[dict[str, str]]:
    titles = [{"title": md.get("title") or UNAVAILABLE}]
    for extra in md.get("additional_titles") or []:
        kind = prop("titletypes", (extra.get("type") or {}).get("id"), "datacite")
        titles.append(
            _drop_empty(
                {"title": extra.get("title"), "titleType": kind, "lang": _lang(extra.get("lang"))}
            )
        )
    return [t for t in titles if t.get("title")]


def _descriptions(md: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    if md.get("description"):
        out.append({"description": html_to_text(md["description"]), "descriptionType": "Abstract"})
    for extra in md.get("additional_descriptions") or []:
        kind = prop("descriptiontypes", (extra.get("type") or {}).get("id"), "datacite")
        text = html_to_text(extra.get("description") or "")
        out.append(
            _drop_empty(
                {
                    "description": text,
                    "descriptionType": kind or "Other",
                    "lang": _lang(extra.get("lang")),
                }
            )
        )
    return [d for d in out if d.get("description")]


def resource_types(ref: Any) -> tuple[str, str]:
    """(resourceTypeGeneral, resourceType text) for a ``resource_type`` reference; an id
    Cairn does not know falls back to its top-level type (``publication-blogpost`` ->
    ``publication``), then to ``Other``."""
    rid = str((ref or {}).get("id") or "")
    general = kernel45("resourcetypes", rid, "datacite_general")
    base = rid.split("-", 1)[0]
    if not general:
        general = kernel45("resourcetypes", base, "datacite_general") or "Other"
    text = prop("resourcetypes", rid, "datacite_type") or english(ref.get("title") if ref else None)
    return general, text or prop("resourcetypes", rid, "title") or rid or general


def _dates(record: dict[str, Any], md: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    if md.get("publication_date"):
        out.append({"date": rkms_date(md["publication_date"]), "dateType": "Issued"})
    updated = False
    for entry in md.get("dates") or []:
        type_id = (entry.get("type") or {}).get("id")
        updated = updated or type_id == "updated"
        kind = kernel45("datetypes", type_id) or "Other"
        information = entry.get("description")
        if kind == "Other" and type_id != "other":  # keep what kind of date it is
            information = information or prop("datetypes", type_id, "title") or type_id
        out.append(
            _drop_empty(
                {
                    "date": rkms_date(entry.get("date") or ""),
                    "dateType": kind,
                    "dateInformation": information,
                }
            )
        )
    if not updated and record.get("updated"):
        out.append({"date": str(record["updated"])[:10], "dateType": "Updated"})
    embargo = (record.get("access") or {}).get("embargo") or {}
    if embargo.get("active") and embargo.get("until"):
        out.append({"date": str(embargo["until"])[:10], "dateType": "Available"})
    return [d for d in out if d.get("date")]


def _related(record: dict[str, Any], md: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for rel in md.get("related_identifiers") or []:
        kind = _related_type(rel)
        relation = kernel45("relationtypes", (rel.get("relation_type") or {}).get("id"))
        if kind is None or not relation:
            continue
        entry = {
            "relatedIdentifier": rel["identifier"],
            "relatedIdentifierType": kind,
            "relationType": relation,
        }
        if rel.get("resource_type"):
            entry["resourceTypeGeneral"] = resource_types(rel["resource_type"])[0]
        out.append(entry)
    for ref in md.get("references") or []:
        kind = _related_type(ref)
        if kind is not None:
            out.append(
                {
                    "relatedIdentifier": ref["identifier"],
                    "relatedIdentifierType": kind,
                    "relationType": "References",
                }
            )
    parent_doi = (((record.get("parent") or {}).get("pids") or {}).get("doi") or {}).get(
        "identifier"
    )
    own_doi = ((record.get("pids") or {}).get("doi") or {}).get("identifier")
    if parent_doi and parent_doi != own_doi:
        out.append(
            {
                "relatedIdentifier": parent_doi,
                "relatedIdentifierType": "DOI",
                "relationType": "IsVersionOf",
            }
        )
    return out


def _related_type(entry: dict[str, Any]) -> str | None:
    """The DataCite type of an identifier; schemes DataCite lacks count as URL when the
    identifier is one, else the identifier is left out."""
    value = str(entry.get("identifier") or "")
    if not value:
        return None
    kind = IDENTIFIER_TYPES.get(str(entry.get("scheme") or "").lower())
    return kind or ("URL" if is_url(value) else None)


def _rights(md: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for right in md.get("rights") or []:
        rid = right.get("id")
        if rid:
            url = (
                right.get("link")
                or (right.get("props") or {}).get("url")
                or prop("licenses", rid, "url")
            )
            title = english(right.get("title")) or prop("licenses", rid, "title") or rid
            spdx = url.removeprefix(SPDX_URI) if url.startswith(SPDX_URI) else rid.upper()
            entry = {
                "rights": title,
                "rightsUri": url,
                "rightsIdentifier": spdx,
                "rightsIdentifierScheme": "SPDX",
                "schemeUri": SPDX_URI,
                "lang": "en",
            }
        else:
            titles = right.get("title") or {}
            lang = "en" if "en" in titles else next(iter(titles), None)
            entry = {
                "rights": titles.get(lang, "") if lang else "",
                "rightsUri": right.get("link"),
                "lang": bcp47(lang),
            }
        out.append(_drop_empty(entry))
    return [r for r in out if r.get("rights") or r.get("rightsUri")]


def _point(position: list[float]) -> dict[str, float]:
    return {"pointLongitude": float(position[0]), "pointLatitude": float(position[1])}


def _box(positions: list[list[float]]) -> dict[str, float]:
    lons, lats = [p[0] for p in positions], [p[1] for p in positions]
    return {
        "westBoundLongitude": float(min(lons)),
        "eastBoundLongitude": float(max(lons)),
        "southBoundLatitude": float(min(lats)),
        "northBoundLatitude": float(max(lats)),
    }


def _shapes(geometry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """DataCite geo locations for one GeoJSON geometry: points, polygons (an axis-aligned
    rectangle as a box), and lines as their bounding box (DataCite has no lines)."""
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Point":
        yield {"geoLocationPoint": _point(coords)}
    elif kind == "MultiPoint":
        yield from ({"geoLocationPoint": _point(p)} for p in coords)
    elif kind in ("Polygon", "MultiPolygon"):
        for polygon in [coords] if kind == "Polygon" else coords:
            ring = polygon[0]
            rectangle = len({p[0] for p in ring}) == 2 and len({p[1] for p in ring}) == 2
            if (rectangle and len(ring) <= 5) or len(ring) < 4:  # DataCite polygons need 4
                yield {"geoLocationBox": _box(ring)}
            else:
                yield {"geoLocationPolygon": [{"polygonPoint": _point(p)} for p in ring]}
    elif kind == "LineString":
        yield {"geoLocationBox": _box(coords)}
    elif kind == "MultiLineString":
        yield {"geoLocationBox": _box([p for line in coords for p in line])}


def _geo(md: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for feature in (md.get("locations") or {}).get("features") or []:
        place = feature.get("place") or feature.get("description")
        try:
            shapes = list(_shapes(feature.get("geometry") or {}))
        except (IndexError, TypeError, ValueError):  # not GeoJSON: the place alone
            shapes = []
        if place:
            if not shapes:
                shapes.append({})
            shapes[0]["geoLocationPlace"] = place
        out.extend(shapes)
    return out


def _funder_id(funder: dict[str, Any]) -> tuple[str, str] | None:
    fid = str(funder.get("id") or "")
    if ror_url(fid):
        return ror_url(fid) or fid, "ROR"
    if fid.startswith("10.13039/"):
        return f"https://doi.org/{fid}", "Crossref Funder ID"
    for ident in funder.get("identifiers") or []:
        kind = FUNDER_TYPES.get(str(ident.get("scheme") or "").lower())
        if kind and ident.get("identifier"):
            value = str(ident["identifier"])
            return (ror_url(value) or value) if kind == "ROR" else value, kind
    return None


def _funding(md: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for funding in md.get("funding") or []:
        funder = funding.get("funder") or {}
        name = funder.get("name") or english(funder.get("title")) or funder.get("id")
        if not name:
            continue
        entry = {"funderName": name}
        if (found := _funder_id(funder)) is not None:
            entry["funderIdentifier"], entry["funderIdentifierType"] = found
        award = funding.get("award") or {}
        number = award.get("number") or str(award.get("id") or "").rpartition("::")[2]
        uri = next(
            (
                i["identifier"]
                for i in award.get("identifiers") or []
                if is_url(str(i.get("identifier") or ""))
            ),
            None,
        )
        if number:
            entry.update(_drop_empty({"awardNumber": number, "awardUri": uri}))
        if english(award.get("title")):
            entry["awardTitle"] = english(award.get("title"))
        out.append(entry)
    return out


def _alternates(record: dict[str, Any], md: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    landing = (record.get("links") or {}).get("self_html")
    if landing:
        out.append({"alternateIdentifier": landing, "alternateIdentifierType": "URL"})
    for scheme, pid in (record.get("pids") or {}).items():
        if scheme != "doi" and pid.get("identifier"):
            out.append(
                {
                    "alternateIdentifier": pid["identifier"],
                    "alternateIdentifierType": IDENTIFIER_TYPES.get(scheme, scheme),
                }
            )
    for ident in md.get("identifiers") or []:
        scheme = str(ident.get("scheme") or "other").lower()
        if ident.get("identifier"):
            out.append(
                {
                    "alternateIdentifier": ident["identifier"],
                    "alternateIdentifierType": IDENTIFIER_TYPES.get(scheme, scheme),
                }
            )
    return out


def to_datacite(record: dict[str, Any]) -> dict[str, Any]:
    """The DataCite 4.5 JSON attributes of ``record`` (empty parts left out)."""
    md = record.get("metadata") or {}
    doi = ((record.get("pids") or {}).get("doi") or {}).get("identifier")
    general, type_text = resource_types(md.get("resource_type") or {})
    languages = [bcp47((lang or {}).get("id")) for lang in md.get("languages") or []]
    out: dict[str, Any] = {
        "doi": doi,
        "url": (record.get("links") or {}).get("self_html"),
        "types": {"resourceTypeGeneral": general, "resourceType": type_text},
        "creators": [p for p in (_person(c, None) for c in md.get("creators") or []) if p]
        or [{"name": UNAVAILABLE, "nameType": "Organizational"}],
        "titles": _titles(md),
        "publisher": {"name": md.get("publisher") or UNAVAILABLE},
        "publicationYear": publication_year(md.get("publication_date"), record.get("created")),
        "subjects": [
            _subject(s) for s in md.get("subjects") or [] if s.get("subject") or s.get("id")
        ],
        "contributors": [
            p for p in (_person(c, "role") for c in md.get("contributors") or []) if p
        ],
        "dates": _dates(record, md),
        "language": next((lang for lang in languages if lang), None),
        "alternateIdentifiers": _alternates(record, md),
        "relatedIdentifiers": _related(record, md),
        "sizes": list(md.get("sizes") or []),
        "formats": list(md.get("formats") or []),
        "version": md.get("version"),
        "rightsList": _rights(md),
        "descriptions": _descriptions(md),
        "geoLocations": _geo(md),
        "fundingReferences": _funding(md),
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }
    return _drop_empty(out)


def _subject(subject: dict[str, Any]) -> dict[str, str]:
    sid = str(subject.get("id") or "")
    return _drop_empty(
        {
            "subject": subject.get("subject") or sid,
            "subjectScheme": subject.get("scheme"),
            "valueUri": sid if is_url(sid) else None,
        }
    )
