"""``/sitemap.xml`` (a sitemap index), ``/sitemap-{n}.xml`` and ``/robots.txt``.

The sitemaps list the landing page of every published version that anyone may read (each
version has its own page, DOI and citation; restricted, deleted and draft records are left
out), with ``<lastmod>`` from the record's ``updated`` time. Records are taken oldest first
(by creation), so a new record only ever lands on the last file and the others stay stable
for caches. A file holds ``sitemap_page_size`` pages (default 10,000; at most 50,000, about
6 MB, under the protocol's 10 MB); it is read from the search service: one offset search to
its first record, then cursor pages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from fastapi import APIRouter
from lxml import etree
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from cairn.core.errors import NotFound
from cairn.core.identity import ANONYMOUS
from cairn.http.context import Services, services

router = APIRouter(include_in_schema=False)

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML = "application/xml"
CACHE = "public, max-age=3600"
ORDER = [("allversions", "true"), ("sort", "oldest")]
# Paths robots should not crawl: searches (costly, endless), personal and admin pages, the
# API (but not file downloads, which landing pages and Signposting link to).
DISALLOWED = ("/api/", "/search", "/uploads", "/me", "/administration", "/account")
ALLOWED = ("/records/", "/api/records/*/files/")


def _chunk(page_size: int, max_size: int) -> int:
    """The largest search page size (≤ ``max_size``) that divides ``page_size``, so a
    sitemap file starts on a search page boundary."""
    for size in range(min(page_size, max_size), 1, -1):
        if page_size % size == 0:
            return size
    return 1


def count(svc: Services) -> int:
    """How many landing pages the sitemaps list."""
    return svc.search.search(ANONYMOUS, [*ORDER, ("size", "1")], facets=()).total


def entries(svc: Services, number: int, page_size: int, max_size: int) -> list[tuple[str, str]]:
    """(record id, updated) of the landing pages of sitemap file ``number`` (from 1)."""
    chunk = _chunk(page_size, max_size)
    first_page = (number - 1) * page_size // chunk + 1
    args = [*ORDER, ("size", str(chunk)), ("page", str(first_page))]
    found: list[tuple[str, str]] = []
    while len(found) < page_size:
        result = svc.search.search(ANONYMOUS, args, facets=())
        found += [(item.id, str(item.data.get("updated") or "")) for item in result.items]
        if not result.next_cursor or not result.items:
            break
        args = [*ORDER, ("size", str(chunk)), ("cursor", result.next_cursor)]
    return found[:page_size]


def _files(total: int, page_size: int) -> int:
    """How many sitemap files list ``total`` pages (one, empty, when there are none)."""
    return max(1, -(-total // page_size))


def _xml(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def index_xml(base_url: str, files: int) -> bytes:
    root = etree.Element(f"{{{NS}}}sitemapindex", nsmap={None: NS})
    for number in range(1, files + 1):
        sitemap = etree.SubElement(root, f"{{{NS}}}sitemap")
        etree.SubElement(sitemap, f"{{{NS}}}loc").text = f"{base_url}/sitemap-{number}.xml"
    return _xml(root)


def urlset_xml(svc: Services, records: Iterable[tuple[str, str]]) -> bytes:
    root = etree.Element(f"{{{NS}}}urlset", nsmap={None: NS})
    for record_id, updated in records:
        url = etree.SubElement(root, f"{{{NS}}}url")
        etree.SubElement(url, f"{{{NS}}}loc").text = svc.links.url("record_html", id=record_id)
        if updated:
            etree.SubElement(url, f"{{{NS}}}lastmod").text = updated
    return _xml(root)


def _cached(request: Request, body: bytes) -> Response:
    """``body`` as XML with an ETag; a matching ``If-None-Match`` gets 304."""
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    headers = {"Cache-Control": CACHE, "ETag": etag}
    match = request.headers.get("if-none-match", "")
    if etag in [tag.strip().removeprefix("W/") for tag in match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=XML, headers=headers)


def _settings(request: Request) -> tuple[str, int, int]:
    cfg = request.app.state.settings
    return cfg.base_url.rstrip("/"), cfg.sitemap_page_size, cfg.max_page_size


@router.get("/sitemap.xml", name="web.sitemap_index")
async def sitemap_index(request: Request) -> Response:
    """The sitemap index: one ``/sitemap-{n}.xml`` per ``sitemap_page_size`` records."""
    base_url, page_size, _ = _settings(request)
    total = await run_in_threadpool(count, services(request))
    return _cached(request, index_xml(base_url, _files(total, page_size)))


@router.get("/sitemap-{number}.xml", name="web.sitemap")
async def sitemap(request: Request, number: str) -> Response:
    """One sitemap file: landing pages with their ``lastmod``."""
    _, page_size, max_size = _settings(request)
    svc = services(request)
    if not number.isdigit() or len(number) > 9 or int(number) < 1:
        raise NotFound(f"There is no sitemap {number!r}.")
    total = await run_in_threadpool(count, svc)
    if int(number) > _files(total, page_size):
        raise NotFound(f"There is no sitemap {number}.")
    records = await run_in_threadpool(entries, svc, int(number), page_size, max_size)
    return _cached(request, urlset_xml(svc, records))


def robots_txt(base_url: str) -> str:
    lines = ["User-agent: *"]
    lines += [f"Allow: {path}" for path in ALLOWED]
    lines += [f"Disallow: {path}" for path in DISALLOWED]
    lines += ["", f"Sitemap: {base_url}/sitemap.xml", ""]
    return "\n".join(lines)


@router.get("/robots.txt", name="web.robots")
async def robots(request: Request) -> Response:
    base_url, _, _ = _settings(request)
    return PlainTextResponse(
        robots_txt(base_url), headers={"Cache-Control": "public, max-age=86400"}
    )
