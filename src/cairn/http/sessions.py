"""Web sessions: who is logged in (a signed cookie) and the CSRF token that goes with it.

The cookie itself is written by Starlette's ``SessionMiddleware`` (signed with the
instance's secret key, HttpOnly, SameSite=Lax, Secure on https sites).  It holds the user's
id, a stamp that changes with the password or the account's state (so such a change ends
the session) and a random CSRF token.  Requests that change something and are
authenticated by the cookie must present that token: forms as ``csrf_token``, scripts in the
``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.requests import HTTPConnection

from cairn.accounts.service import SessionUser

SESSION_COOKIE = "cairn_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(Exception):
    """A cookie-authenticated request that changes something came without a valid token."""


def _session(conn: HTTPConnection) -> dict[str, Any]:
    return conn.session if "session" in conn.scope else {}


def csrf_token(conn: HTTPConnection) -> str:
    """This browser's CSRF token (made on first use)."""
    session = _session(conn)
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        if "session" in conn.scope:
            session["csrf"] = token
    return token


def csrf_valid(conn: HTTPConnection, supplied: str | None) -> bool:
    expected = _session(conn).get("csrf")
    return bool(supplied and isinstance(expected, str) and hmac.compare_digest(supplied, expected))


def require_csrf(conn: HTTPConnection, supplied: str | None) -> None:
    """Accept a form post only with this browser's token (raises :class:`CsrfFailed`)."""
    if not csrf_valid(conn, supplied):
        raise CsrfFailed()
    conn.state.csrf_checked = True


def session_user(conn: HTTPConnection) -> tuple[int, str] | None:
    """The (user id, stamp) the session cookie names, if any."""
    session = _session(conn)
    uid, stamp = session.get("uid"), session.get("stamp")
    if isinstance(uid, int) and isinstance(stamp, str):
        return uid, stamp
    return None


def check_cookie_request(conn: HTTPConnection) -> None:
    """A cookie may authenticate a request that changes something only with the token."""
    method = conn.scope.get("method", "GET")
    if method in SAFE_METHODS or getattr(conn.state, "csrf_checked", False):
        return
    if not csrf_valid(conn, conn.headers.get(CSRF_HEADER)):
        raise CsrfFailed()


def start_session(conn: HTTPConnection, user: SessionUser) -> None:
    """Log ``user`` in: a fresh session (new CSRF token), so no pre-login value survives."""
    session = _session(conn)
    session.clear()
    session["uid"] = user.identity.user_id
    session["stamp"] = user.stamp
    session["csrf"] = secrets.token_urlsafe(32)
    conn.state.identity = user.identity


def end_session(conn: HTTPConnection) -> None:
    _session(conn).clear()
