"""CSL-JSON (``application/vnd.citationstyles.csl+json``) and the record accessors the
text formats share.

A record (the API's JSON, ``links`` included) becomes one CSL-JSON item: the input of
citation processors (citeproc-py here, citeproc-js and pandoc elsewhere). Search results
become a JSON array of items, the form reference managers import.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pycountry
from lxml import etree, html

# InvenioRDM resource type id (or its top-level type) -> CSL item type
CSL_TYPES: dict[str, str] = {
    "publication": "report",
    "publication-annotationcollection": "report",
    "publication-book": "book",
    "publication-section": "chapter",
    "publication-conferencepaper": "paper-conference",
    "publication-conferenceproceeding": "paper-conference",
    "publication-datamanagementplan": "report",
    "publication-journal": "periodical",
    "publication-article": "article-journal",
    "publication-patent": "patent",
    "publication-peerreview": "review",
    "publication-preprint": "article",
    "publication-deliverable": "report",
    "publication-milestone": "report",
    "publication-proposal": "report",
    "publication-report": "report",
    "publication-softwaredocumentation": "document",
    "publication-technicalnote": "report",
    "publication-workingpaper": "report",
    "publication-datapaper": "article-journal",
    "publication-dissertation": "thesis",
    "publication-thesis": "thesis",
    "publication-standard": "standard",
    "poster": "graphic",
    "presentation": "speech",
    "event": "event",
    "dataset": "dataset",
    "image": "figure",
    "image-photo": "graphic",
    "image-drawing": "graphic",
    "model": "figure",
    "video": "motion_picture",
    "audio": "song",
    "software": "software",
    "lesson": "speech",
    "physicalobject": "graphic",
    "workflow": "software",
}
DOI_RESOLVER = "https://doi.org/"
ORCID_RESOLVER = "https://orcid.org/"
ROR_RESOLVER = "https://ror.org/"
_ROR_ID = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")
_SPACES = re.compile(r"\s+")


# -- accessors shared by the text formats ------------------------------------------------
def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else ``{}`` (records may be sparse or odd)."""
    return value if isinstance(value, dict) else {}


def objs(value: Any) -> list[dict[str, Any]]:
    """The JSON objects in ``value`` if it is a list, else ``[]``."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def scalars(value: Any) -> list[str]:
    """The strings and numbers in ``value`` if it is a list, as text."""
    items = value if isinstance(value, list) else []
    return [str(v) for v in items if isinstance(v, str | int | float) and str(v)]


def metadata_of(record: dict[str, Any]) -> dict[str, Any]:
    value = record.get("metadata")
    return value if isinstance(value, dict) else {}


def text_of(value: Any, lang: str = "en") -> str:
    """A vocabulary entry's (or a multilingual string's) display text, else its id."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    title = value.get("title", value)
    if isinstance(title, dict):
        found = title.get(lang) or next((v for v in title.values() if isinstance(v, str)), "")
        if found:
            return str(found)
    elif isinstance(title, str) and title:
        return title
    return str(value.get("id") or "")


def resource_type_id(record: dict[str, Any]) -> str:
    rtype = metadata_of(record).get("resource_type")
    return str(rtype.get("id") or "") if isinstance(rtype, dict) else ""


def by_resource_type(table: dict[str, str], record: dict[str, Any], default: str) -> str:
    """``table``'s value for the record's resource type, else for its top-level type."""
    rid = resource_type_id(record)
    return table.get(rid) or table.get(rid.split("-", 1)[0]) or default


def doi_of(record: dict[str, Any]) -> str:
    pids = record.get("pids")
    doi = pids.get("doi") if isinstance(pids, dict) else None
    return str(doi.get("identifier") or "") if isinstance(doi, dict) else ""


def landing_url(record: dict[str, Any]) -> str:
    links = record.get("links")
    return str(links.get("self_html") or "") if isinstance(links, dict) else ""


def api_url(record: dict[str, Any]) -> str:
    links = record.get("links")
    return str(links.get("self") or "") if isinstance(links, dict) else ""


def date_parts(edtf: str | None) -> list[int]:
    """``[year, month?, day?]`` of an EDTF date (the start of an interval); [] if none."""
    if not edtf:
        return []
    start = str(edtf).split("/", 1)[0]
    parts: list[int] = []
    limits = (9999, 12, 31)  # EDTF seasons (months 21-24) and the like end the date
    for piece, limit in zip(start.split("-")[:3], limits, strict=False):
        if not piece.isdigit() or not 0 < int(piece) <= limit:
            break
        parts.append(int(piece))
    return parts


def year_of(record: dict[str, Any]) -> str:
    parts = date_parts(metadata_of(record).get("publication_date"))
    return str(parts[0]) if parts else ""


def plain_text(fragment: Any) -> str:
    """The text of an HTML fragment (descriptions are sanitised HTML), spaces collapsed."""
    if not isinstance(fragment, str) or not fragment.strip():
        return ""
    try:
        text = html.fragment_fromstring(fragment, create_parent="div").text_content()
    except (etree.ParserError, ValueError):
        text = fragment
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=512)
def bcp47(code: str) -> str:
    """An ISO 639-3 language id as a BCP 47 tag: its two-letter code when it has one."""
    found = pycountry.languages.get(alpha_3=code) if len(code) == 3 else None
    return str(getattr(found, "alpha_2", "") or code)


