"""/api/vocabularies/{type}[/{id}]: the shipped vocabularies, read-only."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from cairn.api.openapi import ERRORS, VocabularyItemOut, VocabularyListOut
from cairn.core.errors import NotFound
from cairn.http.context import identity, services
from cairn.records.params import parse_search_params

router = APIRouter(prefix="/api/vocabularies", tags=["vocabularies"])
SORTS = ("title", "bestmatch", "id")


def _item(request: Request, item: dict[str, Any]) -> dict[str, Any]:
    links = services(request).links
    out = dict(item)
    out["links"] = {"self": links.url("vocabularies.read", type=item["type"], id=item["id"])}
    return out


def _json(request: Request, body: Any) -> Response:
    pretty = request.query_params.get("prettyprint", "") in ("1", "true")
    return Response(
        orjson.dumps(body, option=orjson.OPT_INDENT_2 if pretty else 0),
        media_type="application/json",
    )


@router.get(
    "/{type}",
    name="vocabularies.search",
    responses={200: {"model": VocabularyListOut, "description": "Items."}, **ERRORS},
)
def search(type: str, request: Request) -> Response:
    """Search one vocabulary (`q`, `tags`, `sort`, `page`, `size`)."""
    svc = services(request)
    identity(request)  # an invalid token is refused here too
    if not svc.vocabularies.has_type(type):
        raise NotFound(f"No vocabulary of type {type!r}.")
    params = parse_search_params(
        request.query_params.multi_items(),
        sorts=SORTS,
        default_sort="title",
        default_size=svc.records.config.default_page_size,
        max_size=svc.records.config.max_page_size,
    )
    tags = [t for t in request.query_params.getlist("tags") if t]
    items, total = svc.vocabularies.search(
        type,
        q=params.q or None,
        tags=tags or None,
        sort=params.sort,
        page=params.page,
        size=params.size,
    )
    args = {"page": str(params.page), "size": str(params.size), "sort": params.sort}
    if params.q:
        args["q"] = params.q
    body = {
        "hits": {"hits": [_item(request, i) for i in items], "total": total},
        "sortBy": params.sort,
        "page": params.page,
        "links": svc.links.search(
            "vocabularies.search",
            sorted(args.items()),
            params.page,
            params.page * params.size < total,
            type=type,
        ),
    }
    return _json(request, body)


@router.get(
    "/{type}/{id}",
    name="vocabularies.read",
    responses={200: {"model": VocabularyItemOut, "description": "The item."}, **ERRORS},
)
def read(type: str, id: str, request: Request) -> Response:
    """Read one vocabulary item."""
    svc = services(request)
    identity(request)  # an invalid token is refused here too
    if not svc.vocabularies.has_type(type):
        raise NotFound(f"No vocabulary of type {type!r}.")
    item = svc.vocabularies.get(type, id)
    if item is None:
        raise NotFound(f"No item {id!r} in vocabulary {type!r}.")
    return _json(request, _item(request, item))
