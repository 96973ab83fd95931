"""Search/listing parameters, parsed from query arguments and validated."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cairn.core.errors import FieldError, ValidationFailed
from cairn.search import FACETS

RECORD_SORTS = ("bestmatch", "newest", "oldest", "version", "mostviewed", "mostdownloaded")
USER_SORTS = (*RECORD_SORTS, "updated-desc", "updated-asc")
STATUSES = ("draft", "new_version_draft", "published")
TRUE = {"true", "1", "yes", "on"}
FALSE = {"false", "0", "no", "off"}
RECORD_AGGREGATIONS = FACETS  # every facet is counted on record searches
Args = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    sort: str = "newest"
    page: int = 1
    size: int = 25
    allversions: bool = False
    is_published: bool | None = None
    status: str | None = None
    facets: tuple[tuple[str, tuple[str, ...]], ...] = ()
    cursor: str | None = None  # None: page/size; "": the first page of a cursor walk

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def link_args(self) -> list[tuple[str, str]]:
        """Query arguments that reproduce this search (sorted, as InvenioRDM's links)."""
        args = {"page": str(self.page), "size": str(self.size), "sort": self.sort}
        if self.q:
            args["q"] = self.q
        if self.allversions:
            args["allversions"] = "true"
        if self.is_published is not None:
            args["is_published"] = str(self.is_published).lower()
        if self.status:
            args["status"] = self.status
        pairs = sorted(args.items())
        pairs += [(name, value) for name, values in self.facets for value in values]
        return pairs


def int_arg(raw: Mapping[str, str], name: str, default: int, errors: list[FieldError]) -> int:
    """A whole-number argument of 1 or more (``default`` when absent); problems go to
    ``errors`` naming ``name``."""
    value = raw.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        errors.append(FieldError(name, ["Not a valid integer."]))
        return default
    if number < 1:
        errors.append(FieldError(name, ["Must be greater than or equal to 1."]))
    return number


def _bool(raw: Mapping[str, str], name: str, errors: list[FieldError]) -> bool | None:
    value = raw.get(name)
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in TRUE or lowered == "":
        return True
    if lowered in FALSE:
        return False
    errors.append(FieldError(name, ["Not a valid boolean."]))
    return None


def _pairs(raw: Args) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The first value of each argument, and all values of each."""
    items = raw.items() if isinstance(raw, Mapping) else raw
    first: dict[str, str] = {}
    every: dict[str, list[str]] = {}
    for name, value in items:
        first.setdefault(name, value)
        every.setdefault(name, []).append(value)
    return first, every


def parse_search_params(
    args: Args,
    *,
    sorts: tuple[str, ...] = RECORD_SORTS,
    default_sort: str = "newest",
    default_size: int = 25,
    max_size: int = 1000,
) -> SearchParams:
    """Validate query arguments; raise :class:`ValidationFailed` naming each bad one."""
    errors: list[FieldError] = []
    raw, every = _pairs(args)
    q = (raw.get("q") or "").strip()
    if len(q) > 2000:
        errors.append(FieldError("q", ["Longer than maximum length 2000."]))
    sort = raw.get("sort") or ("bestmatch" if q else default_sort)
    if sort not in sorts:
        errors.append(FieldError("sort", [f"Must be one of: {', '.join(sorts)}."]))
    page = int_arg(raw, "page", 1, errors)
    size = int_arg(raw, "size", default_size, errors)
    if size > max_size:
        errors.append(FieldError("size", [f"Must be less than or equal to {max_size}."]))
    status = raw.get("status") or None
    if status is not None and status not in STATUSES:
        errors.append(FieldError("status", [f"Must be one of: {', '.join(STATUSES)}."]))
    allversions = _bool(raw, "allversions", errors)
    is_published = _bool(raw, "is_published", errors)
    cursor = raw.get("cursor")
    if cursor is not None and len(cursor) > 200_000:
        errors.append(FieldError("cursor", ["Not a valid cursor."]))
    if page * size > 1_000_000_000:
        errors.append(FieldError("page", ["Too deep: use a cursor (`cursor=`) to walk further."]))
    facets = tuple(
        (name, tuple(v for v in every[name] if v.strip()))
        for name in FACETS
        if name in every and any(v.strip() for v in every[name])
    )
    for name, values in facets:
        if any(len(v) > 500 for v in values) or len(values) > 100:
            errors.append(FieldError(name, ["Too many or too long values."]))
    if errors:
        raise ValidationFailed(errors, "Invalid querystring parameters.")
    return SearchParams(
        q, sort, page, size, bool(allversions), is_published, status, facets, cursor
    )
