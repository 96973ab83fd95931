"""The InvenioRDM file API on drafts and records, resumable downloads and "download all"."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from cairn.api.body import read_json
from cairn.api.downloads import accel_response, redirect, stream_response
from cairn.api.openapi import ERRORS
from cairn.api.streams import pump
from cairn.core.errors import FieldError, ValidationFailed
from cairn.files.service import Download
from cairn.http.context import identity, identity_async, in_thread, services
from cairn.http.signposting import file_header

router = APIRouter(prefix="/api/records/{id}", tags=["files"])
INTEGER = "Not a valid integer."
R = {200: {"description": "OK"}, **ERRORS}


def _json(request: Request, body: object, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _entry(request: Request, record_id: str, entry: dict, draft: bool) -> dict:
    return {**entry, "links": services(request).links.file(record_id, entry, draft)}


def _listing(request: Request, record_id: str, draft: bool) -> Response:
    svc = services(request)
    query = request.query_params
    prefix = query.get("prefix", "")
    page, size = _paging(query.get("page"), query.get("size"))
    result = svc.files.list_files(
        identity(request), record_id, draft=draft, prefix=prefix, page=page, size=size
    )
    body: dict = {
        "enabled": result.container.files_enabled,
        "default_preview": result.default_preview,
        "order": result.order,
        "entries": [_entry(request, record_id, e, draft) for e in result.entries],
        "total": result.total,
        "links": svc.links.files(record_id, draft),
    }
    if size is not None and page * size < result.total:
        extra = {k: query[k] for k in ("prefix", "tree") if k in query}
        body["links"]["next"] = svc.links.files(
            record_id, draft, page=page + 1, size=size, extra=extra
        )["self"]
    if query.get("tree", "") in ("1", "true"):
        body["tree"] = _tree(result.entries)
    return _json(request, body)


def _paging(page: str | None, size: str | None) -> tuple[int, int | None]:
    try:
        p = int(page) if page else 1
        s = int(size) if size else None
    except ValueError:
        raise ValidationFailed(
            [
                FieldError(
                    "page" if page and not page.isdigit() else "size", ["Not a valid integer."]
                )
            ],
            "Invalid querystring parameters.",
        ) from None
    if p < 1 or (s is not None and not 1 <= s <= 10_000):
        raise ValidationFailed(
            [FieldError("size" if s is not None and p >= 1 else "page", ["Out of range."])],
            "Invalid querystring parameters.",
        )
    return p, s


def _tree(entries: list[dict]) -> dict:
    """Folders as nested objects: ``{"name", "folders": [...], "files": [key...]}``."""
    root: dict = {"name": "", "folders": {}, "files": []}
    for entry in entries:
        *folders, _name = entry["key"].split("/")
        node = root
        for folder in folders:
            node = node["folders"].setdefault(folder, {"name": folder, "folders": {}, "files": []})
        node["files"].append(entry["key"])

    def finish(node: dict) -> dict:
        return {
            "name": node["name"],
            "folders": [finish(child) for _, child in sorted(node["folders"].items())],
            "files": node["files"],
        }

    return finish(root)


# -- drafts ---------------------------------------------------------------------
@router.get("/draft/files", name="files.draft_list", responses=R)
def draft_list(id: str, request: Request) -> Response:
    """List a draft's files (`prefix`, `page`, `size`, `tree=1` for folders)."""
    return _listing(request, id, draft=True)


@router.post("/draft/files", name="files.init", status_code=201, responses=R)
async def init(id: str, request: Request) -> Response:
    """Start uploads: a JSON array of `{"key", "size"?, "checksum"?, "transfer"?, ...}`."""
    svc = services(request)
    body = await read_json(request, svc.max_request_body)
    entries = await in_thread(request, svc.files.init_files, id, body)
    out = {
        "enabled": True,
        "entries": [_entry(request, id, e, True) for e in entries],
        "links": svc.links.files(id, True),
    }
    return _json(request, out, 201)


@router.delete("/draft/files", name="files.delete_all", status_code=204, responses=R)
def delete_all(id: str, request: Request) -> Response:
    """Delete every file of a draft."""
    services(request).files.delete_all(identity(request), id)
    return Response(status_code=204)


@router.post("/draft/actions/files-import", name="files.import", status_code=201, responses=R)
def files_import(id: str, request: Request) -> Response:
    """Link every file of the previous version into this new-version draft (no copying)."""
    entries = services(request).files.import_files(identity(request), id)
    svc = services(request)
    body = {
        "enabled": True,
        "entries": [_entry(request, id, e, True) for e in entries],
        "links": svc.links.files(id, True),
    }
    return _json(request, body, 201)


@router.put("/draft/files/{key:path}/content/{part}", name="files.upload_part", responses=R)
async def upload_part(id: str, key: str, part: int, request: Request) -> Response:
    """Upload one part of a multipart (`M`) transfer; parts in any order, in parallel."""
    svc = services(request)
    length = _content_length(request)
    who = await identity_async(request)
    entry = await pump(
        request.stream(),
        lambda chunks: svc.files.upload_part(who, id, key, part, chunks, length),
    )
    return _json(request, _entry(request, id, entry, True))


@router.put("/draft/files/{key:path}/content", name="files.upload", responses=R)
async def upload(id: str, key: str, request: Request) -> Response:
    """Upload a file's bytes (`application/octet-stream`), streamed to storage."""
    svc = services(request)
    who = await identity_async(request)
    entry = await pump(
        request.stream(), lambda chunks: svc.files.upload_content(who, id, key, chunks)
    )
    return _json(request, _entry(request, id, entry, True))


