"""Administration of records: search published records, delete one with a tombstone, list
the deleted ones (or find one by id) and restore it."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from cairn.core.errors import Gone, NotFound, ValidationFailed
from cairn.records.deleted import MAX_QUERY, DeletedRecord
from cairn.records.results import Item
from cairn.web.pages.admin_users import FLASH, page_number, require_admin
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

PAGE_SIZE = 20
SORTS = {"newest": "Newest", "oldest": "Oldest", "bestmatch": "Best match"}
REASONS = "removalreasons"
DELETED_SORTS = {"newest": "Newest deletion first", "oldest": "Oldest deletion first"}


def _owner(data: dict[str, Any]) -> int | None:
    owner = ((data.get("parent") or {}).get("access") or {}).get("owned_by") or {}
    user = str(owner.get("user", ""))
    return int(user) if user.isdigit() else None


def summary(item: Item, emails: dict[int, str]) -> dict[str, Any]:
    """What the admin pages show of a record."""
    data = item.data
    metadata = data.get("metadata") or {}
    owner = _owner(data)
    files = data.get("files") or {}
    return {
        "id": item.id,
        "title": metadata.get("title") or "Untitled",
        "owner": emails.get(owner, f"user {owner}") if owner is not None else "nobody",
        "publication_date": metadata.get("publication_date") or "",
        "version": metadata.get("version") or f"v{(data.get('versions') or {}).get('index', 1)}",
        "access": (data.get("access") or {}).get("status", ""),
        "created": data.get("created"),
        "updated": data.get("updated"),
        "deleted": bool((data.get("deletion_status") or {}).get("is_deleted")),
        "tombstone": data.get("tombstone") or {},
        "files_count": files.get("count", 0),
        "files_bytes": files.get("total_bytes", 0),
    }


async def _emails(request: Request, ids: list[int | None]) -> dict[int, str]:
    return await call(request, svc(request).users.emails, [i for i in ids if i is not None])


@router.get("/administration/records", name="web.admin_records")
async def records_page(request: Request) -> Response:
    await require_admin(request)
    query = request.query_params
    q = query.get("q", "").strip()
    sort = query.get("sort") if query.get("sort") in SORTS else ("bestmatch" if q else "newest")
    page = page_number(query.get("page"))
    allversions = "true" if query.get("allversions") == "true" else ""
    args = [("q", q), ("sort", sort), ("page", str(page)), ("size", str(PAGE_SIZE))]
    args += [("allversions", allversions)] if allversions else []
    context: dict[str, Any] = {
        "tab": "records",
        "q": q,
        "sort": sort,
        "sorts": SORTS,
        "page": page,
        "allversions": allversions,
        "message": pop_flash(request, FLASH),
        "link_args": {k: v for k, v in args if k in ("q", "sort", "allversions") and v},
    }
    try:
        found = await call(request, svc(request).search.search, args, facets=())
    except ValidationFailed as exc:
        problems = [m for e in exc.errors for m in e.messages] or [exc.message]
        return render(request, "admin_records.html", {**context, "problems": problems}, 400)
    emails = await _emails(request, [_owner(i.data) for i in found.items])
    context.update(
        rows=[summary(i, emails) for i in found.items],
        total=found.total,
        pages=max(1, math.ceil(found.total / PAGE_SIZE)),
    )
    return render(request, "admin_records.html", context)


def _removed_by(item: DeletedRecord, emails: dict[int, str]) -> str:
    user = item.removed_by or ""
    return emails.get(int(user), f"user {user}") if user.isdigit() else user


@router.get("/administration/records/deleted", name="web.admin_deleted_records")
async def deleted_page(request: Request) -> Response:
    """Deleted records, newest deletion first; ``q`` filters on the id or the title."""
    await require_admin(request)
    query = request.query_params
    q = query.get("q", "").strip()[:MAX_QUERY]
    sort = query.get("sort", "")
    sort = sort if sort in DELETED_SORTS else "newest"
    page = page_number(query.get("page"))
    found = await call(request, svc(request).records.list_deleted, q, page, PAGE_SIZE, sort)
    removers = [i.removed_by or "" for i in found.items]
    emails = await _emails(request, [int(u) for u in removers if u.isdigit()])
    link_args = {k: v for k, v in (("q", q), ("sort", sort)) if v and v != "newest"}
    context: dict[str, Any] = {
        "tab": "records",
        "q": q,
        "sort": sort,
        "sorts": DELETED_SORTS,
        "page": page,
        "pages": found.pages,
        "total": found.total,
        "rows": [(item, _removed_by(item, emails)) for item in found.items],
        "link_args": link_args,
        "message": pop_flash(request, FLASH),
    }
    return render(request, "admin_deleted.html", context)


@router.get("/administration/records/find")
async def find_record(request: Request) -> Response:
    """The "find by id" form: the record's admin page (deleted records included)."""
    await require_admin(request)
    record_id = request.query_params.get("id", "").strip()
    if not record_id:
        return redirect("/administration/records")
    return redirect(f"/administration/records/{quote(record_id, safe='')}")


