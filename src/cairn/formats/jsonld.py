"""Schema.org JSON-LD (``application/ld+json``), also embedded in every landing page.

The ``@type`` follows the resource type (Dataset, SoftwareSourceCode, ScholarlyArticle ...);
``@id`` is the DOI URL when the record has a DOI, else the landing page. Files are listed
(with ``contentUrl``) only when anyone may download them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import idutils

from cairn.formats.csl import (
    DOI_RESOLVER,
    api_url,
    by_resource_type,
    doi_of,
    landing_url,
    languages,
    metadata_of,
    obj,
    objs,
    orcid_url,
    people,
    person,
    plain_text,
    ror_url,
    subjects,
    text_of,
)

CONTEXT = "http://schema.org"
# InvenioRDM resource type id (or top-level type) -> schema.org type
SCHEMA_TYPES: dict[str, str] = {
    "publication": "CreativeWork",
    "publication-annotationcollection": "Collection",
    "publication-book": "Book",
    "publication-section": "Chapter",
    "publication-conferencepaper": "ScholarlyArticle",
    "publication-conferenceproceeding": "ScholarlyArticle",
    "publication-journal": "Periodical",
    "publication-article": "ScholarlyArticle",
    "publication-peerreview": "Review",
    "publication-preprint": "ScholarlyArticle",
    "publication-report": "Report",
    "publication-technicalnote": "ScholarlyArticle",
    "publication-workingpaper": "ScholarlyArticle",
    "publication-datapaper": "ScholarlyArticle",
    "publication-dissertation": "Thesis",
    "publication-thesis": "Thesis",
    "publication-taxonomictreatment": "ScholarlyArticle",
    "poster": "Poster",
    "presentation": "PresentationDigitalDocument",
    "event": "Event",
    "dataset": "Dataset",
    "image": "ImageObject",
    "image-photo": "Photograph",
    "video": "VideoObject",
    "audio": "AudioObject",
    "software": "SoftwareSourceCode",
    "lesson": "LearningResource",
    "model": "CreativeWork",
    "workflow": "ComputationalWorkflow",
}


def _organization(org: dict[str, Any]) -> dict[str, Any] | None:
    """An Organization with its name and ROR id (None when it has neither: a bare local id)."""
    out: dict[str, Any] = {"@type": "Organization"}
    ror = ror_url(org)
    if ror:
        out["@id"] = ror
    if org.get("name"):
        out["name"] = str(org["name"])
    return out if len(out) > 1 else None


def _agent(entry: dict[str, Any]) -> dict[str, Any]:
    who = person(entry)
    personal = who.get("type") == "personal"
    out: dict[str, Any] = {"@type": "Person" if personal else "Organization"}
    out["name"] = (
        " ".join(str(p) for p in (who.get("given_name"), who.get("family_name")) if p)
        if personal and who.get("family_name")
        else str(who.get("name") or "")
    )
    if personal and who.get("given_name"):
        out["givenName"] = str(who["given_name"])
    if personal and who.get("family_name"):
        out["familyName"] = str(who["family_name"])
    ident = orcid_url(entry) if personal else ror_url(who)
    if ident:
        out["@id"] = ident
    found = (_organization(a) for a in objs(entry.get("affiliations")))
    affiliations = [org for org in found if org]
    if affiliations:
        out["affiliation"] = affiliations
    return out


def _files_public(record: dict[str, Any]) -> bool:
    access = obj(record.get("access"))
    embargo = obj(access.get("embargo"))
    return access.get("files") == "public" and not embargo.get("active")


def _downloads(record: dict[str, Any]) -> list[dict[str, Any]]:
    files = obj(record.get("files"))
    base = api_url(record)
    out = []
    for entry in obj(files.get("entries")).values():
        if not isinstance(entry, dict) or not entry.get("key"):
            continue
        if obj(entry.get("access")).get("hidden"):
            continue
        key = str(entry["key"])
        link = obj(entry.get("links")).get("content") or (
            f"{base}/files/{quote(key, safe='/')}/content" if base else ""
        )
        download: dict[str, Any] = {"@type": "DataDownload", "name": key}
        if link:
            download["contentUrl"] = link
        if entry.get("mimetype"):
            download["encodingFormat"] = str(entry["mimetype"])
        if entry.get("size") is not None:
            download["contentSize"] = str(entry["size"])
        out.append(download)
    return out


def _ring(coords: Any) -> str:
    """A GeoJSON polygon's outer ring as schema.org's ``"lat lon lat lon ..."``."""
    ring = coords[0] if isinstance(coords, list) and coords else None
    if not isinstance(ring, list):
        return ""
    points = [p for p in ring if isinstance(p, list) and len(p) >= 2]
    return " ".join(f"{p[1]} {p[0]}" for p in points) if len(points) >= 4 else ""


def _places(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    locations = obj(metadata.get("locations"))
    places = []
    for feature in objs(locations.get("features")) if isinstance(locations, dict) else []:
        if not isinstance(feature, dict):
            continue
        place: dict[str, Any] = {"@type": "Place"}
        if feature.get("place"):
            place["name"] = str(feature["place"])
        if feature.get("description"):
            place["description"] = str(feature["description"])
        geometry = obj(feature.get("geometry"))
        coords = geometry.get("coordinates")
        if geometry.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
            place["geo"] = {
                "@type": "GeoCoordinates",
                "longitude": coords[0],
                "latitude": coords[1],
            }
        elif geometry.get("type") == "Polygon" and _ring(coords):
            place["geo"] = {"@type": "GeoShape", "polygon": _ring(coords)}
        if len(place) > 1:
            places.append(place)
    return places


def _funders(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for funding in objs(metadata.get("funding")):
        funder = funding.get("funder")
        org = _organization(funder) if isinstance(funder, dict) else None
        if org:
            found.setdefault(org.get("@id") or org["name"], org)
    return list(found.values())


# related_identifiers relation -> schema.org property (the other relations have none)
RELATIONS = {
    "cites": "citation",
    "references": "citation",
    "ispartof": "isPartOf",
    "haspart": "hasPart",
    "isderivedfrom": "isBasedOn",
    "isvariantformof": "isBasedOn",
}


def _url(identifier: Any, scheme: Any) -> str:
    """An identifier as a URL (idutils knows DOI, Handle, ADS, arXiv, URL ...); '' if none."""
    if not identifier or not scheme:
        return ""
    try:
        return str(idutils.to_url(str(identifier), str(scheme), "https") or "")
    except Exception:  # idutils raises assorted errors on malformed values
        return ""


def _related(metadata: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for related in objs(metadata.get("related_identifiers")):
        prop = RELATIONS.get(str(obj(related.get("relation_type")).get("id") or ""))
        url = _url(related.get("identifier"), related.get("scheme"))
        if prop and url:
            out.setdefault(prop, []).append(url)
    return out


def _temporal(metadata: dict[str, Any]) -> list[str]:
    """The record's collection dates (EDTF dates and intervals, as ISO 8601 reads them)."""
    return [
        str(d["date"])
        for d in objs(metadata.get("dates"))
        if d.get("date") and obj(d.get("type")).get("id") == "collected"
    ]


