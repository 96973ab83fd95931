"""``metadata.locations``: GeoJSON geometries, places, descriptions, gazetteer identifiers.

Geometries are checked for shape: a known ``type`` (Point, MultiPoint, LineString,
MultiLineString, Polygon, MultiPolygon) and ``coordinates`` nested as GeoJSON requires
(positions of 2 or 3 finite numbers, longitude in [-180, 180] and latitude in [-90, 90];
lines of at least 2 positions; polygon rings of at least 4 positions, closed).  Bounding
boxes and other members are not allowed (InvenioRDM's schema forbids them too).
"""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from .base import Strict
from .identifiers import LOCATION_SCHEMES, SchemedIdentifier
from .messages import fail, one_of
from .text import OptText

GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _position(value: Any) -> str | None:
    """Why ``value`` is not a position, or None when it is one."""
    if not isinstance(value, list) or not 2 <= len(value) <= 3:
        return "A position must be a list of 2 or 3 numbers."
    if not all(_is_number(n) and abs(n) != float("inf") and n == n for n in value):
        return "A position must be a list of 2 or 3 numbers."
    if not -180 <= value[0] <= 180:
        return "Longitude must be between -180 and 180."
    if not -90 <= value[1] <= 90:
        return "Latitude must be between -90 and 90."
    return None


def _positions(value: Any, minimum: int) -> str | None:
    if not isinstance(value, list) or len(value) < minimum:
        return f"Expected a list of at least {minimum} positions."
    for position in value:
        problem = _position(position)
        if problem:
            return problem
    return None


def _ring(value: Any) -> str | None:
    problem = _positions(value, 4)
    if problem:
        return problem
    if value[0] != value[-1]:
        return "A polygon ring must end where it starts."
    return None


def _many(value: Any, check: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "Expected a non-empty list."
    for item in value:
        problem = check(item)
        if problem:
            return problem
    return None


def _clone(value: Any) -> Any:
    """A copy of validated (shallowly nested) coordinates, as floats."""
    if isinstance(value, list):
        return [_clone(item) for item in value]
    return float(value)


def _polygon(value: Any) -> str | None:
    return _many(value, _ring)


_SHAPES = {
    "Point": _position,
    "MultiPoint": lambda value: _positions(value, 1),
    "LineString": lambda value: _positions(value, 2),
    "MultiLineString": lambda value: _many(value, lambda line: _positions(line, 2)),
    "Polygon": _polygon,
    "MultiPolygon": lambda value: _many(value, _polygon),
}


class Geometry(Strict):
    """A GeoJSON geometry object: ``{"type": "Point", "coordinates": [6.05, 46.23]}``."""

    type: str
    coordinates: Any

    @model_validator(mode="after")
    def _shape(self) -> Geometry:
        check = _SHAPES.get(self.type)
        if check is None:
            raise fail(one_of(GEOMETRY_TYPES), at="type")
        problem = check(self.coordinates)
        if problem:
            raise fail(problem, at="coordinates")
        self.coordinates = _clone(self.coordinates)
        return self


class LocationIdentifier(SchemedIdentifier):
    SCHEMES = LOCATION_SCHEMES


class Feature(Strict):
    geometry: Geometry | None = None
    place: OptText = None
    description: OptText = None
    identifiers: list[LocationIdentifier] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Feature:
        if not (self.geometry or self.place or self.description or self.identifiers):
            raise fail(
                "At least one of ['geometry', 'place', 'identifiers', 'description'] "
                "must be present."
            )
        return self


class Locations(Strict):
    features: list[Feature] | None = None
