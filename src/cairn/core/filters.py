"""A tiny, engine-neutral filter language produced by permission generators.

Search engines and SQL listings translate it; it names fields by their API paths
(``access.record``, ``parent.access.owned_by.user``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MatchAll:
    pass


@dataclass(frozen=True)
class MatchNone:
    pass


@dataclass(frozen=True)
class Term:
    field: str
    value: str | int | bool


@dataclass(frozen=True)
class AnyOf:
    """Matches when any of ``filters`` matches (logical OR)."""

    filters: tuple[Filter, ...]


@dataclass(frozen=True)
class All:
    """Matches when every one of ``filters`` matches (logical AND)."""

    filters: tuple[Filter, ...]


Filter = MatchAll | MatchNone | Term | AnyOf | All


def any_of(filters: list[Filter]) -> Filter:
    """OR of ``filters``, simplified: MatchAll wins, MatchNone drops out."""
    kept: list[Filter] = []
    for item in filters:
        if isinstance(item, MatchAll):
            return item
        if not isinstance(item, MatchNone) and item not in kept:
            kept.append(item)
    if not kept:
        return MatchNone()
    return kept[0] if len(kept) == 1 else AnyOf(tuple(kept))
