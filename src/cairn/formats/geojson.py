"""GeoJSON (``application/vnd.geo+json``, RFC 7946) of a record's ``metadata.locations``.

A record becomes a FeatureCollection with one Feature per location; a location without
a geometry is kept as an unlocated Feature (``"geometry": null``). Search results become
one FeatureCollection of every hit's features, each naming its record.
"""

from __future__ import annotations

from typing import Any

from cairn.formats.csl import landing_url, metadata_of, obj, objs

_PROPERTIES = ("place", "description", "identifiers")


def features(record: dict[str, Any], *, tagged: bool = False) -> list[dict[str, Any]]:
    """The record's locations as GeoJSON Features (``tagged``: with the record's id,
    title and landing page among the properties)."""
    locations = obj(metadata_of(record).get("locations"))
    out = []
    for location in objs(locations.get("features")):
        geometry = location.get("geometry")
        properties = {k: location[k] for k in _PROPERTIES if location.get(k)}
        if not properties and not isinstance(geometry, dict):
            continue
        if tagged:
            properties["record_id"] = str(record.get("id") or "")
            properties["record_title"] = str(metadata_of(record).get("title") or "")
            url = landing_url(record)
            if url:
                properties["record_url"] = url
        out.append(
            {
                "type": "Feature",
                "geometry": geometry if isinstance(geometry, dict) else None,
                "properties": properties,
            }
        )
    return out


def to_geojson(record: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features(record)}


def geojson_listing(envelope: dict[str, Any]) -> dict[str, Any]:
    hits = envelope["hits"]["hits"]
    return {
        "type": "FeatureCollection",
        "features": [f for hit in hits for f in features(hit, tagged=True)],
    }
