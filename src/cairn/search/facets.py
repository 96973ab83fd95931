"""Facets: selections become filters, and counts come from terms aggregations.

Values selected within one facet are ORed, facets are ANDed.  ``resource_type`` is nested:
a selection is ``parent`` or ``parent::child`` and its buckets carry the child buckets under
``inner``.  ``publication_date`` counts years (a record whose date is an interval counts in
every year it covers) and is selected by year ranges: ``2020..2022``, ``2020``, ``..2022``,
``2020..``.

Counts are computed under the full query and permission filter.  Unlike InvenioRDM (which
applies every facet selection as a post-filter, so counts ignore all selections), a facet's
counts here include the selections of the *other* facets but not its own ("disjunctive"
faceting): the counts of ``access_status`` follow the chosen resource type, while the other
values of ``access_status`` keep their counts so they can be added to the selection.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tantivy import Occur, Query

from cairn.search.query import QueryBuilder

_YEARS = re.compile(r"^\s*(-?\d{1,4})?\s*(\.\.)?\s*(-?\d{1,4})?\s*$")


@dataclass(frozen=True)
class Facet:
    name: str
    field: str
    child_field: str | None = None  # nested facets: "parent::child" values
    size: int = 20  # buckets returned (and children per parent)
    years: bool = False


FACET_DEFS: dict[str, Facet] = {
    f.name: f
    for f in (
        Facet("resource_type", "resource_type", "resource_subtype", size=50),
        Facet("access_status", "access_status", size=10),
        Facet("file_type", "file_types"),
        Facet("language", "languages"),
        Facet("subject", "subjects"),
        Facet("license", "licenses"),
        Facet("publication_date", "publication_years", size=500, years=True),
    )
}


def _or(queries: list[Query]) -> Query:
    if not queries:
        return Query.empty_query()
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Should, q) for q in queries])


def year_range(value: str) -> tuple[int | None, int | None] | None:
    """``"2020..2022"`` -> (2020, 2022); ``"2020"`` -> (2020, 2020); open sides are None."""
    match = _YEARS.match(value)
    if match is None or (match.group(1) is None and match.group(3) is None):
        return None
    low, dots, high = match.groups()
    low_year = int(low) if low else None
    high_year = int(high) if high else None
    if not dots:
        if low_year is None or high_year is not None:
            return None
        high_year = low_year
    return low_year, high_year


def selection(builder: QueryBuilder, facet: Facet, values: Sequence[str]) -> Query:
    """Documents matching any of ``values`` of ``facet`` (invalid values match nothing)."""
    values = [v for v in values if isinstance(v, str)]
    if facet.years:
        ranges = [r for r in map(year_range, values) if r is not None]
        return _or([builder.range(facet.field, low, high) for low, high in ranges])
    if facet.child_field is None:
        return builder.any_value(facet.field, values)
    parents = [v for v in values if "::" not in v]
    queries = [builder.any_value(facet.field, parents)] if parents else []
    for value in values:
        if "::" in value:
            parent, child = value.split("::", 1)
            queries.append(
                Query.boolean_query(
                    [
                        (Occur.Must, builder.any_value(facet.field, [parent])),
                        (Occur.Must, builder.any_value(facet.child_field, [child])),
                    ]
                )
            )
    return _or(queries)


def selections(builder: QueryBuilder, chosen: Mapping[str, Sequence[str]]) -> dict[str, Query]:
    """One filter per selected known facet (unknown facet names are ignored)."""
    return {
        name: selection(builder, FACET_DEFS[name], [values] if isinstance(values, str) else values)
        for name, values in chosen.items()
        if name in FACET_DEFS and values
    }


def aggregation(facet: Facet) -> dict[str, Any]:
    terms: dict[str, Any] = {"field": facet.field, "size": facet.size}
    if facet.years:
        terms["order"] = {"_key": "asc"}
    spec: dict[str, Any] = {"terms": terms}
    if facet.child_field is not None:
        spec["aggs"] = {"inner": {"terms": {"field": facet.child_field, "size": facet.size}}}
    return spec


def _key(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def buckets(facet: Facet, raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in raw.get("buckets", []):
        bucket: dict[str, Any] = {"key": _key(item["key"]), "doc_count": int(item["doc_count"])}
        if facet.child_field is not None:
            inner = [
                {"key": _key(child["key"]), "doc_count": int(child["doc_count"])}
                for child in item.get("inner", {}).get("buckets", [])
            ]
            if inner:
                bucket["inner"] = inner
        out.append(bucket)
    return out


Aggregate = Callable[[Query, dict[str, Any]], dict[str, Any]]
Task = tuple[Query, dict[str, Any], list[Facet]]  # one aggregation pass


def plan(base: Query, chosen: Mapping[str, Query], names: Sequence[str]) -> list[Task]:
    """The aggregation passes that count the facets ``names`` over ``base`` and the
    selections ``chosen``: each facet under every selection but its own, facets sharing a
    filter set in one pass."""
    groups: dict[str | None, list[Facet]] = {}
    for name in dict.fromkeys(names):
        if name in FACET_DEFS:
            groups.setdefault(name if name in chosen else None, []).append(FACET_DEFS[name])
    tasks: list[Task] = []
    for excluded, facets in groups.items():
        filters = [q for name, q in chosen.items() if name != excluded]
        query = base
        if filters:
            scoreless = ((Occur.Must, Query.const_score_query(q, 0.0)) for q in filters)
            query = Query.boolean_query([(Occur.Must, base), *scoreless])
        tasks.append((query, {f.name: aggregation(f) for f in facets}, facets))
    return tasks


def collect(
    tasks: Sequence[Task], raws: Sequence[Mapping[str, Any]], names: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """The buckets of each facet, in the order of ``names``, from the passes' results."""
    result: dict[str, list[dict[str, Any]]] = {}
    for (_, _, facets), raw in zip(tasks, raws, strict=True):
        for facet in facets:
            result[facet.name] = buckets(facet, raw.get(facet.name, {}))
    return {name: result[name] for name in names if name in result}


def count(
    aggregate: Aggregate, base: Query, chosen: Mapping[str, Query], names: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """:func:`plan`, run one pass after the other, and :func:`collect`."""
    tasks = plan(base, chosen, names)
    return collect(tasks, [aggregate(query, spec) for query, spec, _ in tasks], names)
