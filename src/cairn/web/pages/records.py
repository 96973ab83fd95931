"""Record landing pages, file downloads, exports and the DOI resolver.

The landing page is rendered from the services (no API call on first view): the record
(or, with ``?preview=1``, its draft for those who may read it) and its published versions.
File links go through ``/records/{id}/files/{key}``, which checks the file and redirects
to the API's content URL, so downloads are streamed by the same code as the API's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cairn.core.errors import Gone, NotFound
from cairn.core.identity import Identity
from cairn.formats.jsonld import to_jsonld
from cairn.formats.ui import format_edtf
from cairn.http.context import Services
from cairn.records.results import Item
from cairn.web.pages import signposting
from cairn.web.pages.common import call, render, svc
from cairn.web.pages.record_citation import plain_citation
from cairn.web.pages.record_files import files_view
from cairn.web.pages.record_view import (
    access,
    additional_titles,
    descriptions,
    details,
    doi,
    people,
    title_of,
)

router = APIRouter(include_in_schema=False)

TRUE = ("1", "true", "yes")
VERSIONS_SHOWN = 5  # each version is loaded with its files: keep the list short
# InvenioRDM's export names, shown when the format registry has them
EXPORTS = (
    ("json", "JSON"),
    ("ui-json", "JSON (with display values)"),
    ("json-ld", "JSON-LD (schema.org)"),
    ("csl", "CSL JSON"),
    ("datacite-json", "DataCite JSON"),
    ("datacite-xml", "DataCite XML"),
    ("dublincore", "Dublin Core XML"),
    ("marcxml", "MARCXML"),
    ("bibtex", "BibTeX"),
    ("geojson", "GeoJSON"),
    ("dcat-ap", "DCAT-AP"),
    ("codemeta", "CodeMeta"),
    ("cff", "Citation File Format"),
    ("datapackage", "Data Package"),
    ("citation", "Citation (APA, plain text)"),
    ("csv", "CSV"),
    ("csv-simple", "CSV (main fields)"),
)


def _path(record_id: str) -> str:
    return f"/records/{quote(record_id, safe='')}"


def _found(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=302)


# -- the landing page ------------------------------------------------------------------
@dataclass(frozen=True)
class Versions:
    """The newest published versions of a record (a few), and how many there are."""

    items: list[Item]
    total: int


def _load(services: Services, identity: Identity, record_id: str) -> tuple[Item, Versions]:
    """The record and its newest published versions."""
    item = services.records.read(identity, record_id)
    state = item.data.get("versions") or {}
    if item.id != record_id or (state.get("index") == 1 and state.get("is_latest")):
        # a redirect, or a first version that is also the latest: the only one
        return item, Versions([item], 1)
    args = [("size", str(VERSIONS_SHOWN))]
    found = services.search.search_versions(identity, item.id, args)
    return item, Versions(found.items, found.total)


def _versions(item: Item, found: Versions | None) -> list[dict[str, Any]]:
    shown = []
    for version in found.items if found else []:
        data = version.data
        metadata = data.get("metadata") or {}
        index = (data.get("versions") or {}).get("index", 1)
        shown.append(
            {
                "id": version.id,
                "url": _path(version.id),
                "label": metadata.get("version") or f"Version {index}",
                "date": format_edtf(metadata.get("publication_date")) or "",
                "current": version.id == item.id,
            }
        )
    return shown


def landing_context(
    services: Services, item: Item, found: Versions | None, preview: bool
) -> dict[str, Any]:
    """Everything the landing template shows of ``item``."""
    data = item.data
    metadata = data.get("metadata") or {}
    url = services.links.url("record_html", id=item.id)
    versions = data.get("versions") or {}
    return {
        "record": data,
        "record_id": item.id,
        "preview": preview,
        "title": str(metadata.get("title") or "Untitled record"),
        "resource_type": title_of(metadata["resource_type"])
        if metadata.get("resource_type")
        else "",
        "publication_date": format_edtf(metadata.get("publication_date")) or "",
        "version": metadata.get("version") or "",
        "creators": people(metadata.get("creators")),
        "contributors": people(metadata.get("contributors")),
        "additional_titles": additional_titles(metadata),
        # sanitised by the records schema (nh3) when the draft was saved
        "description": Markup(metadata.get("description") or ""),
        "descriptions": descriptions(metadata),
        "details": details(metadata),
        "access": access(data),
        "doi": doi(data.get("pids")),
        # only there for owners and admins (the records service adds it for them)
        "doi_state": ((data.get("pids") or {}).get("doi") or {}).get("status")
        and {key: data["pids"]["doi"].get(key) for key in ("status", "error", "will_retry")},
        "parent_doi": doi((data.get("parent") or {}).get("pids")),
        "files": files_view(data, preview=preview),
        "versions": _versions(item, found),
        "versions_total": found.total if found else 0,
        "is_latest": bool(versions.get("is_latest")) or preview,
        "parent_id": (data.get("parent") or {}).get("id", ""),
        "owner": str(
            (((data.get("parent") or {}).get("access") or {}).get("owned_by") or {}).get("user")
            or ""
        ),
        "citation": plain_citation(metadata, data.get("pids") or {}, url),
        "canonical": url,
        # schema.org JSON-LD embedded in the page (the template escapes it with tojson)
        "jsonld": to_jsonld({**data, "links": services.links.item(data, preview)}),
        "exports": [
            (name, label, f"{_path(item.id)}/export/{name}")
            for name, label in EXPORTS
            if services.formats.by_name(name) is not None
        ],
    }


def _tombstone_context(services: Services, record_id: str, exc: Gone) -> dict[str, Any]:
    tombstone = exc.tombstone or {}
    reason = tombstone.get("removal_reason") or {}
    reason_id = reason.get("id") if isinstance(reason, dict) else None
    found = services.vocabularies.peek("removalreasons", reason_id) if reason_id else None
    return {
        "record_id": record_id,
        "reason": title_of(found) if found else str(reason_id or ""),
        "note": str(tombstone.get("note") or ""),
        "citation_text": str(tombstone.get("citation_text") or ""),
        "removal_date": str(tombstone.get("removal_date") or ""),
    }


async def _preview(request: Request, record_id: str) -> Response | None:
    """The draft as it would be published, for those who may read it (None: no draft)."""
    services = svc(request)
    try:
        item = await call(request, services.records.read_draft, record_id)
    except NotFound:
        return None
    context = landing_context(services, item, None, preview=True)
    return render(request, "record.html", context)


@router.get("/records/{id}", name="web.record")
async def landing(request: Request, id: str, preview: str = "") -> Response:
    if preview.lower() in TRUE:
        shown = await _preview(request, id)
        if shown is not None:
            return shown
    services = svc(request)
    try:
        item, found = await call(request, partial(_load, services), id)
    except Gone as exc:
        context = _tombstone_context(services, id, exc)
        return render(request, "tombstone.html", context, 410)
    if item.id != id:
        return _found(_path(item.id))
    linkset = signposting.linkset_response(request, services, item)
    if linkset is not None:
        return linkset
    page = render(request, "record.html", landing_context(services, item, found, False))
    return signposting.add_links(page, services, item)


@router.get("/records/{id}/latest", name="web.record_latest")
async def latest(request: Request, id: str) -> Response:
    target = await call(request, svc(request).records.latest_id, id)
    return _found(_path(target))


# -- files and exports -----------------------------------------------------------------
@router.get("/records/{id}/files/{key:path}", name="web.record_file")
async def record_file(request: Request, id: str, key: str) -> Response:
    """A file of the record (of its draft with ``preview=1``): after checking it exists
    and may be read, a redirect to the API's content URL (``download=1``: attachment)."""
    query = request.query_params
    draft = query.get("preview", "").lower() in TRUE
    await call(request, svc(request).files.read_file, id, key, draft=draft)
    url = f"/api{_path(id)}/{'draft/' if draft else ''}files/{quote(key, safe='/')}/content"
    if query.get("download", "").lower() in TRUE:
        url += "?download=1"
    return _found(url)


