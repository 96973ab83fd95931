"""Dublin Core as OAI-PMH's ``oai_dc`` wants it: ``<oai_dc:dc>`` holding the 15 unqualified
``dc:`` elements (valid against ``oai_dc.xsd``).

Values follow the OpenAIRE guidelines where they say something: the resource type as an
``info:eu-repo/semantics/…`` term plus its title, the access right as
``info:eu-repo/semantics/openAccess`` (``embargoedAccess``, ``restrictedAccess``,
``closedAccess`` for metadata-only records), an embargo's end as
``info:eu-repo/date/embargoEnd/<date>``, DOIs as ``https://doi.org/…`` URLs. Places and
points are written with DCMI's Point/Box encodings in ``dc:coverage``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from cairn.formats.registry import Params
from cairn.formats.xmlhelpers import english, html_to_text, number_text, prop, xml_safe

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
ACCESS = {
    "open": "info:eu-repo/semantics/openAccess",
    "embargoed": "info:eu-repo/semantics/embargoedAccess",
    "restricted": "info:eu-repo/semantics/restrictedAccess",
    "metadata-only": "info:eu-repo/semantics/closedAccess",
}


def identifier_url(scheme: str, value: str) -> str:
    """An identifier as a URL where it has a usual one (DOI, handle, arXiv, PubMed)."""
    scheme = scheme.lower()
    if scheme == "doi" and not value.startswith("http"):
        return f"https://doi.org/{value}"
    if scheme == "handle" and not value.startswith("http"):
        return f"https://hdl.handle.net/{value}"
    if scheme == "arxiv" and not value.startswith("http"):
        return f"https://arxiv.org/abs/{value.removeprefix('arXiv:')}"
    if scheme == "pmid" and value.isdigit():
        return f"https://pubmed.ncbi.nlm.nih.gov/{value}"
    return value


def _names(entries: list[dict[str, Any]]) -> Iterator[str]:
    for entry in entries:
        person = entry.get("person_or_org") or {}
        name = person.get("name") or person.get("family_name")
        if name:
            yield str(name)


def _coverage(md: dict[str, Any]) -> Iterator[str]:
    for feature in (md.get("locations") or {}).get("features") or []:
        place = feature.get("place")
        geometry = feature.get("geometry") or {}
        coords = geometry.get("coordinates") or []
        if geometry.get("type") == "Point":
            east, north = number_text(coords[0]), number_text(coords[1])
            yield f"east={east}; north={north}" + (f"; name={place}" if place else "")
        elif geometry.get("type") in ("Polygon", "MultiPolygon", "LineString", "MultiLineString"):
            points = _flatten(coords)
            lons, lats = [p[0] for p in points], [p[1] for p in points]
            box = (
                f"northlimit={number_text(max(lats))}; eastlimit={number_text(max(lons))}; "
                f"southlimit={number_text(min(lats))}; westlimit={number_text(min(lons))}"
            )
            yield box + (f"; name={place}" if place else "")
        elif place:
            yield str(place)


def _flatten(coords: Any) -> list[list[float]]:
    if coords and isinstance(coords[0], (int, float)):
        return [coords]
    return [p for part in coords for p in _flatten(part)]


def dc_values(record: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(element, text) pairs of ``record``'s Dublin Core, in a stable order."""
    md = record.get("metadata") or {}
    yield "title", md.get("title") or ""
    for extra in md.get("additional_titles") or []:
        yield "title", extra.get("title") or ""
    for name in _names(md.get("creators") or []):
        yield "creator", name
    for name in _names(md.get("contributors") or []):
        yield "contributor", name
    for subject in md.get("subjects") or []:
        yield "subject", subject.get("subject") or subject.get("id") or ""
    if md.get("description"):
        yield "description", html_to_text(md["description"])
    for extra in md.get("additional_descriptions") or []:
        yield "description", html_to_text(extra.get("description") or "")
    yield "publisher", md.get("publisher") or ""
    yield "date", md.get("publication_date") or ""
    embargo = (record.get("access") or {}).get("embargo") or {}
    if embargo.get("active") and embargo.get("until"):
        yield "date", f"info:eu-repo/date/embargoEnd/{str(embargo['until'])[:10]}"
    rtype = md.get("resource_type") or {}
    yield "type", prop("resourcetypes", rtype.get("id"), "eurepo")
    yield "type", english(rtype.get("title")) or prop("resourcetypes", rtype.get("id"), "title")
    yield from _identifiers(record, md)
    for fmt in md.get("formats") or []:
        yield "format", fmt
    for lang in md.get("languages") or []:
        yield "language", lang.get("id") or ""
    for rel in md.get("related_identifiers") or []:
        yield "relation", identifier_url(str(rel.get("scheme") or ""), str(rel["identifier"]))
    parent_doi = ((record.get("parent") or {}).get("pids") or {}).get("doi") or {}
    if parent_doi.get("identifier"):
        yield "relation", identifier_url("doi", parent_doi["identifier"])
    yield from _rights(record, md)
    try:
        coverage = list(_coverage(md))
    except (IndexError, TypeError, ValueError):  # not GeoJSON: no coverage
        coverage = []
    for text in coverage:
        yield "coverage", text


def _identifiers(record: dict[str, Any], md: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for scheme, pid in (record.get("pids") or {}).items():
        if pid.get("identifier"):
            yield "identifier", identifier_url(scheme, str(pid["identifier"]))
    landing = (record.get("links") or {}).get("self_html")
    if landing:
        yield "identifier", landing
    for ident in md.get("identifiers") or []:
        yield "identifier", identifier_url(str(ident.get("scheme") or ""), str(ident["identifier"]))


def _rights(record: dict[str, Any], md: dict[str, Any]) -> Iterator[tuple[str, str]]:
    status = (record.get("access") or {}).get("status")
    if status in ACCESS:
        yield "rights", ACCESS[status]
    for right in md.get("rights") or []:
        title = english(right.get("title")) or prop("licenses", right.get("id"), "title")
        yield "rights", title
        link = right.get("link") or (right.get("props") or {}).get("url")
        if link:
            yield "rights", link
    if md.get("copyright"):
        yield "rights", md["copyright"]


def dc_element(record: dict[str, Any]) -> etree._Element:
    """The ``<oai_dc:dc>`` element of ``record`` (empty values left out)."""
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    for tag, text in dc_values(record):
        if text:
            node = etree.SubElement(root, f"{{{DC}}}{tag}")
            try:
                node.text = text
            except ValueError:
                node.text = xml_safe(text)
    return root


def _pretty(params: Params) -> bool:
    return params.get("prettyprint", "").lower() in ("1", "true")


def dc_item(record: dict[str, Any], params: Params) -> bytes:
    return etree.tostring(
        dc_element(record), xml_declaration=True, encoding="UTF-8", pretty_print=_pretty(params)
    )


def dc_listing(envelope: dict[str, Any], params: Params) -> bytes:
    """Search results: ``<records total="n">`` (no namespace) holding one ``<oai_dc:dc>``
    per hit."""
    hits = envelope["hits"]
    root = etree.Element("records", total=str(hits.get("total", len(hits["hits"]))))
    for hit in hits["hits"]:
        root.append(dc_element(hit))
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=_pretty(params)
    )
