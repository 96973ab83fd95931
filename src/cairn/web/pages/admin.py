"""Administration (admins only): users, records (delete, restore) and quotas.

The users and records tabs live in ``admin_users`` and ``admin_records``; this module
joins their routes and serves the quotas tab.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from cairn.core.errors import NotFound, ValidationFailed
from cairn.settings import Settings
from cairn.web.pages import admin_jobs, admin_oai_sets, admin_records, admin_users
from cairn.web.pages.admin_users import FLASH, require_admin
from cairn.web.pages.common import (
    call,
    field_errors,
    flash,
    form,
    pop_flash,
    redirect,
    render,
    svc,
)

router = APIRouter(include_in_schema=False)
router.include_router(admin_users.router)
router.include_router(admin_records.router)
router.include_router(admin_jobs.router)
router.include_router(admin_oai_sets.router)

UNITS = {
    "": 1,
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
SIZE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]*)$")
MAX_NUMBER = 2**62
QUOTA_FLASH = "quota"
SIZE_HELP = "Must be a size such as 500 MB, 20 GB or 1073741824 (bytes)."


def parse_size(text: str) -> int:
    """``"20 GB"`` -> 20000000000; plain numbers are bytes (raises ``ValueError``)."""
    match = SIZE_RE.match(text.strip().lower().replace(",", ""))
    if match is None or match.group(2) not in UNITS:
        raise ValueError(SIZE_HELP)
    value = round(float(match.group(1)) * UNITS[match.group(2)])
    if value > MAX_NUMBER:
        raise ValueError("That is more than this repository can count.")
    return value


def quota_body(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The body of ``POST /api/records/{id}/quota`` from the form, and the fields it could
    not read. Empty optional fields are left out (the service's defaults apply)."""
    body: dict[str, Any] = {"notes": values.get("notes", "").strip()}
    errors: dict[str, list[str]] = {}
    for name in ("quota_size", "max_file_size"):
        text = values.get(name, "").strip()
        if text:
            try:
                body[name] = parse_size(text)
            except ValueError as exc:
                errors[name] = [str(exc)]
    files = values.get("max_files", "").strip()
    if files:
        if files.isascii() and files.isdigit() and int(files) <= MAX_NUMBER:
            body["max_files"] = int(files)
        else:
            errors["max_files"] = ["Must be a whole number, 0 or more."]
    return body, errors


def defaults(settings: Settings) -> dict[str, int]:
    return {
        "quota": settings.files_quota,
        "user_quota": settings.files_user_quota,
        "max_files": settings.files_max_per_record,
        "max_file_size": settings.files_max_file_size,
    }


async def _usage(request: Request, record_id: str) -> dict[str, Any] | None:
    """The files a record (or draft) holds now, or None when there is no such id."""
    records = svc(request).records
    try:
        item = await call(request, records.read, record_id, include_deleted=True)
    except NotFound:
        try:
            item = await call(request, records.read_draft, record_id)
        except NotFound:
            return None
    files = item.data.get("files") or {}
    title = (item.data.get("metadata") or {}).get("title") or "Untitled"
    return {
        "id": item.id,
        "title": title,
        "is_draft": item.is_draft,
        "count": files.get("count", 0),
        "bytes": files.get("total_bytes", 0),
    }


async def _quotas_page(
    request: Request,
    values: dict[str, str],
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    record_id = values.get("record_id", "").strip()
    usage = await _usage(request, record_id) if record_id else None
    context = {
        "tab": "quotas",
        "defaults": defaults(request.app.state.settings),
        "values": values,
        "usage": usage,
        "unknown": bool(record_id) and usage is None,
        "errors": errors or {},
        "message": pop_flash(request, FLASH),
        "quota": pop_flash(request, QUOTA_FLASH),
    }
    return render(request, "admin_quotas.html", context, status)


@router.get("/administration", name="web.admin")
async def administration(request: Request) -> Response:
    await require_admin(request)
    return redirect("/administration/users")


@router.get("/administration/quotas", name="web.admin_quotas")
async def quotas_page(request: Request) -> Response:
    await require_admin(request)
    record_id = request.query_params.get("record", "")[:100]
    return await _quotas_page(request, {"record_id": record_id})


@router.post("/administration/quotas")
async def set_quota(request: Request) -> Response:
    values = await form(request)
    await require_admin(request)
    record_id = values.get("record_id", "").strip()
    body, errors = quota_body(values)
    if not record_id:
        errors["record_id"] = ["Give the id of a record or draft."]
    if not errors:
        try:
            limits = await call(request, svc(request).files.set_quota, record_id, body)
        except ValidationFailed as exc:
            errors = field_errors(exc)
        except NotFound:
            errors = {"record_id": ["No record or draft has this id."]}
    if errors:
        return await _quotas_page(request, values, 400, errors)
    flash(request, QUOTA_FLASH, {"record_id": record_id, **limits})
    return redirect(f"/administration/quotas?record={quote(record_id, safe='')}")
