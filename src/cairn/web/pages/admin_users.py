"""Administration of users: find them by email, activate or deactivate them, edit roles."""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from cairn.core.errors import NotFound, PermissionDenied, ValidationFailed
from cairn.core.identity import ADMIN_ROLE, Identity
from cairn.web.pages.common import (
    call,
    caller,
    field_errors,
    flash,
    form,
    pop_flash,
    redirect,
    render,
    svc,
)

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
MAX_PAGE = 1_000_000
MAX_ID = 2**62
FLASH = "admin"


async def require_admin(request: Request) -> Identity:
    """The caller, if an admin. Otherwise the error pages answer: anonymous GETs go to the
    login page, everyone else gets 403."""
    who = await caller(request)
    if not who.is_admin:
        raise PermissionDenied()
    return who


def page_number(text: str | None) -> int:
    """A page number from the address; anything that is not one means the first page."""
    if text and text.isascii() and text.isdigit():
        return min(max(int(text), 1), MAX_PAGE)
    return 1


def _user_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
        raise NotFound(f"No user with id {text}.")
    return int(text)


def _back(values: dict[str, str]) -> str:
    """The list the form was sent from (same search, same page)."""
    query = {"q": values.get("q", ""), "page": str(page_number(values.get("page")))}
    return "/administration/users?" + urlencode({k: v for k, v in query.items() if v})


async def _users_page(
    request: Request,
    q: str,
    page: int,
    status: int = 200,
    problems: dict[int, dict[str, list[str]]] | None = None,
    sent: dict[int, dict[str, Any]] | None = None,
) -> Response:
    q = q.strip()[:200]
    found = await call(request, svc(request).users.search, q, page, PAGE_SIZE)
    context = {
        "tab": "users",
        "q": q,
        "page": page,
        "pages": max(1, math.ceil(found.total / PAGE_SIZE)),
        "total": found.total,
        "users": found.users,
        "admin_role": ADMIN_ROLE,
        "problems": problems or {},
        "sent": sent or {},
        "message": pop_flash(request, FLASH),
        "link_args": {"q": q} if q else {},
    }
    return render(request, "admin_users.html", context, status)


@router.get("/administration/users", name="web.admin_users")
async def users_page(request: Request) -> Response:
    await require_admin(request)
    query = request.query_params
    return await _users_page(request, query.get("q", ""), page_number(query.get("page")))


@router.post("/administration/users/{user_id}/active")
async def set_active(request: Request, user_id: str) -> Response:
    values = await form(request)
    await require_admin(request)
    uid = _user_id(user_id)
    active = values.get("active") == "1"
    try:
        info = await call(request, svc(request).users.set_active, uid, active)
    except ValidationFailed as exc:
        q, page = values.get("q", ""), page_number(values.get("page"))
        return await _users_page(request, q, page, 400, {uid: field_errors(exc)})
    state = "activated" if info.active else "deactivated: their sessions and tokens stop working"
    flash(request, FLASH, f"{info.email} {state}.")
    return redirect(_back(values))


def _roles(values: dict[str, str]) -> list[str]:
    """The admin checkbox and the free-text list of other roles, as one list."""
    other = [r for r in re.split(r"[\s,;]+", values.get("other_roles", "")) if r]
    return ([ADMIN_ROLE] if values.get("admin") else []) + other


@router.post("/administration/users/{user_id}/roles")
async def set_roles(request: Request, user_id: str) -> Response:
    values = await form(request)
    await require_admin(request)
    uid = _user_id(user_id)
    try:
        info = await call(request, svc(request).users.set_roles, uid, _roles(values))
    except ValidationFailed as exc:
        q, page = values.get("q", ""), page_number(values.get("page"))
        sent = {uid: {"admin": bool(values.get("admin")), "other": values.get("other_roles", "")}}
        return await _users_page(request, q, page, 400, {uid: field_errors(exc)}, sent)
    roles = ", ".join(sorted(info.roles)) or "none"
    flash(request, FLASH, f"Roles of {info.email}: {roles}.")
    return redirect(_back(values))
