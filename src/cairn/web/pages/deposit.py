"""The deposit form: a new upload, the draft of a record, publishing.

The form is rendered from the services (the draft, its files, the vocabularies), so its
first view needs no API call; its scripts then save, upload (tus) and publish through the
REST API with the session cookie. A published record without a draft gets a page that
offers to edit it or start a new version (plain form posts, handled here).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from cairn.core.errors import NotFound, PermissionDenied
from cairn.core.identity import Identity
from cairn.files.service import FileList
from cairn.records.results import Item
from cairn.web.pages.common import call, caller, form, login_redirect, pages, redirect, render, svc
from cairn.web.pages.deposit_options import MAX_LISTED_FILES, choices, page_data
from cairn.web.pages.record_view import doi

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {
    "draft": "Draft",
    "new_version_draft": "New version (draft)",
    "published": "Published · editing",
}


def doi_context(data: dict[str, Any]) -> dict[str, Any]:
    """The DOI of a draft or record and, for its owners and admins (the records service
    adds it only for them), how its registration stands."""
    pids = data.get("pids") or {}
    return {"doi": doi(pids), "doi_state": pids.get("doi") if isinstance(pids, dict) else None}


def _context(request: Request, item: Item | None, files: FileList | None = None) -> dict[str, Any]:
    site = pages(request).site
    data = item.data if item is not None else {}
    entries = files.entries if files is not None else []
    total = files.total if files is not None else 0
    status = str(data.get("status", "new"))
    if item is None:
        heading = "New upload"
    elif status == "published":
        heading = "Edit published record"
    elif status == "new_version_draft":
        heading = f"New version ({data.get('versions', {}).get('index', '')})"
    else:
        heading = "Edit upload"
    return {
        "item": data,
        "metadata": data.get("metadata") or {},
        "access": data.get("access") or {"record": "public", "files": "public"},
        "files_enabled": (data.get("files") or {}).get("enabled", True),
        "status": status,
        "status_label": STATUS_LABELS.get(status, "Not saved yet"),
        "heading": heading,
        "choices": choices(svc(request).vocabularies),
        "defaults": {"publisher": site.name},
        "data": page_data(svc(request), site.name, item, entries, total),
        **doi_context(data),
    }


def _owns(who: Identity, record: Item) -> bool:
    owner = ((record.data.get("parent") or {}).get("access") or {}).get("owned_by") or {}
    return who.is_admin or str(owner.get("user")) == str(who.user_id)


@router.get("/uploads/new", name="web.deposit_new")
async def new_upload(request: Request) -> Response:
    """An empty form; the first save creates the draft (nothing is created on GET)."""
    if (await caller(request)).user_id is None:
        return login_redirect(request)
    return render(request, "deposit.html", _context(request, None))


@router.get("/uploads/{id}", name="web.deposit")
async def edit_upload(request: Request, id: str) -> Response:
    """The form on the draft of record ``id`` (the owner's; others get 403)."""
    who = await caller(request)
    if who.user_id is None:
        return login_redirect(request)
    services = svc(request)
    try:
        item = await call(request, services.records.read_draft, id)
    except NotFound:
        return await _published(request, who, id)
    if item.id != id:
        return redirect(f"/uploads/{item.id}")
    files = await call(
        request, services.files.list_files, item.id, draft=True, size=MAX_LISTED_FILES
    )
    return render(request, "deposit.html", _context(request, item, files))


async def _published(request: Request, who: Identity, id: str) -> Response:
    """A published record without a draft: offer to edit it or to start a new version."""
    record = await call(request, svc(request).records.read, id)  # 404, 403, 410 as the API
    if not _owns(who, record):
        raise PermissionDenied()
    if record.id != id:
        return redirect(f"/uploads/{record.id}")
    metadata = record.data.get("metadata") or {}
    return render(
        request,
        "deposit_published.html",
        {"record": record.data, "metadata": metadata, **doi_context(record.data)},
    )


@router.post("/uploads/{id}/edit", name="web.deposit_edit")
async def edit_record(request: Request, id: str) -> Response:
    """Create (or reuse) the edit draft of a published record, then show the form."""
    await form(request)
    if (await caller(request)).user_id is None:
        return login_redirect(request)
    item = await call(request, svc(request).records.edit, id)
    return redirect(f"/uploads/{item.id}")


@router.post("/uploads/{id}/new-version", name="web.deposit_new_version")
async def new_version(request: Request, id: str) -> Response:
    """Start a new version of a published record (or reuse the open one)."""
    await form(request)
    if (await caller(request)).user_id is None:
        return login_redirect(request)
    item = await call(request, svc(request).records.new_version, id)
    return redirect(f"/uploads/{item.id}")
