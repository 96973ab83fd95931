"""My uploads: the caller's drafts and records, as ``GET /api/user/records`` lists them."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from cairn.core.errors import ValidationFailed
from cairn.records.results import Item
from cairn.web.pages.common import call, caller, login_redirect, render, svc

router = APIRouter(include_in_schema=False)

SORTS = {
    "updated-desc": "Recently updated",
    "updated-asc": "Least recently updated",
    "newest": "Newest",
    "oldest": "Oldest",
}
DEFAULT_SORT = "updated-desc"
DEFAULT_SIZE = "10"
# the listing arguments of GET /api/user/records this page offers
ARGS = ("q", "sort", "page", "size", "is_published", "status")


def state(data: dict[str, Any]) -> tuple[str, str]:
    """The badge of a draft or record: (css modifier, label)."""
    if data.get("is_draft"):
        if data.get("is_published"):
            return "edit", "Edit in progress"
        if data.get("status") == "new_version_draft":
            return "draft", "New version draft"
        return "draft", "Draft"
    return "published", "Published"


def row(item: Item) -> dict[str, Any]:
    """What the list shows of one item."""
    data = item.data
    metadata = data.get("metadata") or {}
    versions = data.get("versions") or {}
    kind, label = state(data)
    pids = data.get("pids") or {}
    return {
        "id": item.id,
        "title": metadata.get("title") or "Untitled draft",
        "kind": kind,
        "label": label,
        "version": metadata.get("version") or f"v{versions.get('index', 1)}",
        "updated": data.get("updated"),
        "published": bool(data.get("is_published")),
        # ``pids.doi`` with its registration state (the caller manages every listed item)
        "doi_state": pids.get("doi") if isinstance(pids, dict) else None,
    }


def listing_args(request: Request) -> dict[str, str]:
    """The page's query, with this page's defaults (newest change first, 10 a page).

    Empty values are left out: the filter forms send ``is_published=`` for "any"."""
    query = request.query_params
    args = {name: query[name] for name in ARGS if query.get(name)}
    if args.get("sort") not in SORTS:
        args["sort"] = DEFAULT_SORT
    args.setdefault("size", DEFAULT_SIZE)
    return args


@router.get("/me/uploads", name="web.my_uploads")
async def my_uploads(request: Request) -> Response:
    if (await caller(request)).user_id is None:
        return login_redirect(request)
    args = listing_args(request)
    context: dict[str, Any] = {"args": args, "sorts": SORTS, "rows": [], "total": 0}
    try:
        result = await call(request, svc(request).search.search_user_records, list(args.items()))
    except ValidationFailed as exc:
        problems = [f"{e.field}: {m}" for e in exc.errors for m in e.messages]
        return render(request, "uploads.html", {**context, "problems": problems}, 400)
    params = result.params
    filtered = any(name in args for name in ("q", "is_published", "status"))
    context.update(
        rows=[row(item) for item in result.items],
        total=result.total,
        page=params.page,
        pages=max(1, math.ceil(result.total / params.size)),
        filtered=filtered,
        # the arguments page links carry (the page number is added per link)
        link_args={k: v for k, v in args.items() if k != "page"},
    )
    return render(request, "uploads.html", context)
