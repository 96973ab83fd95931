"""/api/records/{id}/draft/pids/doi: reserve or discard a draft's managed DOI."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from cairn.api.openapi import RECORD_RESPONSES
from cairn.api.responses import item_response
from cairn.http.context import identity, services

router = APIRouter(prefix="/api", tags=["records"])


@router.post(
    "/records/{id}/draft/pids/doi",
    name="records.reserve_doi",
    status_code=201,
    responses=RECORD_RESPONSES,
)
def reserve_doi(id: str, request: Request) -> Response:
    """Reserve the draft's managed DOI now (nothing is sent to DataCite before publish)."""
    item = services(request).records.reserve_doi(identity(request), id)
    return item_response(request, item, 201)


@router.delete(
    "/records/{id}/draft/pids/doi",
    name="records.discard_doi",
    status_code=200,
    responses=RECORD_RESPONSES,
)
def discard_doi(id: str, request: Request) -> Response:
    """Remove the draft's DOI (a DOI already registered cannot be removed: 400)."""
    item = services(request).records.discard_doi(identity(request), id)
    return item_response(request, item, 200)
