"""Administration of the OAI-PMH sets defined by a query: list them, define one, change its
name, query or description, and delete it after a confirmation."""

from __future__ import annotations

import math
from contextlib import suppress
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from cairn.core.errors import NotFound, ValidationFailed
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

LIST = "/administration/oai-sets"
PAGE_SIZE = 25
MAX_QUERY = 200
SORTS = {
    "name": "Name",
    "spec": "Spec",
    "-created": "Newest first",
    "-updated": "Last changed first",
}
FIELDS = {
    "name": "Name",
    "spec": "Spec",
    "search_pattern": "Query",
    "description": "Description",
}


@router.get(LIST, name="web.admin_oai_sets")
async def sets_page(request: Request) -> Response:
    await require_admin(request)
    query = request.query_params
    q = query.get("q", "").strip()[:MAX_QUERY]
    sort = query.get("sort", "")
    sort = sort if sort in SORTS else "name"
    page = page_number(query.get("page"))
    args = {"q": q, "sort": sort, "page": str(page), "size": str(PAGE_SIZE)}
    found = await call(request, svc(request).oai_sets.search, args)
    context: dict[str, Any] = {
        "tab": "oai-sets",
        "q": q,
        "sort": sort,
        "sorts": SORTS,
        "page": page,
        "pages": max(1, math.ceil(found.total / PAGE_SIZE)),
        "total": found.total,
        "rows": [(hit, found.ready.get(hit["id"], False)) for hit in found.hits],
        "link_args": {k: v for k, v in (("q", q), ("sort", sort)) if v and v != "name"},
        "message": pop_flash(request, FLASH),
    }
    return render(request, "admin_oai_sets.html", context)


def _body(values: dict[str, str], *, new: bool) -> dict[str, Any]:
    """The body of ``POST``/``PUT /api/oaipmh/sets`` from the form (an empty description is
    none); the spec only when the set is new, as it cannot change."""
    description = values.get("description", "")
    body: dict[str, Any] = {
        "name": values.get("name", ""),
        "search_pattern": values.get("search_pattern", ""),
        "description": description if description.strip() else None,
    }
    if new:
        body["spec"] = values.get("spec", "")
    return body


def _summary(errors: dict[str, list[str]]) -> list[tuple[str | None, str]]:
    """(field id or None, message) for the list of problems at the top of the form."""
    out: list[tuple[str | None, str]] = []
    for name, messages in errors.items():
        label = FIELDS.get(name)
        for message in messages:
            out.append((name, f"{label}: {message}") if label else (None, message))
    return out


def _form_page(
    request: Request,
    values: dict[str, Any],
    oai_set: dict[str, Any] | None = None,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    errors = errors or {}
    context: dict[str, Any] = {
        "tab": "oai-sets",
        "oai_set": oai_set,
        "values": values,
        "errors": errors,
        "summary": _summary(errors),
        "message": pop_flash(request, FLASH),
    }
    return render(request, "admin_oai_set.html", context, status)


def _values(oai_set: dict[str, Any]) -> dict[str, str]:
    return {k: oai_set.get(k) or "" for k in ("name", "spec", "search_pattern", "description")}


@router.get(f"{LIST}/new", name="web.admin_oai_set_new")
async def new_set_page(request: Request) -> Response:
    await require_admin(request)
    return _form_page(request, {})


@router.post(f"{LIST}/new")
async def create_set(request: Request) -> Response:
    values = await form(request)
    await require_admin(request)
    try:
        created = await call(request, svc(request).oai_sets.create, _body(values, new=True))
    except ValidationFailed as exc:
        return _form_page(request, values, None, 400, field_errors(exc))
    flash(
        request,
        FLASH,
        f"Set “{created['name']}” ({created['spec']}) created. Its members are being "
        "gathered; until then, harvesting it answers “try again later”.",
    )
    return redirect(LIST)


async def _read(request: Request, set_id: str) -> dict[str, Any]:
    return await call(request, svc(request).oai_sets.read, set_id)


@router.get(LIST + "/{set_id}", name="web.admin_oai_set")
async def set_page(request: Request, set_id: str) -> Response:
    await require_admin(request)
    oai_set = await _read(request, set_id)
    return _form_page(request, _values(oai_set), oai_set)


@router.post(LIST + "/{set_id}")
async def save_set(request: Request, set_id: str) -> Response:
    values = await form(request)
    await require_admin(request)
    oai_set = await _read(request, set_id)
    body = _body(values, new=False)
    try:
        saved = await call(request, svc(request).oai_sets.update, set_id, body)
    except ValidationFailed as exc:
        kept = {**values, "spec": oai_set["spec"]}
        return _form_page(request, kept, oai_set, 400, field_errors(exc))
    rebuilt = saved["search_pattern"] != oai_set["search_pattern"]
    extra = " Its query changed: its members are being gathered again." if rebuilt else ""
    flash(request, FLASH, f"Set “{saved['name']}” ({saved['spec']}) saved.{extra}")
    return redirect(LIST)


@router.post(LIST + "/{set_id}/delete")
async def delete_set(request: Request, set_id: str) -> Response:
    """Without ``confirm``, the page that asks; with it, the deletion."""
    values = await form(request)
    await require_admin(request)
    try:
        oai_set = await _read(request, set_id)
    except NotFound:
        flash(request, FLASH, "That set was already deleted.")
        return redirect(LIST)
    if values.get("confirm") != "yes":
        return render(request, "admin_oai_set_delete.html", {"tab": "oai-sets", "oai_set": oai_set})
    with suppress(NotFound):  # deleted meanwhile, e.g. by another administrator
        await call(request, svc(request).oai_sets.delete, set_id)
    flash(request, FLASH, f"Set “{oai_set['name']}” ({oai_set['spec']}) deleted.")
    return redirect(LIST)
