"""DCAT-AP 2/3 in RDF/XML: each record is a ``dcat:Dataset`` with its distributions.

The dataset's IRI is its DOI URL (``https://doi.org/…``), else its landing page. Titles,
descriptions (plain text), keywords, creators and contributors (``foaf:Person`` or
``foaf:Organization``, ORCID/ROR IRIs), the publisher, issue and modification dates,
languages (EU Publications Office language authority), the access right (EU access-right
authority), licences (on the dataset as ``dct:rights`` and on every distribution as
``dct:license``), version, other identifiers (``adms:identifier``), related resources
(``dct:references``, ``dct:isVersionOf`` … by relation type), temporal coverage
(``collected`` dates), spatial coverage (``locn:geometry`` WKT) and one distribution per
public file (download URL, media type, size, checksum) — or, for a record without them, one
distribution with the landing page as its access URL. Search results are one ``rdf:RDF``
holding every dataset.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from lxml import etree

from cairn.formats.dublincore import identifier_url
from cairn.formats.registry import Params
from cairn.formats.xmlhelpers import english, html_to_text, prop, ror_url, xml_safe

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "adms": "http://www.w3.org/ns/adms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "locn": "http://www.w3.org/ns/locn#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
RDF = NS["rdf"]
XSD = NS["xsd"]
LANG_AUTHORITY = "http://publications.europa.eu/resource/authority/language/"
ACCESS_AUTHORITY = "http://publications.europa.eu/resource/authority/access-right/"
ACCESS = {
    "open": "PUBLIC",
    "metadata-only": "PUBLIC",
    "embargoed": "NON_PUBLIC",
    "restricted": "RESTRICTED",
}
RELATIONS = {
    "isversionof": "isVersionOf",
    "hasversion": "hasVersion",
    "ispartof": "isPartOf",
    "haspart": "hasPart",
    "references": "references",
    "cites": "references",
    "isreferencedby": "isReferencedBy",
    "iscitedby": "isReferencedBy",
    "requires": "requires",
    "isrequiredby": "isRequiredBy",
    "obsoletes": "replaces",
    "isobsoletedby": "isReplacedBy",
    "isderivedfrom": "source",
    "isidenticalto": "relation",
}
CHECKSUM_ALGORITHMS = {
    "md5": "checksumAlgorithm_md5",
    "sha1": "checksumAlgorithm_sha1",
    "sha256": "checksumAlgorithm_sha256",
}


def _q(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{NS[prefix]}}}{local}"


def _add(
    parent: etree._Element,
    name: str,
    text: Any = None,
    *,
    resource: str | None = None,
    datatype: str | None = None,
    lang: str | None = None,
) -> etree._Element:
    node = etree.SubElement(parent, _q(name))
    if resource is not None:
        node.set(_q("rdf:resource"), resource)
    if datatype is not None:
        node.set(_q("rdf:datatype"), datatype)
    if lang:
        node.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    if text is not None:
        try:
            node.text = str(text)
        except ValueError:
            node.text = xml_safe(str(text))
    return node


def date_type(value: str) -> str:
    """The XSD datatype of an ISO date of any precision."""
    if "T" in value:
        return XSD + "dateTime"
    return XSD + {4: "gYear", 7: "gYearMonth"}.get(len(value), "date")


def _agent(parent: etree._Element, name: str, entry: dict[str, Any]) -> None:
    person = entry.get("person_or_org") or {}
    label = person.get("name") or person.get("family_name")
    if not label:
        return
    organisational = person.get("type") == "organizational"
    holder = _add(parent, name)
    agent = _add(holder, "foaf:Organization" if organisational else "foaf:Person")
    for ident in person.get("identifiers") or []:
        scheme, value = str(ident.get("scheme") or ""), str(ident.get("identifier") or "")
        iri = (
            f"https://orcid.org/{value}"
            if scheme == "orcid"
            else ror_url(value)
            if scheme == "ror"
            else None
        )
        if iri:
            agent.set(_q("rdf:about"), iri)
            break
    _add(agent, "foaf:name", label)
    if not organisational:
        if person.get("given_name"):
            _add(agent, "foaf:givenName", person["given_name"])
        if person.get("family_name"):
            _add(agent, "foaf:familyName", person["family_name"])


def _wkt(geometry: dict[str, Any]) -> str | None:
    def pos(p: list[float]) -> str:
        return f"{p[0]} {p[1]}"

    def line(points: list[list[float]]) -> str:
        return "(" + ", ".join(pos(p) for p in points) + ")"

    def poly(rings: list[list[list[float]]]) -> str:
        return "(" + ", ".join(line(r) for r in rings) + ")"

    kind, c = geometry.get("type"), geometry.get("coordinates")
    if not c:
        return None
    writers = {
        "Point": lambda: f"POINT({pos(c)})",
        "MultiPoint": lambda: "MULTIPOINT(" + ", ".join(f"({pos(p)})" for p in c) + ")",
        "LineString": lambda: "LINESTRING" + line(c),
        "MultiLineString": lambda: "MULTILINESTRING(" + ", ".join(line(x) for x in c) + ")",
        "Polygon": lambda: "POLYGON" + poly(c),
        "MultiPolygon": lambda: "MULTIPOLYGON(" + ", ".join(poly(x) for x in c) + ")",
    }
    write = writers.get(str(kind))
    try:
        return write() if write else None
    except (IndexError, TypeError):  # not GeoJSON
        return None


def _licences(md: dict[str, Any]) -> Iterator[tuple[str | None, str]]:
    """(IRI or None, title) of each licence."""
    for right in md.get("rights") or []:
        iri = (
            right.get("link")
            or (right.get("props") or {}).get("url")
            or prop("licenses", right.get("id"), "url")
        )
        yield iri or None, english(right.get("title")) or prop("licenses", right.get("id"), "title")


def _distributions(dataset: etree._Element, record: dict[str, Any], md: dict[str, Any]) -> None:
    landing = (record.get("links") or {}).get("self_html")
    licences = [iri for iri, _ in _licences(md) if iri]
    files = record.get("files") or {}
    public = (record.get("access") or {}).get("files", "public") == "public"
    entries = files.get("entries") or {} if files.get("enabled") and public else {}
    for key, entry in entries.items() if isinstance(entries, dict) else []:
        holder = _add(dataset, "dcat:distribution")
        dist = _add(holder, "dcat:Distribution")
        url = f"{landing}/files/{quote(key)}?download=1" if landing else None
        if url:
            dist.set(_q("rdf:about"), url)
            _add(dist, "dcat:downloadURL", resource=url)
        if landing:
            _add(dist, "dcat:accessURL", resource=landing)
        _add(dist, "dct:title", key)
        if entry.get("mimetype"):
            _add(
                dist,
                "dcat:mediaType",
                resource=f"https://www.iana.org/assignments/media-types/{entry['mimetype']}",
            )
        if entry.get("size") is not None:
            _add(dist, "dcat:byteSize", entry["size"], datatype=XSD + "nonNegativeInteger")
        algorithm, _, digest = str(entry.get("checksum") or "").partition(":")
        if algorithm in CHECKSUM_ALGORITHMS and digest:
            checksum = _add(_add(dist, "spdx:checksum"), "spdx:Checksum")
            _add(checksum, "spdx:algorithm", resource=NS["spdx"] + CHECKSUM_ALGORITHMS[algorithm])
            _add(checksum, "spdx:checksumValue", digest, datatype=XSD + "hexBinary")
        for iri in licences:
            _add(dist, "dct:license", resource=iri)
    if not entries and landing:
        dist = _add(_add(dataset, "dcat:distribution"), "dcat:Distribution")
        _add(dist, "dcat:accessURL", resource=landing)
        for iri in licences:
            _add(dist, "dct:license", resource=iri)


def dataset_element(record: dict[str, Any]) -> etree._Element:
    """The ``dcat:Dataset`` of ``record`` (to put inside an ``rdf:RDF``)."""
    md = record.get("metadata") or {}
    links = record.get("links") or {}
    doi = ((record.get("pids") or {}).get("doi") or {}).get("identifier")
    iri = identifier_url("doi", doi) if doi else links.get("self_html")
    dataset = etree.Element(_q("dcat:Dataset"), nsmap=NS)
    if iri:
        dataset.set(_q("rdf:about"), iri)
    _add(dataset, "dct:identifier", doi or iri or record.get("id"))
    _add(dataset, "dct:title", md.get("title") or "")
    for extra in md.get("additional_titles") or []:
        _add(dataset, "dct:alternative", extra.get("title"))
    if md.get("description"):
        _add(dataset, "dct:description", html_to_text(md["description"]))
    for extra in md.get("additional_descriptions") or []:
        _add(dataset, "dct:description", html_to_text(extra.get("description") or ""))
    date = str(md.get("publication_date") or "").partition("/")[0]
    if date:
        _add(dataset, "dct:issued", date, datatype=date_type(date))
    if record.get("updated"):
        _add(dataset, "dct:modified", record["updated"], datatype=XSD + "dateTime")
    for creator in md.get("creators") or []:
        _agent(dataset, "dct:creator", creator)
    for contributor in md.get("contributors") or []:
        _agent(dataset, "dct:contributor", contributor)
    if md.get("publisher"):
        _add(_add(_add(dataset, "dct:publisher"), "foaf:Agent"), "foaf:name", md["publisher"])
    for subject in md.get("subjects") or []:
        if subject.get("subject"):
            _add(dataset, "dcat:keyword", subject["subject"])
        if str(subject.get("id") or "").startswith(("http://", "https://")):
            _add(dataset, "dct:subject", resource=subject["id"])
    for lang in md.get("languages") or []:
        if lang.get("id"):
            _add(dataset, "dct:language", resource=LANG_AUTHORITY + str(lang["id"]).upper())
    schema_type = prop("resourcetypes", (md.get("resource_type") or {}).get("id"), "schema.org")
    if schema_type:
        _add(dataset, "dct:type", resource=schema_type)
    status = (record.get("access") or {}).get("status")
    if status in ACCESS:
        _add(dataset, "dct:accessRights", resource=ACCESS_AUTHORITY + ACCESS[status])
    for licence_iri, title in _licences(md):
        if licence_iri:
            _add(dataset, "dct:rights", resource=licence_iri)
        else:
            _add(_add(_add(dataset, "dct:rights"), "dct:RightsStatement"), "skos:prefLabel", title)
    if md.get("version"):
        _add(dataset, "owl:versionInfo", md["version"])
    if links.get("self_html"):
        _add(dataset, "dcat:landingPage", resource=links["self_html"])
    for ident in md.get("identifiers") or []:
        node = _add(_add(dataset, "adms:identifier"), "adms:Identifier")
        _add(node, "skos:notation", ident.get("identifier"))
        if ident.get("scheme"):
            _add(node, "adms:schemeAgency", ident["scheme"])
    for rel in md.get("related_identifiers") or []:
        relation = RELATIONS.get(str((rel.get("relation_type") or {}).get("id")), "relation")
        _add(
            dataset,
            f"dct:{relation}",
            resource=identifier_url(str(rel.get("scheme") or ""), str(rel["identifier"])),
        )
    for entry in md.get("dates") or []:
        if (entry.get("type") or {}).get("id") == "collected":
            start, _, end = str(entry.get("date") or "").partition("/")
            period = _add(_add(dataset, "dct:temporal"), "dct:PeriodOfTime")
            for name, value in (("dcat:startDate", start), ("dcat:endDate", end or start)):
                if value and value != "..":
                    _add(period, name, value, datatype=date_type(value))
    for feature in (md.get("locations") or {}).get("features") or []:
        location = _add(_add(dataset, "dct:spatial"), "dct:Location")
        wkt = _wkt(feature.get("geometry") or {})
        if wkt:
            _add(
                location,
                "locn:geometry",
                wkt,
                datatype="http://www.opengis.net/ont/geosparql#wktLiteral",
            )
        if feature.get("place"):
            _add(location, "skos:prefLabel", feature["place"])
    _distributions(dataset, record, md)
    return dataset


def _rdf(datasets: list[etree._Element], pretty: bool) -> bytes:
    root = etree.Element(_q("rdf:RDF"), nsmap=NS)
    root.extend(datasets)
    etree.cleanup_namespaces(root, top_nsmap=NS)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)


def _pretty(params: Params) -> bool:
    return params.get("prettyprint", "").lower() in ("1", "true")


def dcat_item(record: dict[str, Any], params: Params) -> bytes:
    return _rdf([dataset_element(record)], _pretty(params))


def dcat_listing(envelope: dict[str, Any], params: Params) -> bytes:
    """Search results: one ``rdf:RDF`` with a ``dcat:Dataset`` per hit."""
    return _rdf([dataset_element(hit) for hit in envelope["hits"]["hits"]], _pretty(params))