@router.get("/draft/files/{key:path}/content", name="files.draft_content", responses=R)
def draft_content(id: str, key: str, request: Request) -> Response:
    """Download a draft's file (owners and admins)."""
    return _download(request, id, key, draft=True)


@router.post("/draft/files/{key:path}/commit", name="files.commit", responses=R)
def commit(id: str, key: str, request: Request) -> Response:
    """Finish an upload: checks size and checksum; a mismatch keeps nothing."""
    entry = services(request).files.commit(identity(request), id, key)
    return _json(request, _entry(request, id, entry, True))


@router.get("/draft/files/{key:path}", name="files.draft_read", responses=R)
def draft_read(id: str, key: str, request: Request) -> Response:
    """A draft file's metadata."""
    entry = services(request).files.read_file(identity(request), id, key, draft=True)
    return _json(request, _entry(request, id, entry, True))


@router.put("/draft/files/{key:path}", name="files.update", responses=R)
async def update(id: str, key: str, request: Request) -> Response:
    """Update a draft file's `metadata` and `access`."""
    svc = services(request)
    body = await read_json(request, svc.max_request_body)
    entry = await in_thread(request, svc.files.update_file, id, key, body)
    return _json(request, _entry(request, id, entry, True))


@router.delete("/draft/files/{key:path}", name="files.delete", status_code=204, responses=R)
def delete(id: str, key: str, request: Request) -> Response:
    """Delete a draft file."""
    services(request).files.delete_file(identity(request), id, key)
    return Response(status_code=204)


@router.get("/draft/files-archive", name="files.draft_archive", responses=R)
def draft_archive(id: str, request: Request) -> Response:
    """All of a draft's files as one ZIP, streamed (resumable with `Range`)."""
    return _archive(request, id, draft=True)


# -- published records ------------------------------------------------------------
@router.get("/files", name="files.list", responses=R)
def record_list(id: str, request: Request) -> Response:
    """List a record's files (`prefix`, `page`, `size`, `tree=1`)."""
    return _listing(request, id, draft=False)


@router.get("/files/{key:path}/content", name="files.content", responses=R)
def record_content(id: str, key: str, request: Request) -> Response:
    """Download a record's file (`Range`, `If-None-Match`; `?download=1` forces attachment)."""
    return _download(request, id, key, draft=False)


@router.get("/files/{key:path}", name="files.read", responses=R)
def record_read(id: str, key: str, request: Request) -> Response:
    """A record file's metadata."""
    entry = services(request).files.read_file(identity(request), id, key, draft=False)
    return _json(request, _entry(request, id, entry, False))


@router.get("/files-archive", name="files.archive", responses=R)
def record_archive(id: str, request: Request) -> Response:
    """All of a record's files as one ZIP64, streamed with its length known (resumable)."""
    return _archive(request, id, draft=False)


@router.post("/quota", name="files.quota", responses=R)
async def quota(id: str, request: Request) -> Response:
    """Admin: set the file limits of a record (`quota_size`, `max_file_size`, `max_files`)."""
    svc = services(request)
    body = await read_json(request, svc.max_request_body)
    return _json(request, await in_thread(request, svc.files.set_quota, id, body))


# -- helpers ------------------------------------------------------------------------
def _content_length(request: Request) -> int:
    raw = request.headers.get("content-length")
    if raw is None or not raw.isdigit():
        raise HTTPException(411, "A Content-Length header is required for parts.")
    return int(raw)


def _download(request: Request, record_id: str, key: str, *, draft: bool) -> Response:
    svc = services(request)
    found: Download = svc.files.open_file(identity(request), record_id, key, draft=draft)
    attachment = request.query_params.get("download", "") in ("1", "true")
    filename = key.rsplit("/", 1)[-1]
    offload = svc.offload
    if offload == "presigned":
        url = found.presigned_url(filename)
        if url:
            return redirect(url)
    extra = {"Content-MD5": found.blob.md5}  # bare hex, as InvenioRDM sends it
    if not draft:
        extra["Link"] = file_header(svc, record_id)  # FAIR Signposting
    if offload == "nginx" and found.is_local():
        # nginx sends the bytes (and honours Range itself); Cairn sends only the headers
        extra["X-Accel-Redirect"] = svc.accel_prefix + "/" + found.blob.uri
        return accel_response(
            etag=f'"{found.entry["checksum"]}"',
            last_modified=found.blob.created,
            filename=filename,
            mimetype=found.entry["mimetype"],
            attachment=attachment,
            extra_headers=extra,
        )
    return stream_response(
        request,
        size=found.blob.size,
        etag=f'"{found.entry["checksum"]}"',
        last_modified=found.blob.created,
        filename=filename,
        mimetype=found.entry["mimetype"],
        open_range=found.open_range,
        attachment=attachment,
        extra_headers=extra,
    )


def _archive(request: Request, record_id: str, *, draft: bool) -> Response:
    found = services(request).files.archive(identity(request), record_id, draft=draft)
    return stream_response(
        request,
        size=found.archive.size(),
        etag=found.etag,
        last_modified=found.last_modified,
        filename=found.filename,
        mimetype="application/zip",
        open_range=found.archive.iter_bytes,
        attachment=True,
    )