@router.get("/records/{id}/export/{fmt}", name="web.record_export")
async def export(request: Request, id: str, fmt: str) -> Response:
    """The record in one of the format registry's formats, as a file to save."""
    services = svc(request)
    chosen = services.formats.by_name(fmt)
    if chosen is None:
        raise NotFound(f"There is no export format called {fmt!r}.")
    item = await call(request, services.records.read, id)
    body = {**item.data, "links": services.links.item(item.data, item.is_draft)}
    disposition = f'attachment; filename="{item.id}.{chosen.extension}"'
    params = {**request.query_params, "prettyprint": "1"}
    return Response(
        chosen.serialize(body, params=params),
        media_type=chosen.content_type,
        headers={"Content-Disposition": disposition},
    )


# -- persistent identifiers ------------------------------------------------------------
def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@router.get("/doi/{doi:path}", name="web.doi")
async def resolve_doi(request: Request, doi: str) -> Response:
    """The landing page of the record with this DOI (a concept DOI: its latest version).

    Found with the records search, as ``GET /api/records?q=pids.doi.identifier:...``."""
    wanted = doi.strip()
    if not wanted.startswith("10.") or "/" not in wanted or len(wanted) > 1000:
        raise NotFound(f"{wanted!r} is not a DOI.")
    q = f"pids.doi.identifier:{_quoted(wanted)} OR parent.pids.doi.identifier:{_quoted(wanted)}"
    args = [("q", q), ("allversions", "true"), ("size", "25"), ("sort", "newest")]
    found = await call(request, svc(request).search.search, args, facets=())
    lowered = wanted.lower()
    for item in found.items:
        own = ((item.data.get("pids") or {}).get("doi") or {}).get("identifier", "")
        if str(own).lower() == lowered:
            return _found(_path(item.id))
    if found.items:
        return _found(_path(found.items[0].id) + "/latest")
    raise NotFound(f"No published record has the DOI {wanted}.")
