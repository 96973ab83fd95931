"""What handlers get from the composition root, and the caller's identity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from cairn.accounts.admin import UserAdministration
from cairn.accounts.service import AccountService
from cairn.core.identity import ANONYMOUS, Identity
from cairn.db.job_admin import JobAdministration
from cairn.files.service import FilesService
from cairn.formats import FormatRegistry
from cairn.http.links import LinkBuilder
from cairn.http.sessions import check_cookie_request, end_session, session_user
from cairn.oaipmh.membership import SetMembership
from cairn.oaipmh.set_service import OaiSetService
from cairn.records.search import RecordSearch
from cairn.records.service import RecordService
from cairn.vocabularies import VocabularyRegistry


class InvalidToken(Exception):
    """The request carried a token that is unknown, revoked or expired."""


@dataclass(frozen=True)
class Services:
    records: RecordService
    search: RecordSearch
    accounts: AccountService
    users: UserAdministration
    jobs: JobAdministration
    vocabularies: VocabularyRegistry
    formats: FormatRegistry
    links: LinkBuilder
    max_request_body: int
    files: FilesService
    oai_sets: OaiSetService
    oai_members: SetMembership
    offload: str = "none"
    accel_prefix: str = "/_protected_files"


def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return request.query_params.get("access_token") or None


def identity(request: Request) -> Identity:
    """The caller: from a bearer token (header or ``?access_token=``), else from the
    session cookie of a logged-in browser, else anonymous.

    A cookie authenticates a request that changes something only together with the
    session's CSRF token (:func:`cairn.http.sessions.check_cookie_request`).
    """
    cached = getattr(request.state, "identity", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    token = bearer_token(request)
    result = ANONYMOUS
    if token is not None:
        found = services(request).accounts.identity_for_token(token)
        if found is None:
            raise InvalidToken()
        result = found
    elif (logged_in := session_user(request)) is not None:
        found = services(request).accounts.identity_for_session(*logged_in)
        if found is None:
            end_session(request)  # password changed or account deactivated since login
        else:
            check_cookie_request(request)
            result = found
    request.state.identity = result
    return result


T = TypeVar("T")


async def in_thread(request: Request, method: Callable[..., T], *args: Any) -> T:
    """Call a (blocking) service method with the caller's identity, off the event loop."""

    def call() -> T:
        return method(identity(request), *args)

    return await run_in_threadpool(call)


async def identity_async(request: Request) -> Identity:
    """:func:`identity`, resolved off the event loop (it may query the database)."""
    return await run_in_threadpool(identity, request)
