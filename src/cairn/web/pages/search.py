"""Home and search pages: both are one call to the search service, as ``GET /api/records``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from cairn.core.errors import FieldError, ValidationFailed
from cairn.records.results import ItemList
from cairn.web.pages import search_view as view
from cairn.web.pages.common import call, redirect, render, svc

router = APIRouter(include_in_schema=False)

RECENT = 6  # cards under "Recent uploads"
HOME_FACETS = ("resource_type", "access_status")


@router.get("/", name="web.home")
async def home(request: Request) -> Response:
    args = [("sort", "newest"), ("size", str(RECENT))]
    result = await call(request, svc(request).search.search, args, HOME_FACETS)
    aggs = result.aggregations
    return render(
        request,
        "home.html",
        {
            "recent": [item.data for item in result.items],
            "total": result.total,
            "types": (aggs.get("resource_type") or {}).get("buckets", []),
            "statuses": (aggs.get("access_status") or {}).get("buckets", []),
        },
    )


@router.get("/search", name="web.search")
async def search_page(request: Request) -> Response:
    query = request.query_params.multi_items()
    if view.has_year_inputs(query):
        # the form's "from"/"to" year boxes become the API's publication_date=from..to
        try:
            return redirect(view.url(view.search_args(view.fold_year_inputs(query))))
        except ValueError as exc:
            errors = [FieldError(view.DATE, [str(exc)])]
            return _failed(request, view.search_args(query), errors)
    args = view.search_args(query)
    try:
        result = await call(request, svc(request).search.search, args)
    except ValidationFailed as exc:
        return _failed(request, args, exc.errors)
    return render(request, "search.html", _results(request, args, result))


def _base(args: view.Args) -> dict[str, Any]:
    first = dict(reversed(args))
    return {
        "q": first.get("q", ""),
        "allversions": first.get("allversions"),
        "sort_options": view.sort_options(),
    }


def _results(request: Request, args: view.Args, result: ItemList) -> dict[str, Any]:
    params = result.params
    selected = dict(params.facets)
    aggs = result.aggregations
    facets = view.facets(aggs, selected, svc(request).search.labels)
    dates = selected.get(view.DATE, ())
    years = view.year_range(dates)
    date_label = (aggs.get(view.DATE) or {}).get("label", "Publication date")
    return {
        **_base(args),
        "records": [item.data for item in result.items],
        "sort": params.sort,
        # a default the URL did not ask for is left out of the next search (see search.js)
        "given": {name: any(k == name for k, _ in args) for name in ("sort", "size")},
        "size": params.size,
        "sizes": view.sizes(params.size),
        "facets": facets,
        "date_label": date_label,
        "date_from": years[0] if years else "",
        "date_to": years[1] if years else "",
        # values the year boxes cannot show stay in the form as checkboxes
        "other_dates": [] if years else list(dates),
        "date_ids": {value: view.control_id(view.DATE, value) for value in dates},
        "year_span": view.year_span(aggs),
        "chips": view.chips(args, facets, date_label),
        "clear_url": view.url([(k, v) for k, v in args if k in ("q", "sort", "size")]),
        "paging": view.paging(args, result),
    }


def _failed(request: Request, args: view.Args, errors: list[FieldError]) -> Response:
    """The search page with the refused arguments explained, and a way on without them."""
    fixed = view.without_fields(args, [e.field for e in errors])
    context = {
        **_base(fixed),
        "problems": view.problems(errors),
        "hidden": [(k, v) for k, v in fixed if k not in ("q", "page")],
        "retry_url": view.url(fixed),
    }
    return render(request, "search.html", context, 400)