def to_jsonld(record: dict[str, Any]) -> dict[str, Any]:
    """The record as a schema.org object (a JSON-LD document with its ``@context``)."""
    metadata = metadata_of(record)
    doi = doi_of(record)
    landing = landing_url(record)
    kind = by_resource_type(SCHEMA_TYPES, record, "CreativeWork")
    out: dict[str, Any] = {"@context": CONTEXT, "@type": kind}
    if doi or landing:
        out["@id"] = DOI_RESOLVER + doi if doi else landing
    if doi:
        out["identifier"] = DOI_RESOLVER + doi
    if landing:
        out["url"] = landing
    out["name"] = str(metadata.get("title") or "")
    description = plain_text(metadata.get("description"))
    if description:
        out["description"] = description
    creators = [_agent(e) for e in people(metadata, "creators")]
    if creators:
        out["creator"] = creators
        if kind in ("SoftwareSourceCode", "ScholarlyArticle", "Book", "Thesis"):
            out["author"] = creators
    contributors = [_agent(e) for e in people(metadata, "contributors")]
    if contributors:
        out["contributor"] = contributors
    simple = {
        # EDTF: an interval is published at its start
        "datePublished": str(metadata.get("publication_date") or "").split("/", 1)[0],
        "dateModified": str(record.get("updated") or ""),
        "version": str(metadata.get("version") or ""),
    }
    out.update({k: v for k, v in simple.items() if v})
    if metadata.get("publisher"):
        out["publisher"] = {"@type": "Organization", "name": str(metadata["publisher"])}
    keywords = subjects(metadata)
    if keywords:
        out["keywords"] = keywords
    tags = languages(metadata)
    if tags:
        out["inLanguage"] = tags if len(tags) > 1 else tags[0]
    licenses = _licenses(metadata)
    if licenses:
        out["license"] = licenses if len(licenses) > 1 else licenses[0]
    same_as = [
        _url(i.get("identifier"), i.get("scheme")) for i in objs(metadata.get("identifiers"))
    ]
    if any(same_as):
        out["sameAs"] = [url for url in same_as if url]
    out.update(_related(metadata))
    temporal = _temporal(metadata)
    if temporal:
        out["temporalCoverage"] = temporal if len(temporal) > 1 else temporal[0]
    funders = _funders(metadata)
    if funders:
        out["funder"] = funders
    places = _places(metadata)
    if places:
        out["spatialCoverage"] = places
    out["isAccessibleForFree"] = _files_public(record)
    if _files_public(record):
        downloads = _downloads(record)
        if downloads:
            out["distribution" if kind == "Dataset" else "associatedMedia"] = downloads
    return out


def _licenses(metadata: dict[str, Any]) -> list[Any]:
    """Licence URLs; a licence without one as a named CreativeWork."""
    out: list[Any] = []
    for right in objs(metadata.get("rights")):
        if not isinstance(right, dict):
            continue
        url = right.get("link") or obj(right.get("props")).get("url")
        if url:
            out.append(str(url))
        elif text_of(right):
            out.append({"@type": "CreativeWork", "name": text_of(right)})
    return out


def jsonld_listing(envelope: dict[str, Any]) -> dict[str, Any]:
    """A page of search results as one JSON-LD document (``@graph`` of records)."""
    graph = []
    for hit in envelope["hits"]["hits"]:
        node = to_jsonld(hit)
        node.pop("@context", None)
        graph.append(node)
    return {"@context": CONTEXT, "@graph": graph}
