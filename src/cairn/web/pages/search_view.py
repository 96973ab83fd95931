"""What the search page shows, built from a search result: facet options, active filters,
pagination, sort choices and the page's own URLs (every state is a GET parameter)."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from cairn.core.errors import FieldError
from cairn.records.params import RECORD_AGGREGATIONS, RECORD_SORTS
from cairn.records.results import ItemList

Args = list[tuple[str, str]]

DATE = "publication_date"
DATE_FROM = "publication_date_from"  # the page's year inputs, folded into DATE by the server
DATE_TO = "publication_date_to"
FACETS: tuple[str, ...] = tuple(RECORD_AGGREGATIONS)
CHECKBOX_FACETS = tuple(name for name in FACETS if name != DATE)
PAGE_ARGS = ("q", "sort", "page", "size", "allversions")
SORT_LABELS = {
    "bestmatch": "Best match",
    "newest": "Newest",
    "oldest": "Oldest",
    "mostviewed": "Most viewed",
    "mostdownloaded": "Most downloaded",
    "version": "Version",
}
SIZES = (10, 25, 50, 100)
FIELD_LABELS = {
    "q": "Query",
    "sort": "Sort order",
    "page": "Page",
    "size": "Results per page",
    "allversions": "All versions",
    DATE: "Publication date",
}
DASH = "\u2013"  # en dash, as in 2019-2021
CHILD = " \u203a "  # between a resource type and its subtype: "Image > Photo"
_RANGE = re.compile(r"^(\d{1,4})?\.\.(\d{1,4})?$")
_YEAR = re.compile(r"^\d{1,4}$")


def search_args(query: Sequence[tuple[str, str]]) -> Args:
    """The arguments the page passes to the search service: those the API knows for a
    listing of records; anything else (the year inputs, a cursor) is left out."""
    known = set(PAGE_ARGS) | set(FACETS)
    return [(name, value) for name, value in query if name in known]


def url(args: Sequence[tuple[str, str]], path: str = "/search") -> str:
    return f"{path}?{urlencode(list(args))}" if args else path


def replace(args: Sequence[tuple[str, str]], name: str, value: str | None) -> Args:
    """``args`` with ``name`` set to ``value`` (or removed, for ``None``)."""
    kept = [(k, v) for k, v in args if k != name]
    return kept if value is None else [*kept, (name, value)]


def without(args: Sequence[tuple[str, str]], name: str, value: str | None = None) -> Args:
    """``args`` without the filter ``name=value`` (every ``name`` when ``value`` is None),
    back on the first page."""
    return [
        (k, v) for k, v in args if k != "page" and not (k == name and (value is None or v == value))
    ]


# -- the publication date range -------------------------------------------------------------
def has_year_inputs(query: Sequence[tuple[str, str]]) -> bool:
    return any(name in (DATE_FROM, DATE_TO) for name, _ in query)


def fold_year_inputs(query: Sequence[tuple[str, str]]) -> Args:
    """The year inputs as the API's ``publication_date=from..to``; raises ValueError for a
    year that is not a number."""
    first = dict(reversed(list(query)))
    start = (first.get(DATE_FROM) or "").strip()
    end = (first.get(DATE_TO) or "").strip()
    for year in (start, end):
        if year and not _YEAR.match(year):
            raise ValueError(f"“{year}” is not a year: use a number such as 2020.")
    if start and end and int(start) > int(end):
        start, end = end, start
    kept = [(k, v) for k, v in query if k not in (DATE_FROM, DATE_TO, "page")]
    if not (start or end):
        return kept
    return [(k, v) for k, v in kept if k != DATE] + [(DATE, f"{start}..{end}")]


def year_range(values: Sequence[str]) -> tuple[str, str] | None:
    """The (from, to) years of a single ``publication_date`` value, if it is a range the
    year inputs can show."""
    if len(values) != 1:
        return None
    value = values[0].strip()
    if _YEAR.match(value):
        return value, value
    found = _RANGE.match(value)
    return (found.group(1) or "", found.group(2) or "") if found else None


# -- facets ---------------------------------------------------------------------------------
@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    id: str
    children: list[Option] = field(default_factory=list)


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option]


def control_id(name: str, value: str) -> str:
    """A stable element id for a facet checkbox (so focus can return to it after the
    page reloads)."""
    digest = hashlib.blake2s(f"{name}={value}".encode(), digest_size=5).hexdigest()
    return f"f-{name}-{digest}"


def _option(name: str, value: str, bucket: dict[str, Any]) -> Option:
    return Option(
        value,
        str(bucket.get("label") or value),
        int(bucket.get("doc_count", 0)),
        bool(bucket.get("is_selected")),
        control_id(name, value),
    )


def facets(
    aggregations: dict[str, Any],
    selected: dict[str, tuple[str, ...]],
    label: Callable[[str, str], str],
) -> list[Facet]:
    """Checkbox facets in the page's order; a selected value the counts leave out (no hit
    left) is still shown, checked, so that submitting the form keeps it."""
    out = []
    for name in CHECKBOX_FACETS:
        agg = aggregations.get(name) or {}
        options = []
        shown = set()
        for bucket in agg.get("buckets", []):
            parent = _option(name, str(bucket["key"]), bucket)
            for child in (bucket.get("inner") or {}).get("buckets", []):
                value = f"{parent.value}::{child['key']}"
                parent.children.append(_option(name, value, child))
                shown.add(value)
            options.append(parent)
            shown.add(parent.value)
        for value in selected.get(name, ()):
            if value not in shown:
                text = CHILD.join(label(name, part) for part in value.split("::", 1))
                options.append(Option(value, text, 0, True, control_id(name, value)))
                shown.add(value)
        if options:
            out.append(Facet(name, str(agg.get("label") or name), options))
    return out


@dataclass
class Chip:
    """One active filter, with the URL that removes it."""

    facet: str
    label: str
    remove: str


def chips(args: Args, chosen: list[Facet], date_label: str) -> list[Chip]:
    labels = {}
    for facet in chosen:
        for option in facet.options:
            labels[(facet.name, option.value)] = (facet.label, option.label)
            for child in option.children:
                labels[(facet.name, child.value)] = (
                    facet.label,
                    option.label + CHILD + child.label,
                )
    out = []
    for name, value in args:
        if name not in FACETS or not value.strip():
            continue
        facet_label, text = labels.get((name, value), (date_label if name == DATE else name, value))
        if name == DATE:
            text = range_text(value)
        out.append(Chip(facet_label, text, url(without(args, name, value))))
    return out


def range_text(value: str) -> str:
    """``2019..2021`` as "2019-2021" (en dash), ``2019..`` as "from 2019", ``..2021`` as
    "until 2021"."""
    start, dots, end = value.partition("..")
    if not dots:
        return value
    if start and end:
        return f"{start}{DASH}{end}"
    return f"from {start}" if start else f"until {end}" if end else value


def year_span(aggregations: dict[str, Any]) -> tuple[str, str] | None:
    years = [b["key"] for b in (aggregations.get(DATE) or {}).get("buckets", [])]
    numeric = sorted(int(y) for y in years if str(y).isdigit())
    return (str(numeric[0]), str(numeric[-1])) if numeric else None


# -- paging ---------------------------------------------------------------------------------
def page_numbers(page: int, last: int, around: int = 2) -> list[int | None]:
    """Page links to show: the first, the last and a window around ``page``; ``None``
    marks a gap."""
    wanted = {1, last, *range(max(1, page - around), min(last, page + around) + 1)}
    out: list[int | None] = []
    previous = 0
    for number in sorted(wanted):
        if number - previous > 1:
            out.append(None)
        out.append(number)
        previous = number
    return out


@dataclass
class Paging:
    page: int
    size: int
    total: int
    first: int  # the number of the first hit on this page (1-based)
    last_shown: int
    last_page: int
    links: list[tuple[int | None, str]]
    prev: str | None
    next: str | None
    api_next: str | None  # the REST API's URL of the following page, by cursor


def paging(args: Args, result: ItemList) -> Paging:
    params = result.params
    last_page = max(1, math.ceil(result.total / params.size))
    first = params.offset + 1
    shown = params.offset + len(result.items)

    def at(number: int) -> str:
        return url(replace(args, "page", str(number)))

    links = [(n, at(n) if n else "") for n in page_numbers(params.page, last_page)]
    api_next = None
    if result.has_next and result.next_cursor:
        rest = [(k, v) for k, v in params.link_args() if k != "page"]
        api_next = url([*rest, ("cursor", result.next_cursor)], "/api/records")
    return Paging(
        params.page,
        params.size,
        result.total,
        first,
        shown,
        last_page,
        links,
        at(params.page - 1) if params.page > 1 else None,
        at(params.page + 1) if result.has_next else None,
        api_next,
    )


def sizes(current: int) -> list[int]:
    return sorted({*SIZES, current})


def sort_options() -> list[tuple[str, str]]:
    return [(value, SORT_LABELS.get(value, value)) for value in RECORD_SORTS]


# -- errors ---------------------------------------------------------------------------------
@dataclass
class Problem:
    field: str
    label: str
    messages: list[str]


def problems(errors: Sequence[FieldError]) -> list[Problem]:
    return [
        Problem(e.field, FIELD_LABELS.get(e.field, e.field.replace("_", " ")), list(e.messages))
        for e in errors
    ]


def without_fields(args: Args, fields: Sequence[str]) -> Args:
    """``args`` without the arguments that were refused, so the search can run."""
    bad = set(fields)
    return [(k, v) for k, v in args if k not in bad]
