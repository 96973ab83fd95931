"""Reading JSON request bodies: size-limited, never a 500."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from starlette.exceptions import HTTPException

from cairn.core.errors import InvalidRequest

JSON_TYPES = ("application/json", "application/vnd.inveniordm.v1+json")


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise HTTPException(413, "Request body too large.")
        except ValueError:
            raise InvalidRequest("Invalid Content-Length header.") from None
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, "Request body too large.")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, limit: int, *, required: bool = True) -> Any:
    """The decoded JSON body; ``None`` when empty and not ``required``."""
    raw = await read_body(request, limit)
    if not raw.strip():
        if required:
            raise InvalidRequest("Unable to decode JSON data in request body.")
        return None
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if (
        content_type
        and content_type.lower() not in JSON_TYPES
        and not content_type.endswith("+json")
    ):
        raise HTTPException(415, f"Unsupported media type {content_type!r}; send application/json.")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidRequest("Unable to decode JSON data in request body.") from None
