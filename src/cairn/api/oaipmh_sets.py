"""``/api/oaipmh/sets``: the OAI-PMH sets defined by a query (read: anyone; write: admins)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from cairn.api.body import read_json
from cairn.api.openapi import ERRORS
from cairn.http.context import Services, identity, in_thread, services
from cairn.oaipmh.set_service import SetList

router = APIRouter(prefix="/api/oaipmh/sets", tags=["oai-pmh"])
LIST_FORMAT = "oai_dc"


def _item(svc: Services, body: dict[str, Any]) -> dict[str, Any]:
    harvest = [("metadataPrefix", LIST_FORMAT), ("set", body["spec"])]
    return {
        **body,
        "links": {
            "self": svc.links.url("oaipmh.sets.read", id=str(body["id"])),
            "oai-listrecords": svc.links.url(
                "oaipmh.get", query=[("verb", "ListRecords"), *harvest]
            ),
            "oai-listidentifiers": svc.links.url(
                "oaipmh.get", query=[("verb", "ListIdentifiers"), *harvest]
            ),
        },
    }


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _listing(request: Request, found: SetList) -> dict[str, Any]:
    svc = services(request)
    args = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "size")]
    args += [("page", str(found.page)), ("size", str(found.size))]
    return {
        "hits": {"hits": [_item(svc, h) for h in found.hits], "total": found.total},
        "sortBy": found.sort,
        "links": svc.links.search(
            "oaipmh.sets.search", args, found.page, found.page * found.size < found.total
        ),
    }


@router.get("", name="oaipmh.sets.search", responses=ERRORS)
def search(request: Request) -> Response:
    """The sets (`q`, `sort` = name|spec|created|updated, `sort_direction`, `page`, `size`)."""
    found = services(request).oai_sets.search(identity(request), dict(request.query_params))
    return _json(_listing(request, found))


@router.post("", name="oaipmh.sets.create", status_code=201, responses=ERRORS)
async def create(request: Request) -> Response:
    """Define a set (admins): `{"name", "spec", "search_pattern", "description"}`."""
    svc = services(request)
    body = await read_json(request, svc.max_request_body)
    created = await in_thread(request, svc.oai_sets.create, body)
    return _json(_item(svc, created), 201)


@router.get("/{id}", name="oaipmh.sets.read", responses=ERRORS)
def read(id: str, request: Request) -> Response:
    """One set."""
    svc = services(request)
    return _json(_item(svc, svc.oai_sets.read(identity(request), id)))


@router.put("/{id}", name="oaipmh.sets.update", responses=ERRORS)
async def update(id: str, request: Request) -> Response:
    """Change a set's name, description or query (admins); its spec stays."""
    svc = services(request)
    body = await read_json(request, svc.max_request_body)
    updated = await in_thread(request, svc.oai_sets.update, id, body)
    return _json(_item(svc, updated))


@router.delete("/{id}", name="oaipmh.sets.delete", status_code=204, responses=ERRORS)
def delete(id: str, request: Request) -> Response:
    """Remove a set (admins)."""
    services(request).oai_sets.delete(identity(request), id)
    return Response(status_code=204)
