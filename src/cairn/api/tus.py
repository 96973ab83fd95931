"""Resumable uploads with tus 1.0 (core, creation, creation-with-upload, termination,
checksum, expiration) at ``/api/records/{id}/draft/uploads``.

A finished upload becomes a committed file of the draft, under the key given in the
``Upload-Metadata`` (``key``, or else ``filename``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import tempfile
from collections.abc import Iterator

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from cairn.api.files import _entry
from cairn.api.openapi import ERRORS
from cairn.api.streams import pump
from cairn.core.errors import FieldError, ValidationFailed
from cairn.files.http import http_date
from cairn.files.resumable import OffsetMismatch, ResumableUploads, UploadState
from cairn.http.context import identity_async, services

router = APIRouter(prefix="/api/records/{id}/draft/uploads", tags=["files"])
VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,termination,checksum,expiration"
ALGORITHMS = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256}
OFFSET_TYPE = "application/offset+octet-stream"
R = {204: {"description": "Done"}, **ERRORS}


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"Tus-Resumable": VERSION, "Cache-Control": "no-store", **(extra or {})}


def _tus_error(status: int, message: str, extra: dict[str, str] | None = None) -> Response:
    body = orjson.dumps({"status": status, "message": message})
    return Response(
        body, status_code=status, media_type="application/json", headers=_headers(extra)
    )


def _version_problem(request: Request) -> Response | None:
    if request.headers.get("tus-resumable") != VERSION:
        return _tus_error(
            412, "Unsupported tus version; send Tus-Resumable: 1.0.0.", {"Tus-Version": VERSION}
        )
    return None


def _uploads(request: Request) -> ResumableUploads:
    return ResumableUploads(services(request).files)


def _state_headers(state: UploadState) -> dict[str, str]:
    headers = {"Upload-Offset": str(state.offset), "Upload-Expires": http_date(state.expires)}
    if state.size is not None:
        headers["Upload-Length"] = str(state.size)
    return headers


def _metadata(header: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in (header or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        name, _, value = pair.partition(" ")
        try:
            out[name] = (
                base64.b64decode(value.strip(), validate=True).decode("utf-8") if value else ""
            )
        except (binascii.Error, UnicodeDecodeError):
            raise ValidationFailed(
                [FieldError("Upload-Metadata", [f"Value of {name!r} is not base64 UTF-8."])]
            ) from None
    return out


def _checksum(request: Request) -> tuple[str, bytes] | None:
    header = request.headers.get("upload-checksum")
    if header is None:
        return None
    algorithm, _, value = header.strip().partition(" ")
    if algorithm.lower() not in ALGORITHMS:
        raise _BadRequest(f"Unsupported checksum algorithm {algorithm!r}.")
    try:
        return algorithm.lower(), base64.b64decode(value, validate=True)
    except binascii.Error:
        raise _BadRequest("Upload-Checksum is not base64.") from None


class _BadRequest(Exception):
    pass


async def _append(request: Request, record_id: str, upload_id: str, offset: int) -> UploadState:
    """Stream the body into the upload. With ``Upload-Checksum`` the body is first spooled
    to a temporary file (never memory) and appended only when the checksum matches."""
    uploads = _uploads(request)
    who = await identity_async(request)
    wanted = _checksum(request)
    if wanted is None:
        return await pump(
            request.stream(),
            lambda chunks: uploads.append(who, record_id, upload_id, offset, chunks),
        )
    algorithm, expected = wanted

    def verify_then_append(chunks: Iterator[bytes]) -> UploadState:
        digest = ALGORITHMS[algorithm]()
        with tempfile.TemporaryFile() as spool:
            for chunk in chunks:
                digest.update(chunk)
                spool.write(chunk)
            if digest.digest() != expected:
                raise _ChecksumMismatch()
            spool.seek(0)
            chunks = iter(lambda: spool.read(1 << 20), b"")
            return uploads.append(who, record_id, upload_id, offset, chunks)

    return await pump(request.stream(), verify_then_append)


class _ChecksumMismatch(Exception):
    pass


async def _guarded(request: Request, work) -> Response:  # type: ignore[no-untyped-def]
    try:
        return await work()
    except OffsetMismatch as exc:
        return _tus_error(
            409, "Upload-Offset does not match the upload.", {"Upload-Offset": str(exc.args[0])}
        )
    except _ChecksumMismatch:
        return _tus_error(460, "Checksum mismatch; the chunk was discarded.")
    except _BadRequest as exc:
        return _tus_error(400, str(exc))


@router.options("", name="tus.options", status_code=204, responses=R)
def options(id: str, request: Request) -> Response:
    """tus discovery: version, extensions, checksum algorithms."""
    return Response(
        status_code=204,
        headers={
            "Tus-Resumable": VERSION,
            "Tus-Version": VERSION,
            "Tus-Extension": EXTENSIONS,
            "Tus-Checksum-Algorithm": ",".join(ALGORITHMS),
            "Tus-Max-Size": str(services(request).files.limits.max_file_size),
        },
    )


@router.post("", name="tus.create", status_code=201, responses=R)
async def create(id: str, request: Request) -> Response:
    """Create an upload (`Upload-Length`, `Upload-Metadata` with `key` or `filename`);
    a body with `Content-Type: application/offset+octet-stream` is its first chunk."""
    if (problem := _version_problem(request)) is not None:
        return problem

    async def work() -> Response:
        raw = request.headers.get("upload-length", "")
        if not raw.isdigit():
            return _tus_error(400, "Upload-Length is required (deferred length is not supported).")
        metadata = _metadata(request.headers.get("upload-metadata"))
        key = metadata.get("key") or metadata.get("filename")
        if not key:
            raise ValidationFailed([FieldError("Upload-Metadata", ["Give a key or filename."])])
        who = await identity_async(request)
        uploads = _uploads(request)
        state = await run_in_threadpool(uploads.create, who, id, key, int(raw), metadata)
        location = services(request).links.url("tus.upload", id=id, upload_id=state.id)
        if request.headers.get("content-type", "").split(";")[0].strip() == OFFSET_TYPE:
            state = await _append(request, id, state.id, 0)
        return Response(
            status_code=201, headers=_headers({"Location": location, **_state_headers(state)})
        )

    return await _guarded(request, work)


@router.get("/{upload_id}", name="tus.upload", responses=R)
async def head(id: str, upload_id: str, request: Request) -> Response:
    """`HEAD`: where the upload stands (`Upload-Offset`, `Upload-Length`)."""
    if (problem := _version_problem(request)) is not None:
        return problem
    who = await identity_async(request)
    state = await run_in_threadpool(_uploads(request).status, who, id, upload_id)
    return Response(status_code=200, headers=_headers(_state_headers(state)))


@router.patch("/{upload_id}", name="tus.append", status_code=204, responses=R)
async def patch(id: str, upload_id: str, request: Request) -> Response:
    """Append a chunk at `Upload-Offset` (`application/offset+octet-stream`)."""
    if (problem := _version_problem(request)) is not None:
        return problem
    if request.headers.get("content-type", "").split(";")[0].strip() != OFFSET_TYPE:
        return _tus_error(415, f"Content-Type must be {OFFSET_TYPE}.")
    raw = request.headers.get("upload-offset", "")
    if not raw.isdigit():
        return _tus_error(400, "Upload-Offset is required.")

    async def work() -> Response:
        state = await _append(request, id, upload_id, int(raw))
        headers = _state_headers(state)
        if state.entry is not None:
            headers["Location"] = _entry(request, id, state.entry, True)["links"]["self"]
        return Response(status_code=204, headers=_headers(headers))

    return await _guarded(request, work)


@router.delete("/{upload_id}", name="tus.terminate", status_code=204, responses=R)
async def terminate(id: str, upload_id: str, request: Request) -> Response:
    """Stop an upload and discard its bytes (termination extension)."""
    if (problem := _version_problem(request)) is not None:
        return problem
    who = await identity_async(request)
    await run_in_threadpool(_uploads(request).terminate, who, id, upload_id)
    return Response(status_code=204, headers=_headers())
