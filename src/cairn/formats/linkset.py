"""FAIR Signposting for one record: typed links, as a linkset (RFC 9264) or a ``Link`` header.

A published record (the API's JSON, ``links`` included) yields the links of
https://signposting.org/FAIR/: on its landing page ``cite-as`` (the DOI URL, else the landing
page), ``describedby`` (each metadata format, with its media type), ``item`` (each public file's
content URL and type), ``author`` (ORCID/ROR URLs), ``license``, ``type`` (schema.org) and
``linkset``; a file's ``collection`` and a metadata document's ``describes`` point back to the
landing page. Level 1 puts the landing page's links in a header (items and authors cut at a
limit); level 2 is the full linkset, in JSON (``application/linkset+json``) or text
(``application/linkset``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from cairn.formats.csl import by_resource_type
from cairn.formats.jsonld import SCHEMA_TYPES

LINKSET_JSON = "application/linkset+json"
LINKSET_TEXT = "application/linkset"
LINKSET_EXPORTS = (("linkset-json", LINKSET_JSON), ("linkset", LINKSET_TEXT))
ABOUT_PAGE = "https://schema.org/AboutPage"
SCHEMA_ORG = "https://schema.org/"
PERSON_SCHEMES = {"orcid": "https://orcid.org/", "ror": "https://ror.org/"}


@dataclass(frozen=True)
class Link:
    """One typed link; ``anchor`` is its context when that is not the resource served."""

    href: str
    rel: str
    type: str | None = None
    anchor: str | None = None


@dataclass(frozen=True)
class Described:
    """A metadata format describing records: its export name and media type."""

    name: str
    media_type: str


def landing_url(record: dict[str, Any]) -> str:
    return str(record["links"]["self_html"])


def file_url(record: dict[str, Any], key: str) -> str:
    """The API content URL of a record's file."""
    return f"{record['links']['self']}/files/{quote(key, safe='/')}/content"


def export_url(record: dict[str, Any], name: str) -> str:
    return f"{landing_url(record)}/export/{quote(name, safe='')}"


def described_url(record: dict[str, Any], described: Described) -> str:
    """The export URL: served with that type without negotiation, under ``/records/``
    (which robots.txt leaves open, unlike ``/api/``)."""
    return export_url(record, described.name)


def cite_as(record: dict[str, Any]) -> str:
    doi = ((record.get("pids") or {}).get("doi") or {}).get("identifier")
    if isinstance(doi, str) and doi.strip():
        return "https://doi.org/" + quote(doi.strip(), safe="/:;()._-")
    return landing_url(record)


def authors(record: dict[str, Any]) -> Iterator[str]:
    """ORCID (people) and ROR (organisations) URLs of the creators, without repeats."""
    seen: set[str] = set()
    for creator in (record.get("metadata") or {}).get("creators") or []:
        person = (creator or {}).get("person_or_org") or {}
        for ident in person.get("identifiers") or []:
            prefix = PERSON_SCHEMES.get(str((ident or {}).get("scheme", "")).lower())
            value = str((ident or {}).get("identifier") or "").strip()
            if prefix is None or not value:
                continue
            url = value if value.startswith("http") else prefix + quote(value, safe="")
            if url not in seen:
                seen.add(url)
                yield url


def licenses(record: dict[str, Any]) -> Iterator[str]:
    seen: set[str] = set()
    for right in (record.get("metadata") or {}).get("rights") or []:
        url = (right or {}).get("link") or ((right or {}).get("props") or {}).get("url")
        if isinstance(url, str) and url.startswith("http") and url not in seen:
            seen.add(url)
            yield url


def types(record: dict[str, Any]) -> list[str]:
    """The schema.org type (the JSON-LD export's ``@type``) and AboutPage (what a landing
    page is)."""
    return [SCHEMA_ORG + by_resource_type(SCHEMA_TYPES, record, "CreativeWork"), ABOUT_PAGE]


def files(record: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(content URL, media type) of each file anyone may download, in the record's order."""
    access = record.get("access") or {}
    if access.get("files") != "public" or (access.get("embargo") or {}).get("active"):
        return
    box = record.get("files") or {}
    entries: dict[str, Any] = box.get("entries") or {}
    if not box.get("enabled") or not isinstance(entries, dict):
        return
    order = [k for k in box.get("order") or [] if k in entries]
    listed = set(order)
    for key in order + sorted(k for k in entries if k not in listed):
        entry = entries[key] or {}
        if (entry.get("access") or {}).get("hidden"):
            continue
        yield file_url(record, key), str(entry.get("mimetype") or "application/octet-stream")


def landing_links(
    record: dict[str, Any],
    described: Sequence[Described],
    *,
    max_items: int | None = None,
    max_authors: int | None = None,
) -> list[Link]:
    """The landing page's own links (no anchor); ``max_*`` cut long lists (level 1)."""
    links = [Link(cite_as(record), "cite-as")]
    links += [Link(described_url(record, d), "describedby", d.media_type) for d in described]
    for n, (href, media) in enumerate(files(record)):
        if max_items is not None and n >= max_items:
            break
        links.append(Link(href, "item", media))
    for n, href in enumerate(authors(record)):
        if max_authors is not None and n >= max_authors:
            break
        links.append(Link(href, "author"))
    links += [Link(href, "license") for href in licenses(record)]
    links += [Link(href, "type") for href in types(record)]
    links += [Link(export_url(record, name), "linkset", media) for name, media in LINKSET_EXPORTS]
    return links


def file_links(record: dict[str, Any]) -> list[Link]:
    """Links of a file download (no anchor): the landing page it belongs to, the linkset."""
    links = [Link(landing_url(record), "collection", "text/html")]
    links += [Link(export_url(record, name), "linkset", media) for name, media in LINKSET_EXPORTS]
    return links


def linkset(record: dict[str, Any], described: Sequence[Described]) -> list[Link]:
    """Every link of the record (level 2), each with its context as ``anchor``."""
    landing = landing_url(record)
    out = [
        Link(link.href, link.rel, link.type, landing)
        for link in landing_links(record, described)
        if link.rel != "linkset"
    ]
    for href, _media in files(record):
        out.append(Link(landing, "collection", "text/html", href))
    for d in described:
        out.append(Link(landing, "describes", "text/html", described_url(record, d)))
    return out


# -- serialisations ----------------------------------------------------------------------
def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _target(href: str) -> str:
    return "<" + href.replace(">", "%3E").replace("<", "%3C") + ">"


def link_value(link: Link) -> str:
    """One link in RFC 8288 syntax: ``<href>; rel="…"; type="…"`` (and ``anchor``)."""
    parts = [_target(link.href)]
    if link.anchor is not None:
        parts.append(f"anchor={_quoted(link.anchor)}")
    parts.append(f"rel={_quoted(link.rel)}")
    if link.type:
        parts.append(f"type={_quoted(link.type)}")
    return "; ".join(parts)


def to_text(links: Sequence[Link]) -> str:
    """``application/linkset``: one link per line, separated by commas (RFC 9264 4.1)."""
    return ",\n".join(link_value(link) for link in links) + "\n"


def to_json(links: Sequence[Link]) -> dict[str, Any]:
    """``application/linkset+json``: one context object per anchor, targets by relation."""
    contexts: dict[str | None, dict[str, Any]] = {}
    for link in links:
        context = contexts.setdefault(
            link.anchor, {"anchor": link.anchor} if link.anchor is not None else {}
        )
        target = {"href": link.href, **({"type": link.type} if link.type else {})}
        context.setdefault(link.rel, []).append(target)
    return {"linkset": list(contexts.values())}