def languages(metadata: dict[str, Any]) -> list[str]:
    """The record's languages as BCP 47 tags (``eng`` -> ``en``, ``gsw`` stays)."""
    return [
        bcp47(str(x["id"]))
        for x in objs(metadata.get("languages"))
        if isinstance(x, dict) and x.get("id")
    ]


def person(entry: Any) -> dict[str, Any]:
    return obj(entry.get("person_or_org")) if isinstance(entry, dict) else {}


def people(metadata: dict[str, Any], field: str) -> list[dict[str, Any]]:
    """Creator/contributor entries that have a person or organisation."""
    entries = metadata.get(field)
    return [e for e in objs(entries) if person(e)]


def display_name(entry: dict[str, Any]) -> str:
    who = person(entry)
    family, given = who.get("family_name"), who.get("given_name")
    if family:
        return f"{family}, {given}" if given else str(family)
    return str(who.get("name") or "")


def identifier(who: dict[str, Any], scheme: str) -> str:
    for ident in objs(who.get("identifiers")):
        if isinstance(ident, dict) and ident.get("scheme") == scheme and ident.get("identifier"):
            return str(ident["identifier"])
    return ""


def orcid_url(entry: dict[str, Any]) -> str:
    found = identifier(person(entry), "orcid")
    return ORCID_RESOLVER + found if found else ""


def ror_url(org: dict[str, Any]) -> str:
    """ROR URL of an affiliation or funder (its ``id`` or a ``ror`` identifier), else ''."""
    found = identifier(org, "ror")
    if not found and _ROR_ID.match(str(org.get("id") or "")):
        found = str(org["id"])
    if found.startswith(ROR_RESOLVER):
        return found
    return ROR_RESOLVER + found if found else ""


def subjects(metadata: dict[str, Any]) -> list[str]:
    out = []
    for subject in objs(metadata.get("subjects")):
        if isinstance(subject, dict):
            text = subject.get("subject") or subject.get("id")
            if text:
                out.append(str(text))
    return out


def license_urls(metadata: dict[str, Any]) -> list[str]:
    urls = []
    for right in objs(metadata.get("rights")):
        if not isinstance(right, dict):
            continue
        url = right.get("link") or obj(right.get("props")).get("url")
        if url:
            urls.append(str(url))
    return urls


def first_identifier(metadata: dict[str, Any], scheme: str) -> str:
    for ident in objs(metadata.get("identifiers")):
        if isinstance(ident, dict) and ident.get("scheme") == scheme and ident.get("identifier"):
            return str(ident["identifier"])
    return ""


def journal(record: dict[str, Any]) -> dict[str, str]:
    """The ``journal:journal`` custom field (title, volume, issue, pages, issn), if any."""
    fields = record.get("custom_fields")
    found = fields.get("journal:journal") if isinstance(fields, dict) else None
    if not isinstance(found, dict):
        return {}
    return {k: str(v) for k, v in found.items() if isinstance(v, str | int) and str(v)}


# -- CSL-JSON --------------------------------------------------------------------------
def _csl_name(entry: dict[str, Any]) -> dict[str, str]:
    who = person(entry)
    if who.get("type") == "personal" and who.get("family_name"):
        name = {"family": str(who["family_name"])}
        if who.get("given_name"):
            name["given"] = str(who["given_name"])
        return name
    return {"literal": str(who.get("name") or who.get("family_name") or "")}


def to_csl(record: dict[str, Any]) -> dict[str, Any]:
    """One record as a CSL-JSON item (variables as in the CSL 1.0.2 specification)."""
    metadata = metadata_of(record)
    item: dict[str, Any] = {
        "id": str(record.get("id") or ""),
        "type": by_resource_type(CSL_TYPES, record, "article"),
        "title": str(metadata.get("title") or ""),
    }
    authors = [_csl_name(e) for e in people(metadata, "creators")]
    if authors:
        item["author"] = authors
    editors = [
        _csl_name(e)
        for e in people(metadata, "contributors")
        if obj(e.get("role")).get("id") == "editor"
    ]
    if editors:
        item["editor"] = editors
    parts = date_parts(metadata.get("publication_date"))
    if parts:
        item["issued"] = {"date-parts": [parts]}
    optional = {
        "abstract": plain_text(metadata.get("description")),
        "DOI": doi_of(record),
        "URL": landing_url(record),
        "publisher": str(metadata.get("publisher") or ""),
        "version": str(metadata.get("version") or ""),
        "language": next(iter(languages(metadata)), ""),
        "keyword": ", ".join(subjects(metadata)),
        "ISBN": first_identifier(metadata, "isbn"),
        "ISSN": first_identifier(metadata, "issn"),
    }
    item.update({k: v for k, v in optional.items() if v})
    venue = journal(record)
    for source, target in (
        ("title", "container-title"),
        ("volume", "volume"),
        ("issue", "issue"),
        ("pages", "page"),
        ("issn", "ISSN"),
    ):
        if venue.get(source):
            item[target] = venue[source]
    return item


def csl_listing(envelope: dict[str, Any]) -> list[dict[str, Any]]:
    return [to_csl(hit) for hit in envelope["hits"]["hits"]]
