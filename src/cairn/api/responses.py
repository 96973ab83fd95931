"""Serialising items and result lists with the negotiated format."""

from __future__ import annotations

from fastapi import Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from cairn.formats import Format
from cairn.http.context import Services, services
from cairn.http.signposting import landing_header
from cairn.records.results import Item, ItemList


def negotiated(request: Request, *, listing: bool = False) -> Format:
    fmt = services(request).formats.negotiate(request.headers.get("accept"), listing=listing)
    if fmt is None:
        raise HTTPException(406, "Not acceptable: no serializer for the requested media type.")
    return fmt


def _params(request: Request) -> dict[str, str]:
    """The query arguments formats may read (``prettyprint``, a citation's ``style`` …)."""
    return dict(request.query_params)


def item_body(svc: Services, item: Item) -> dict[str, object]:
    body = dict(item.data)
    body["links"] = svc.links.item(item.data, item.is_draft)
    if item.errors:
        body["errors"] = [e.to_dict() for e in item.errors]
    return body


def item_response(request: Request, item: Item, status: int = 200) -> Response:
    fmt = negotiated(request)
    svc = services(request)
    body = item_body(svc, item)
    headers = {"ETag": f'"{item.revision_id}"'}
    if not item.is_draft and body.get("is_published", True):
        headers["Link"] = landing_header(svc, item)  # FAIR Signposting, as on the landing page
    return Response(
        fmt.serialize(body, params=_params(request)),
        status_code=status,
        media_type=fmt.content_type,
        headers=headers,
    )


def list_response(request: Request, result: ItemList, route: str, **route_params: str) -> Response:
    fmt = negotiated(request, listing=True)
    svc = services(request)
    envelope = {
        "hits": {"hits": [item_body(svc, i) for i in result.items], "total": result.total},
        "aggregations": result.aggregations,
        "sortBy": result.params.sort,
        "links": svc.links.search(
            route,
            result.params.link_args(),
            result.params.page,
            result.has_next,
            result.next_cursor,
            result.params.cursor,
            **route_params,
        ),
    }
    if result.params.cursor is None:
        envelope["page"] = result.params.page
    return Response(
        fmt.serialize_list(envelope, params=_params(request)), media_type=fmt.content_type
    )


def parse_if_match(request: Request) -> int | None:
    """``If-Match: "3"`` or ``If-Match: 3`` -> 3; anything else -> 412 via a mismatch."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    try:
        return int(value)
    except ValueError:
        return -1