async def _record_page(
    request: Request,
    record_id: str,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    sent: dict[str, Any] | None = None,
    problem: str | None = None,
) -> Response:
    context: dict[str, Any] = {"tab": "records", "record_id": record_id}
    try:
        item = await call(request, svc(request).records.read, record_id, include_deleted=True)
    except NotFound:
        return render(request, "admin_record.html", {**context, "missing": True}, 404)
    removed_by = str(((item.data.get("tombstone") or {}).get("removed_by") or {}).get("user", ""))
    ids = [_owner(item.data), int(removed_by) if removed_by.isdigit() else None]
    emails = await _emails(request, ids)
    reasons, _ = svc(request).vocabularies.search(REASONS, sort="title", size=100)
    record = summary(item, emails)
    reason_id = (record["tombstone"].get("removal_reason") or {}).get("id", "")
    context.update(
        record=record,
        removed_by=emails.get(int(removed_by), removed_by) if removed_by.isdigit() else removed_by,
        reason_title={r["id"]: r["title"].get("en", r["id"]) for r in reasons}.get(reason_id),
        reasons=reasons,
        errors=errors or {},
        sent=sent or {"is_visible": True},
        problem=problem,
        message=pop_flash(request, FLASH),
    )
    return render(request, "admin_record.html", context, status)


@router.get("/administration/records/{record_id}", name="web.admin_record")
async def record_page(request: Request, record_id: str) -> Response:
    await require_admin(request)
    return await _record_page(request, record_id)


def _tombstone(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The body of ``DELETE /api/records/{id}/delete`` from the form, and its own errors."""
    body: dict[str, Any] = {
        "note": values.get("note", ""),
        "citation_text": values.get("citation_text", ""),
        "is_visible": bool(values.get("is_visible")),
    }
    reason = values.get("removal_reason", "")
    if not reason:
        return body, {"removal_reason": ["Choose why the record is removed."]}
    body["removal_reason"] = {"id": reason}
    return body, {}


@router.post("/administration/records/{record_id}/delete")
async def delete_record(request: Request, record_id: str) -> Response:
    values = await form(request)
    await require_admin(request)
    body, errors = _tombstone(values)
    sent = {**body, "removal_reason": values.get("removal_reason", "")}
    if not errors:
        try:
            await call(request, svc(request).records.delete_record, record_id, body)
        except ValidationFailed as exc:
            errors = field_errors(exc)
        except Gone:
            flash(request, FLASH, "The record was already deleted.")
            return redirect(f"/administration/records/{quote(record_id, safe='')}")
    if errors:
        return await _record_page(request, record_id, 400, errors, sent)
    flash(request, FLASH, f"Record {record_id} deleted. Its page now shows the tombstone.")
    return redirect(f"/administration/records/{quote(record_id, safe='')}")


@router.post("/administration/records/{record_id}/restore")
async def restore_record(request: Request, record_id: str) -> Response:
    await form(request)
    await require_admin(request)
    try:
        item = await call(request, svc(request).records.restore, record_id)
    except ValidationFailed as exc:
        return await _record_page(request, record_id, 400, problem=exc.message)
    flash(request, FLASH, f"Record {item.id} restored: it is readable and listed again.")
    return redirect(f"/administration/records/{item.id}")
