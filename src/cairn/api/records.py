"""/api/records and /api/user/records: thin handlers over the records service."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from cairn.api.body import read_json
from cairn.api.openapi import DRAFT_BODY, LIST_RESPONSES, RECORD_RESPONSES, TOMBSTONE_BODY
from cairn.api.responses import item_response, list_response, parse_if_match
from cairn.http.context import identity, in_thread, services

router = APIRouter(prefix="/api", tags=["records"])


@router.post(
    "/records",
    name="records.create",
    status_code=201,
    responses=RECORD_RESPONSES,
    openapi_extra=DRAFT_BODY,
)
async def create(request: Request) -> Response:
    """Create a draft (the first version of a new record)."""
    svc = services(request)
    body = await read_json(request, svc.max_request_body)
    item = await in_thread(request, svc.records.create, body)
    return item_response(request, item, 201)


@router.get("/records", name="records.search", responses=LIST_RESPONSES)
def search(request: Request) -> Response:
    """List published records (latest versions unless `allversions`)."""
    args = request.query_params.multi_items()
    result = services(request).search.search(identity(request), args)
    return list_response(request, result, "records.search")


@router.get("/user/records", name="records.user_search", responses=LIST_RESPONSES)
def user_search(request: Request) -> Response:
    """List the caller's drafts and published records."""
    args = request.query_params.multi_items()
    result = services(request).search.search_user_records(identity(request), args)
    return list_response(request, result, "records.user_search")


@router.get("/records/{id}", name="records.read", responses=RECORD_RESPONSES)
def read(id: str, request: Request) -> Response:
    """Read a published record; a parent id gives its latest version."""
    include_deleted = request.query_params.get("include_deleted", "") in ("1", "true")
    item = services(request).records.read(identity(request), id, include_deleted=include_deleted)
    return item_response(request, item)


@router.put("/records/{id}", name="records.update", responses=RECORD_RESPONSES)
def update(id: str, request: Request) -> Response:
    """Published records are immutable: create an edit draft instead (always 403)."""
    services(request).records.update_record(identity(request), id)
    return Response(status_code=204)  # pragma: no cover - the service always refuses


@router.delete("/records/{id}", name="records.delete", status_code=204, responses=RECORD_RESPONSES)
async def delete(id: str, request: Request) -> Response:
    """Admin: delete a published record, leaving a tombstone."""
    svc = services(request)
    body = await read_json(request, svc.max_request_body, required=False)
    await in_thread(request, svc.records.delete_record, id, body)
    return Response(status_code=204)


@router.delete(
    "/records/{id}/delete",
    name="records.delete_with_tombstone",
    status_code=204,
    responses=RECORD_RESPONSES,
    openapi_extra=TOMBSTONE_BODY,
)
async def delete_with_tombstone(id: str, request: Request) -> Response:
    """Admin: delete with a tombstone (`removal_reason`, `note`, `citation_text`, `is_visible`)."""
    return await delete(id, request)


@router.post("/records/{id}/restore", name="records.restore", responses=RECORD_RESPONSES)
def restore(id: str, request: Request) -> Response:
    """Admin: undo a deletion."""
    return item_response(request, services(request).records.restore(identity(request), id))


@router.get("/records/{id}/draft", name="records.read_draft", responses=RECORD_RESPONSES)
def read_draft(id: str, request: Request) -> Response:
    """Read a draft."""
    return item_response(request, services(request).records.read_draft(identity(request), id))


@router.put(
    "/records/{id}/draft",
    name="records.update_draft",
    responses=RECORD_RESPONSES,
    openapi_extra=DRAFT_BODY,
)
async def update_draft(id: str, request: Request) -> Response:
    """Replace a draft (omitted fields are removed). `If-Match` guards against lost updates."""
    svc = services(request)
    body = await read_json(request, svc.max_request_body)
    item = await in_thread(request, svc.records.update_draft, id, body, parse_if_match(request))
    return item_response(request, item)


@router.delete(
    "/records/{id}/draft", name="records.delete_draft", status_code=204, responses=RECORD_RESPONSES
)
def delete_draft(id: str, request: Request) -> Response:
    """Discard a draft (for a published record only the pending edit goes)."""
    services(request).records.delete_draft(identity(request), id, parse_if_match(request))
    return Response(status_code=204)


@router.post(
    "/records/{id}/draft", name="records.edit", status_code=201, responses=RECORD_RESPONSES
)
def edit(id: str, request: Request) -> Response:
    """Create (or return) the edit draft of a published record."""
    return item_response(request, services(request).records.edit(identity(request), id), 201)


@router.post(
    "/records/{id}/draft/actions/publish",
    name="records.publish",
    status_code=202,
    responses=RECORD_RESPONSES,
)
def publish(id: str, request: Request) -> Response:
    """Publish a draft."""
    return item_response(request, services(request).records.publish(identity(request), id), 202)


@router.post(
    "/records/{id}/versions",
    name="records.new_version",
    status_code=201,
    responses=RECORD_RESPONSES,
)
def new_version(id: str, request: Request) -> Response:
    """Create a draft of a new version (new id; publication date, version and pids cleared)."""
    return item_response(request, services(request).records.new_version(identity(request), id), 201)


@router.get("/records/{id}/versions", name="records.versions", responses=LIST_RESPONSES)
def versions(id: str, request: Request) -> Response:
    """List the published versions of a record."""
    args = request.query_params.multi_items()
    result = services(request).search.search_versions(identity(request), id, args)
    return list_response(request, result, "records.versions", id=id)


@router.get(
    "/records/{id}/versions/latest",
    name="records.latest",
    status_code=302,
    responses={302: {"description": "Redirect to the latest version."}},
)
def latest(id: str, request: Request) -> Response:
    """Redirect to the latest published version."""
    svc = services(request)
    target = svc.records.latest_id(identity(request), id)
    return RedirectResponse(svc.links.url("records.read", id=target), status_code=302)
