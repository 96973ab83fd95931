"""DataCite 4.5 XML: the :func:`cairn.formats.datacite.to_datacite` structure as a
kernel-4 ``<resource>`` (valid against ``kernel-4.5/metadata.xsd``), and search results as
``<records total="n">`` (no namespace) holding one ``<resource>`` per hit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from cairn.formats.datacite import UNAVAILABLE, to_datacite
from cairn.formats.registry import Params
from cairn.formats.xmlhelpers import number_text, xml_safe

NS = "http://datacite.org/schema/kernel-4"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_LOCATION = f"{NS} http://schema.datacite.org/meta/kernel-4.5/metadata.xsd"


def _el(parent: etree._Element, tag: str, text: Any = None, **attrs: Any) -> etree._Element:
    node = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        value = number_text(text) if isinstance(text, float) else str(text)
        try:
            node.text = value
        except ValueError:
            node.text = xml_safe(value)
    for key, value in attrs.items():
        if value not in (None, ""):
            node.set(XML_LANG if key == "lang" else key, str(value))
    return node


def _xml_people(root: etree._Element, people: Iterable[dict[str, Any]], kind: str) -> None:
    box = _el(root, f"{kind}s")
    for p in people:
        node = _el(box, kind, contributorType=p.get("contributorType"))
        _el(node, f"{kind}Name", p["name"], nameType=p.get("nameType"))
        for key in ("givenName", "familyName"):
            if p.get(key):
                _el(node, key, p[key])
        for n in p.get("nameIdentifiers", []):
            _el(
                node,
                "nameIdentifier",
                n["nameIdentifier"],
                nameIdentifierScheme=n["nameIdentifierScheme"],
                schemeURI=n.get("schemeUri"),
            )
        for a in p.get("affiliation", []):
            _el(
                node,
                "affiliation",
                a["name"],
                affiliationIdentifier=a.get("affiliationIdentifier"),
                affiliationIdentifierScheme=a.get("affiliationIdentifierScheme"),
                schemeURI=a.get("schemeUri"),
            )


def _xml_point(parent: etree._Element, tag: str, point: dict[str, float]) -> None:
    node = _el(parent, tag)
    _el(node, "pointLongitude", point["pointLongitude"])
    _el(node, "pointLatitude", point["pointLatitude"])


def _xml_geo(root: etree._Element, locations: list[dict[str, Any]]) -> None:
    box = _el(root, "geoLocations")
    for loc in locations:
        node = _el(box, "geoLocation")
        if "geoLocationPlace" in loc:
            _el(node, "geoLocationPlace", loc["geoLocationPlace"])
        if "geoLocationPoint" in loc:
            _xml_point(node, "geoLocationPoint", loc["geoLocationPoint"])
        if "geoLocationBox" in loc:
            bounds = _el(node, "geoLocationBox")
            for key, value in loc["geoLocationBox"].items():
                _el(bounds, key, value)
        if "geoLocationPolygon" in loc:
            polygon = _el(node, "geoLocationPolygon")
            for point in loc["geoLocationPolygon"]:
                _xml_point(polygon, "polygonPoint", point["polygonPoint"])


def datacite_element(dc: dict[str, Any], landing: str | None = None) -> etree._Element:
    """The ``<resource>`` element for a :func:`to_datacite` structure."""
    root = etree.Element(f"{{{NS}}}resource", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    if dc.get("doi"):
        _el(root, "identifier", dc["doi"], identifierType="DOI")
    else:
        _el(root, "identifier", dc.get("url") or landing or UNAVAILABLE, identifierType="URL")
    _xml_people(root, dc["creators"], "creator")
    titles = _el(root, "titles")
    for t in dc["titles"]:
        _el(titles, "title", t["title"], titleType=t.get("titleType"), lang=t.get("lang"))
    _el(root, "publisher", dc["publisher"]["name"])
    _el(root, "publicationYear", dc["publicationYear"])
    _el(
        root,
        "resourceType",
        dc["types"].get("resourceType"),
        resourceTypeGeneral=dc["types"]["resourceTypeGeneral"],
    )
    simple_lists = {
        "subjects": (
            "subject",
            "subject",
            {"subjectScheme": "subjectScheme", "valueURI": "valueUri"},
        ),
        "dates": ("date", "date", {"dateType": "dateType", "dateInformation": "dateInformation"}),
        "alternateIdentifiers": (
            "alternateIdentifier",
            "alternateIdentifier",
            {"alternateIdentifierType": "alternateIdentifierType"},
        ),
        "relatedIdentifiers": (
            "relatedIdentifier",
            "relatedIdentifier",
            {
                "relatedIdentifierType": "relatedIdentifierType",
                "relationType": "relationType",
                "resourceTypeGeneral": "resourceTypeGeneral",
            },
        ),
        "rightsList": (
            "rights",
            "rights",
            {
                "rightsURI": "rightsUri",
                "rightsIdentifier": "rightsIdentifier",
                "rightsIdentifierScheme": "rightsIdentifierScheme",
                "schemeURI": "schemeUri",
                "lang": "lang",
            },
        ),
        "descriptions": (
            "description",
            "description",
            {"descriptionType": "descriptionType", "lang": "lang"},
        ),
        "fundingReferences": None,
    }
    if dc.get("contributors"):
        _xml_people(root, dc["contributors"], "contributor")
    if dc.get("language"):
        _el(root, "language", dc["language"])
    for key, spec in simple_lists.items():
        if not dc.get(key) or spec is None:
            continue
        tag, text_key, attrs = spec
        box = _el(root, key)
        for entry in dc[key]:
            _el(box, tag, entry.get(text_key), **{a: entry.get(k) for a, k in attrs.items()})
    for key, tag in (("sizes", "size"), ("formats", "format")):
        if dc.get(key):
            box = _el(root, key)
            for value in dc[key]:
                _el(box, tag, value)
    if dc.get("version"):
        _el(root, "version", dc["version"])
    if dc.get("geoLocations"):
        _xml_geo(root, dc["geoLocations"])
    if dc.get("fundingReferences"):
        box = _el(root, "fundingReferences")
        for f in dc["fundingReferences"]:
            node = _el(box, "fundingReference")
            _el(node, "funderName", f["funderName"])
            if f.get("funderIdentifier"):
                _el(
                    node,
                    "funderIdentifier",
                    f["funderIdentifier"],
                    funderIdentifierType=f["funderIdentifierType"],
                )
            if f.get("awardNumber"):
                _el(node, "awardNumber", f["awardNumber"], awardURI=f.get("awardUri"))
            if f.get("awardTitle"):
                _el(node, "awardTitle", f["awardTitle"])
    return root


def datacite_xml(dc: dict[str, Any], pretty: bool = False) -> bytes:
    """XML bytes (with declaration) for a :func:`to_datacite` structure."""
    return etree.tostring(
        datacite_element(dc), xml_declaration=True, encoding="UTF-8", pretty_print=pretty
    )


def _pretty(params: Params) -> bool:
    return params.get("prettyprint", "").lower() in ("1", "true")


def xml_item(record: dict[str, Any], params: Params) -> bytes:
    return datacite_xml(to_datacite(record), _pretty(params))


def xml_listing(envelope: dict[str, Any], params: Params) -> bytes:
    """Search results: ``<records total="n">`` (no namespace) holding one valid
    ``<resource>`` per hit."""
    hits = envelope["hits"]
    root = etree.Element("records", total=str(hits.get("total", len(hits["hits"]))))
    for hit in hits["hits"]:
        root.append(datacite_element(to_datacite(hit)))
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=_pretty(params)
    )
