"""Streaming file and archive downloads: Range, ETag, conditional requests, safe headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from fastapi import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from cairn.files.http import (
    SECURITY_HEADERS,
    content_disposition,
    content_range,
    etag_matches,
    http_date,
    if_range_matches,
    is_inline_safe,
    parse_range,
    security_headers,
)


def stream_response(
    request: Request,
    *,
    size: int,
    etag: str,
    last_modified: datetime,
    filename: str,
    mimetype: str,
    open_range: Callable[[int, int | None], Iterator[bytes]],
    attachment: bool = False,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    """A 200/206/304/416 response for ``size`` bytes read lazily through ``open_range``."""
    inline = not attachment and is_inline_safe(mimetype)
    headers = {
        **security_headers(mimetype, inline),
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(filename, inline=inline),
        **(extra_headers or {}),
    }
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    wanted = parse_range(request.headers.get("range"), size)
    if wanted is not None and not if_range_matches(
        request.headers.get("if-range"), etag, last_modified
    ):
        wanted = None
    if wanted == "unsatisfiable":
        headers["Content-Range"] = f"bytes */{size}"
        return Response(status_code=416, headers=headers)
    status, start, end = 200, 0, size
    if isinstance(wanted, tuple):
        status, (start, end) = 206, wanted
        headers["Content-Range"] = content_range(start, end, size)
    headers["Content-Length"] = str(end - start)
    if getattr(request.state, "is_head", False) or end == start:
        return Response(status_code=status, headers=headers, media_type=mimetype)
    return StreamingResponse(
        open_range(start, end), status_code=status, headers=headers, media_type=mimetype
    )


def accel_response(
    *,
    etag: str,
    last_modified: datetime,
    filename: str,
    mimetype: str,
    attachment: bool,
    extra_headers: dict[str, str],
) -> Response:
    """Headers only; the ``X-Accel-Redirect`` in ``extra_headers`` makes nginx send the file."""
    inline = not attachment and is_inline_safe(mimetype)
    headers = {
        **security_headers(mimetype, inline),
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Content-Disposition": content_disposition(filename, inline=inline),
        **extra_headers,
    }
    return Response(status_code=200, headers=headers, media_type=mimetype)


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=302, headers=dict(SECURITY_HEADERS))
