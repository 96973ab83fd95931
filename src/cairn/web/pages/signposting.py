"""Signposting on the landing page: the level-1 ``Link`` header, and the level-2 linkset
served at the page's own URL to clients that ask for it with ``Accept``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from cairn.http.context import Services
from cairn.http.signposting import landing_header, wants_linkset
from cairn.records.results import Item


def linkset_response(request: Request, svc: Services, item: Item) -> Response | None:
    """The record's linkset when the ``Accept`` header prefers one to HTML, else None."""
    media = wants_linkset(request.headers.get("accept"))
    fmt = svc.formats.negotiate(media) if media else None
    if fmt is None or fmt.media_type != media:
        return None
    body = {**item.data, "links": svc.links.item(item.data, item.is_draft)}
    response = Response(fmt.serialize(body), media_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


def add_links(response: Response, svc: Services, item: Item) -> Response:
    """Add the level-1 ``Link`` header (and ``Vary: Accept``) to a landing page."""
    response.headers["Link"] = landing_header(svc, item)
    vary = response.headers.get("Vary")
    response.headers["Vary"] = f"{vary}, Accept" if vary else "Accept"
    return response
