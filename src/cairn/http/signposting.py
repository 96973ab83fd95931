"""FAIR Signposting level 1: the ``Link`` headers of landing pages and file downloads.

Header lists are kept short, as signposting.org advises: at most :data:`MAX_ITEMS` files and
:data:`MAX_AUTHORS` authors; the linkset (linked from every header) carries them all.
"""

from __future__ import annotations

from typing import Any

from cairn.formats.linkset import file_links, landing_links, link_value
from cairn.formats.signposting_catalog import LINKSET_JSON, LINKSET_TEXT, described_by
from cairn.http.context import Services
from cairn.records.results import Item

MAX_ITEMS = 50
MAX_AUTHORS = 50
LINKSET_MEDIA = (LINKSET_JSON, LINKSET_TEXT)


def _record(svc: Services, item: Item) -> dict[str, Any]:
    return {**item.data, "links": svc.links.item(item.data, item.is_draft)}


def landing_header(svc: Services, item: Item) -> str:
    """The ``Link`` header of a published record's landing page."""
    links = landing_links(
        _record(svc, item),
        described_by(svc.formats),
        max_items=MAX_ITEMS,
        max_authors=MAX_AUTHORS,
    )
    return ", ".join(link_value(link) for link in links)


def file_header(svc: Services, record_id: str) -> str:
    """The ``Link`` header of a published record's file download."""
    links = {
        "self": svc.links.url("records.read", id=record_id),
        "self_html": svc.links.url("record_html", id=record_id),
    }
    return ", ".join(link_value(link) for link in file_links({"links": links}))


def wants_linkset(accept: str | None) -> str | None:
    """The linkset media type an ``Accept`` header prefers to HTML, if any.

    A browser's ``text/html,…,*/*;q=0.8`` keeps the page; ``application/linkset+json`` (or
    ``application/linkset``) ranked above ``text/html`` and any wildcard gets the linkset.
    """
    if not accept:
        return None
    best: tuple[float, str] | None = None
    html = 0.0
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media in LINKSET_MEDIA and quality > 0 and (best is None or quality > best[0]):
            best = (quality, media)
        elif media in ("text/html", "application/xhtml+xml", "text/*", "*/*"):
            html = max(html, quality)
    if best is None or best[0] <= html:
        return None
    return best[1]
