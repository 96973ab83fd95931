"""Domain errors and framework errors, in InvenioRDM's JSON error envelope."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from cairn.core import errors as domain
from cairn.http.context import InvalidToken
from cairn.http.ratelimit import RateLimited
from cairn.http.sessions import CsrfFailed
from cairn.storage import BlobNotFound, StorageError

log = logging.getLogger(__name__)

STATUS = {
    domain.ValidationFailed: 400,
    domain.InvalidRequest: 400,
    domain.PermissionDenied: 403,
    domain.NotFound: 404,
    domain.Conflict: 409,
    domain.Gone: 410,
    domain.RevisionMismatch: 412,
}
HTTP_MESSAGES = {
    404: "Not found.",
    405: "Method not allowed.",
    413: "Request body too large.",
    415: "Unsupported media type.",
}


def error_response(status: int, message: str, **extra: Any) -> Response:
    body = {"status": status, "message": message, **extra}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def status_of(exc: BaseException) -> int:
    """The HTTP status the API answers ``exc`` with."""
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, domain.CairnError):
        return next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
    if isinstance(exc, RequestValidationError):
        return 400
    if isinstance(exc, InvalidToken):
        return 401
    if isinstance(exc, CsrfFailed):
        return 403
    if isinstance(exc, RateLimited):
        return 429
    return 500


def _domain(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, domain.CairnError)
    status = status_of(exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, domain.ValidationFailed) and exc.errors:
        extra["errors"] = [e.to_dict() for e in exc.errors]
    if isinstance(exc, domain.Gone) and exc.tombstone is not None:
        extra["tombstone"] = exc.tombstone
    return error_response(status, exc.message, **extra)


def _request_validation(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "path", "header", "body")]
        errors.append({"field": ".".join(loc), "messages": [str(err.get("msg", "Invalid value."))]})
    return error_response(400, "Invalid querystring parameters.", errors=errors)


def _http(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    generic = {"Not Found", "Method Not Allowed", "Request Entity Too Large"}
    message = HTTP_MESSAGES.get(exc.status_code) if (not detail or detail in generic) else detail
    response = error_response(exc.status_code, message or "Error.")
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _invalid_token(_request: Request, _exc: Exception) -> Response:
    return error_response(
        401,
        "The access token is invalid, expired or revoked.",
    )


def _csrf(_request: Request, _exc: Exception) -> Response:
    return error_response(
        403,
        "A request authenticated by the session cookie needs the session's CSRF token "
        "in the X-CSRF-Token header.",
    )


def _rate_limited(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimited)
    response = error_response(429, str(exc))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _storage(_request: Request, exc: Exception) -> Response:
    log.error("storage failure: %s", exc)
    if isinstance(exc, BlobNotFound):
        return error_response(404, "The file's content is missing from storage.")
    return error_response(503, "File storage is unavailable or full; try again later.")


def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "Internal server error.")


def install(app: FastAPI) -> None:
    app.add_exception_handler(domain.CairnError, _domain)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(InvalidToken, _invalid_token)
    app.add_exception_handler(CsrfFailed, _csrf)
    app.add_exception_handler(RateLimited, _rate_limited)
    app.add_exception_handler(StorageError, _storage)
    app.add_exception_handler(Exception, _unexpected)
