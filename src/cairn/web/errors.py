"""Errors on pages: the same domain errors as the API, as HTML pages with the right status."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from cairn.core import errors as domain
from cairn.core.identity import ANONYMOUS
from cairn.http.context import InvalidToken, identity
from cairn.http.ratelimit import RateLimited
from cairn.http.sessions import CsrfFailed
from cairn.web.pages.common import login_redirect, render

log = logging.getLogger(__name__)

TITLES = {
    400: "That did not work",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    409: "Conflict",
    410: "Gone",
    412: "Changed meanwhile",
    429: "Too many attempts",
    500: "Something went wrong",
}
MESSAGES = {
    403: "You do not have permission to see this page.",
    404: "There is nothing at this address. It may have moved, or it was never published.",
    405: "This page cannot be used that way.",
    500: "The server failed to answer; the team has been told. Try again in a moment.",
}


def error_page(request: Request, status: int, message: str | None = None) -> Response:
    context = {"title": TITLES.get(status, "Error"), "message": message or MESSAGES.get(status)}
    return render(request, "error.html", context, status)


def handle(request: Request, exc: Exception, status: int) -> Response:
    """The page for an exception the API would answer with ``status``."""
    if isinstance(exc, CsrfFailed | InvalidToken):
        request.state.identity = ANONYMOUS  # render without checking the caller again
    if isinstance(exc, CsrfFailed):
        message = (
            "This form was sent without a valid security token, perhaps from an old "
            "page or another site. Go back, reload the page and try again."
        )
        return error_page(request, 403, message)
    if isinstance(exc, RateLimited):
        return error_page(request, 429, str(exc))
    if isinstance(exc, InvalidToken):
        return error_page(request, 401, "The access token is invalid, expired or revoked.")
    if isinstance(exc, domain.PermissionDenied):
        try:
            anonymous = identity(request).user_id is None
        except (CsrfFailed, InvalidToken):
            anonymous = True
        if anonymous and request.method == "GET":
            return login_redirect(request)
        return error_page(request, 403, exc.message if exc.message != "" else None)
    if isinstance(exc, HTTPException):
        return error_page(request, exc.status_code)
    if isinstance(exc, domain.CairnError):
        return error_page(request, status, exc.message)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)
